"""`hs-actions secrets`: every secret the project's actions declare, which actions tick it,
whether .env holds it and how long its value is, against HubSpot's cap on secret values.

A value is never shown in any form (not a prefix, a hash or an escaped copy): only whether it is
set and its length, which is what the cap is about. HubSpot caps the secret values an action may
read at 1,000 characters (hubspot_runtime.SECRETS_TOTAL_MAX, HUBSPOT_RUNTIME.md "Secrets"): the
total of all secrets is given against it, with a warning over it, and each action's own total,
which is what a run and HubSpot refuse (exit code 1 then).

It reads the actions' action.toml files and .env only: no run, no portal, no harness, so it
sits with the action model, as `hs-actions list` does.
"""
from __future__ import annotations

from pathlib import Path

from hs_actions.action.folder import discover, load
from hs_actions.core import files, hubspot_runtime, project
from hs_actions.core.errors import ToolkitError
from hs_actions.core.report import Console, Report

CAP = hubspot_runtime.SECRETS_TOTAL_MAX
OVER_ACTION_EXIT = 1     # an action whose runs HubSpot (and `hs-actions run`) would refuse
BROKEN_ACTION_EXIT = 2   # as `hs-actions list`: an action.toml that cannot be read


def secrets_report(*, as_json: bool = False, actions_dir: Path | None = None, env_file: Path | None = None,
                   console: Console | None = None) -> Report:
    """The secrets of the actions in `actions_dir` (the project's actions/ by default) with the
    values of `env_file` (the project's .env; a missing file holds nothing). An action.toml that
    cannot be read is noted on the console's stderr (in the JSON, an entry with its error) and the
    others are still counted; SecretError for a .env that cannot be read, naming the line."""
    console = console or Console()
    actions_dir = project.current().actions if actions_dir is None else actions_dir
    env_file = project.current().env_file if env_file is None else env_file
    declared: dict[str, list[str]] = {}      # secret -> the actions that tick it
    ticked: dict[str, tuple[str, ...]] = {}  # action -> its secrets
    broken: dict[str, str] = {}
    for folder in discover(actions_dir):
        try:
            action = load(folder)
        except ToolkitError as error:
            broken[folder.name] = str(error)
            continue
        ticked[action.name] = action.manifest.secrets
        for name in action.manifest.secrets:
            declared.setdefault(name, []).append(action.name)
    lengths = _lengths(env_file)
    secrets = [{"name": name, "actions": sorted(users), "in_env": name in lengths, "length": lengths.get(name)}
               for name, users in sorted(declared.items())]
    total = sum(s["length"] or 0 for s in secrets)
    per_action = {name: sum(lengths.get(s, 0) for s in names) for name, names in sorted(ticked.items())}
    over = {name: n for name, n in per_action.items() if n > CAP}
    warnings = _warnings(total, over, [s["name"] for s in secrets if not s["in_env"]], env_file)
    exit_code = BROKEN_ACTION_EXIT if broken else OVER_ACTION_EXIT if over else 0
    if as_json:
        return Report(exit_code=exit_code, data={
            "env_file": str(env_file), "cap": CAP, "total": total, "secrets": secrets,
            "actions": [{"name": n, "secrets": list(ticked[n]), "total": t, "over_cap": n in over}
                        for n, t in per_action.items()] + [{"name": n, "error": e} for n, e in broken.items()],
            "warnings": warnings})
    for name, error in broken.items():
        console.note(f"hs-actions: {name}: its secrets cannot be read: {error}")
    report = Report(exit_code=exit_code)
    if not secrets:
        report.lines.append(f"No action declares a secret ({len(ticked)} action(s) in {project.shown(actions_dir)}).")
        return report
    width = max(len(s["name"]) for s in secrets)
    report.lines.append(f"{'SECRET':<{width}}  {'IN .ENV':<7}  {'LENGTH':>6}  ACTIONS")
    for s in secrets:
        report.lines.append(f"{s['name']:<{width}}  {'yes' if s['in_env'] else 'missing':<7}  "
                            f"{s['length'] if s['in_env'] else '-':>6}  {', '.join(s['actions'])}")
    report.lines.append(f"Total: {total:,} of the {CAP:,} characters of secret values HubSpot allows "
                        f"(values from {project.shown(env_file)}; never shown).")
    report.lines += [f"warning: {w}" for w in warnings]
    return report


def _warnings(total: int, over: dict[str, int], missing: list[str], env_file: Path) -> list[str]:
    said = []
    if total > CAP:
        said.append(f"the secrets total {total:,} characters, over HubSpot's cap of {CAP:,}: an action may read "
                    f"at most {CAP:,} characters of secret values, so no action can tick them all")
    for name, n in over.items():
        said.append(f"action {name} ticks {n:,} characters of secret values, over HubSpot's cap of {CAP:,}: "
                    f"its runs are refused; shorten a value or untick a secret in its action.toml")
    if missing:
        said.append(f"{', '.join(missing)} not in {project.shown(env_file)}: add NAME=... lines there "
                    f"(see .env.example) or runs that need them stop")
    return said


def _lengths(env_file: Path) -> dict[str, int]:
    """{name: length of its value} of the non-empty values in the file (files.read_env's errors)."""
    return {name: len(value) for name, value in files.read_env(env_file).items() if value}
