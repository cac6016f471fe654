"""`hs-actions bundle` and `hs-actions check`: what the CLI delegates to. Each returns the exit
code: 0 done, 1 problems found (or a bundle failed its tests), 2 could not run (ToolkitError)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from hs_actions.core import colour, project
from hs_actions.bundler import imports
from hs_actions.bundler.bundle import (HASH_LINE, bundle_text, bundled_hash, header_hash, recorded_hash, verify,
                                   write_atomic)
from hs_actions.check import ERROR, check, has_errors
from hs_actions.core.errors import ToolkitError
from hs_actions.action import folder as action_module
from hs_actions.portal.portal import DEFAULT_DB


def run_bundle(refs: list[str], all_: bool = False, print_: bool = False, out_dir: Path | None = None, *,
               actions_dir: Path = project.ACTIONS, helpers_dir: Path = imports.HELPERS_DIR,
               pytest_args: tuple[str, ...] = (), out=None, err=None, progress=None) -> int:
    """Check, bundle and verify each action; write out_dir/<name>.py only once its tests pass
    against the bundle. With print_, write the bundle to `out` instead (not verified).
    Before each verification (seconds of tests) a line naming the action goes to `progress`
    (default stderr), so that a log shows which action the time goes to."""
    out, err, progress = out or sys.stdout, err or sys.stderr, progress or sys.stderr
    out_dir = Path(out_dir) if out_dir is not None else project.ROOT / "dist"
    status = 0
    try:
        for folder in _folders(refs, all_, actions_dir, require=True):
            findings = check([folder], helpers_dir)
            for finding in findings:
                print(finding, file=err)
            if has_errors(findings):
                print(f"{folder.name}: not bundled: fix the problems above first", file=err)
                status = 1
                continue
            text = bundle_text(folder, helpers_dir)
            if print_:
                out.write(text)
                continue
            print(f"bundling {folder.name}: running its tests against the bundle", file=progress, flush=True)
            status = max(status, _bundle_verified(folder, text, out_dir, pytest_args, out, err))
    except ToolkitError as error:
        print(f"hs-actions: {error}", file=err)
        return error.exit_code
    return status


def _bundle_verified(folder: Path, text: str, out_dir: Path, pytest_args, out, err) -> int:
    final = out_dir / f"{folder.name}.py"
    candidate = out_dir / f".{folder.name}.{os.getpid()}.unverified.py"     # never shared by two runs
    write_atomic(candidate, text)
    try:
        ok, report = verify(folder, candidate, pytest_args=pytest_args)
        if not ok:
            print(f"{folder.name}: {report}", file=err)
            print(f"{folder.name}: {project.shown(final)} not written", file=err)
            return 1
        os.replace(candidate, final)
    finally:
        candidate.unlink(missing_ok=True)
    header = text[:text.index(HASH_LINE)].splitlines()[1:]       # the first line says where from
    summary = [line[2:] for line in header if line.startswith("# ")]
    print(f"{folder.name}: wrote {project.shown(final)} ({len(text.encode()):,} bytes, {recorded_hash(final)})", file=out)
    print(f"{folder.name}: {report}", file=out)
    for line in summary:
        print(f"  {line}", file=out)
    return 0


def run_check(refs: list[str], *, actions_dir: Path = project.ACTIONS,
              helpers_dir: Path = imports.HELPERS_DIR, portal_db: Path | None = None, out=None, err=None) -> int:
    """Print every finding for the named actions (all actions when none is named). `portal_db`
    is the local portal whose catalogue input fields are checked against (the default one when
    None); one named must exist, as check only reads it."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        folders = _folders(refs, not refs, actions_dir, require=False)
        if portal_db is not None and not portal_db.is_file():
            raise ToolkitError(f"--portal-db {portal_db}: no such database; check only reads one (`hs-actions run "
                               f"--portal-db {portal_db}` or `hs-actions portal seed FILE --portal-db {portal_db}` "
                               f"makes it)")
    except ToolkitError as error:
        print(f"hs-actions: {error}", file=err)
        return error.exit_code
    findings, unchecked = [], 0
    for folder in folders:  # one broken action does not hide the findings of the others
        try:
            findings += check([folder], helpers_dir, portal_db=portal_db or DEFAULT_DB)
        except ToolkitError as error:
            print(f"hs-actions: {error}", file=err)
            unchecked += 1
    shade = colour.wanted(out)
    for finding in findings:
        print(_coloured(finding) if shade else finding, file=out)
    errors = sum(f.severity == ERROR for f in findings)
    warnings = len(findings) - errors
    checked = len(folders) - unchecked
    actions = f"{checked} action{'s' if checked != 1 else ''}"
    print(f"{_count(errors, 'error', 'red', shade)}, {_count(warnings, 'warning', 'yellow', shade)} in {actions}"
          if findings else f"no problems in {actions}", file=out)
    if unchecked:
        print(f"{unchecked} of {len(folders)} actions could not be checked (above)", file=out)
        return 2
    return 1 if errors else 0


def _count(n: int, word: str, hue: str, shade: bool) -> str:
    text = f"{n} {word}{'s' if n != 1 else ''}"
    return colour.paint(text, hue) if shade and n else text


def _coloured(finding) -> str:
    """The finding as printed, its rule red for an error, yellow for a warning."""
    text, place = str(finding), f"{finding.file}:{finding.line}: "
    if not text.startswith(place + finding.rule):
        return text
    hue = "red" if finding.severity == ERROR else "yellow"
    return place + colour.paint(finding.rule, hue) + text[len(place + finding.rule):]


def run_drift(ref: str, file: Path, *, actions_dir: Path = project.ACTIONS,
              helpers_dir: Path = imports.HELPERS_DIR, out=None, err=None) -> int:
    """Compare code copied out of HubSpot (`file`) with the repository's bundle of `ref`:
    0 when HubSpot runs what the repository has, 1 when they differ (and how)."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        folder = action_module.load(ref, actions_dir).folder
        if not Path(file).is_file():
            raise ToolkitError(f"{file}: no such file (save the code from HubSpot's editor to a file)")
        current = header_hash(bundle_text(folder, helpers_dir))
        try:
            recorded, actual = recorded_hash(file), bundled_hash(file)
            first_line = Path(file).read_text(encoding="utf-8").partition("\n")[0]
        except (OSError, UnicodeDecodeError) as error:
            raise ToolkitError(f"{file}: cannot read it as UTF-8 text ({error})") from None
        bundled_as = first_line[2:].partition(": paste-ready bundle")[0] if "paste-ready bundle" in first_line else None
        if bundled_as and bundled_as != folder.name:
            raise ToolkitError(f"{file} is a bundle of {bundled_as}, not of {folder.name}: "
                               f"hs-actions drift {bundled_as} {file}")
    except ToolkitError as error:
        print(f"hs-actions: {error}", file=err)
        return error.exit_code
    name = folder.name
    if actual == current:
        print(f"{file}: the same code as the repository's bundle of {name} ({current})", file=out)
        return 0
    if recorded is not None and actual != recorded:
        print(f"{file}: edited after it was bundled (its code is {actual}, its header recorded {recorded}): "
              f"bring the change into actions/{name}/action.py, then bundle and paste again", file=out)
    elif recorded is not None:
        print(f"{file}: an older bundle of {name} ({recorded}); the repository's is now {current}: "
              f"bundle and paste again", file=out)
    else:
        print(f"{file}: not a bundle (no hs-actions header), and not the code of the repository's bundle of "
              f"{name} ({actual} vs {current})", file=out)
    return 1


def _folders(refs: list[str], all_: bool, actions_dir: Path, require: bool) -> list[Path]:
    if all_:
        folders = action_module.discover(actions_dir)
    else:
        folders = [action_module.load(ref, actions_dir).folder for ref in refs]
    if require and not folders:
        raise ToolkitError("no action to bundle: name one (hs-actions bundle NAME) or use --all"
                           + ("" if refs or not all_ else f"; there are none in {actions_dir}"))
    return folders
