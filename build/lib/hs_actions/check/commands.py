"""`hs-actions check` and `check --list-rules`: what the CLI delegates to. Each returns a Report
(hs_actions.core.report) whose exit code is 0 no errors, 1 errors found, 2 an action could not be
checked (ToolkitError)."""
from __future__ import annotations

from pathlib import Path

from hs_actions.action import folder as action_module
from hs_actions.check.registry import ERROR, listing
from hs_actions.check.run import check
from hs_actions.core import project
from hs_actions.core.colour import paint
from hs_actions.core.errors import ToolkitError
from hs_actions.core.report import Console, Report
from hs_actions.portal.portal import default_db


def list_rules() -> Report:
    """The registry: each rule's id, severity and description, a line each."""
    return Report(listing())


def run_check(refs: list[str], *, actions_dir: Path | None = None,
              helpers_dir: Path | None = None, portal_db: Path | None = None, colour: bool = False,
              console: Console | None = None) -> Report:
    """Every finding for the named actions (all actions when none is named), then a count;
    each rule in colour when `colour` (a terminal). `portal_db` is the local portal whose catalogue input
    fields are checked against (the default one when None); one named must exist, as check
    only reads it. An action that cannot be checked is noted on the console's stderr."""
    actions_dir = actions_dir or project.current().actions
    helpers_dir = helpers_dir or project.current().helpers
    console = console or Console()
    try:
        folders = action_module.chosen(refs, not refs, actions_dir)
        if portal_db is not None and not portal_db.is_file():
            raise ToolkitError(f"--portal-db {portal_db}: no such database; check only reads one (`hs-actions run "
                               f"--portal-db {portal_db}` or `hs-actions portal seed FILE --portal-db {portal_db}` "
                               f"makes it)")
    except ToolkitError as error:
        console.note(f"hs-actions: {error}")
        return Report(exit_code=error.exit_code)
    findings, unchecked = [], 0
    for folder in folders:  # one broken action does not hide the findings of the others
        try:
            findings += check([folder], helpers_dir, portal_db=portal_db or default_db())
        except ToolkitError as error:
            console.note(f"hs-actions: {error}")
            unchecked += 1
    report = Report([_coloured(finding) if colour else str(finding) for finding in findings])
    errors = sum(f.severity == ERROR for f in findings)
    warnings = len(findings) - errors
    checked = len(folders) - unchecked
    actions = f"{checked} action{'s' if checked != 1 else ''}"
    report.lines.append(f"{_count(errors, 'error', 'red', colour)}, {_count(warnings, 'warning', 'yellow', colour)} "
                        f"in {actions}" if findings else f"no problems in {actions}")
    if unchecked:
        report.lines.append(f"{unchecked} of {len(folders)} actions could not be checked (above)")
        report.exit_code = 2
    else:
        report.exit_code = 1 if errors else 0
    return report


def _count(n: int, word: str, hue: str, colour: bool) -> str:
    text = f"{n} {word}{'s' if n != 1 else ''}"
    return paint(text, hue) if colour and n else text


def _coloured(finding) -> str:
    """The finding as printed, its rule red for an error, yellow for a warning."""
    text, place = str(finding), f"{finding.file}:{finding.line}: "
    if not text.startswith(place + finding.rule):
        return text
    hue = "red" if finding.severity == ERROR else "yellow"
    return place + paint(finding.rule, hue) + text[len(place + finding.rule):]
