"""`hs-actions list`: the project's actions with their secrets, inputs and outputs, as a Report
(hs_actions.core.report) for the CLI to print. It lives with the action model because it
reads nothing else: no run, no portal."""
from __future__ import annotations

from pathlib import Path

from hs_actions.action.folder import Action, discover, load
from hs_actions.core import project
from hs_actions.core.errors import ToolkitError
from hs_actions.core.report import Console, Report


def list_actions(*, as_json: bool = False, actions_dir: Path | None = None,
                 console: Console | None = None) -> Report:
    """Each action in `actions_dir`: four lines, or with as_json one JSON object each (sorted
    by name). An action.toml that cannot be read does not hide the others: it is noted on the
    console's stderr (in the JSON, an entry with its error) and the exit code is 2."""
    actions_dir = actions_dir or project.current().actions
    console = console or Console()
    actions, broken = [], {}
    for folder in discover(actions_dir):
        try:
            actions.append(load(folder))
        except ToolkitError as error:
            broken[folder.name] = str(error)
    exit_code = 2 if broken else 0
    if as_json:
        listed = [summary(a) for a in actions] + [{"name": n, "error": e} for n, e in broken.items()]
        return Report(data=sorted(listed, key=lambda a: a["name"]), exit_code=exit_code)
    report = Report(exit_code=exit_code)
    if not actions and not broken:
        report.lines.append("no actions yet: `hs-actions new NAME` makes one")
    for name, error in broken.items():
        console.note(f"hs-actions: {name}: cannot be listed: {error}")
    for action in actions:
        m = action.manifest
        report.lines += [
            f"{action.name}  ({m.object_type}) {m.description}",
            f"  secrets: {', '.join(m.secrets) or '-'}",
            f"  inputs:  {', '.join(f'{i.name}<-{i.property or repr(i.value)}' for i in m.inputs) or '-'}",
            f"  outputs: {', '.join(f'{o.name}:{o.type}' for o in m.outputs) or '-'}",
        ]
    return report


def summary(action: Action) -> dict:
    """An action as `list --json` gives it."""
    m = action.manifest
    return {
        "name": action.name, "folder": str(action.folder), "description": m.description,
        "object_type": m.object_type, "secrets": list(m.secrets),
        "inputs": {i.name: ({"property": i.property} if i.property else {"value": i.value}) for i in m.inputs},
        "outputs": {o.name: {"type": o.type, **({"options": list(o.options)} if o.options else {})} for o in m.outputs},
    }
