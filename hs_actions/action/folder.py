"""An action folder, found and loaded (not run): actions/<name>/ with action.py and action.toml."""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from hs_actions.core import project
from hs_actions.core.text import escaped
from hs_actions.core.errors import ActionNotFound, LinkLeavesFolder
from hs_actions.action import manifest as manifest_module
from hs_actions.action.manifest import Manifest

CODE = "action.py"
EVENTS = "events"


@dataclass(frozen=True)
class Action:
    name: str
    folder: Path
    manifest: Manifest
    code_file: Path | None = None     # another file to run in place of action.py (a bundle)

    @property
    def code(self) -> Path:
        return self.code_file or self.folder / CODE

    @property
    def events(self) -> list[Path]:
        return sorted((self.folder / EVENTS).glob("*.json"))


def load(name_or_path: str | Path, actions_dir: Path | None = None) -> Action:
    """The action named `name_or_path` under actions/, or the action folder at that path."""
    actions_dir = actions_dir or project.current().actions
    folder = _locate(str(name_or_path), actions_dir)
    if not (folder / CODE).is_file():
        raise ActionNotFound(
            f"{folder}: no {CODE}. An action folder holds {CODE} with def main(event) "
            f"(the code pasted into HubSpot) and {manifest_module.FILENAME}."
        )
    within_folder(folder / CODE, folder, CODE)
    within_folder(folder / manifest_module.FILENAME, folder, manifest_module.FILENAME)
    return Action(folder.name, folder, manifest_module.load(folder / manifest_module.FILENAME))


def within_folder(path: Path, folder: Path, what: str) -> Path:
    """`path`, unless it is a symbolic link (or in a linked folder of the action's) whose real
    path leaves the action's folder and the repository's shared/: a repository could
    otherwise hand the action, or the report, a file of the developer's (~/.docker/config.json).
    A file named outside the folder, not a link, is the developer's own choice and passes."""
    real = link_out(path, folder)
    if real is None:
        return path
    raise LinkLeavesFolder(f"{escaped(str(path))}: a symbolic link to {escaped(str(real))}, outside the action's "
                           f"folder: refused ({what} must stay in {escaped(str(folder))} or shared/)")


def link_out(path: Path, folder: Path) -> Path | None:
    """The real path of `path` when it is a symbolic link, or in a linked folder under
    `folder`, whose real path leaves `folder` and the repository's shared/; else None. The one
    rule for the toolkit's reads of an action's files and helpers (run, check, bundle); the
    runtime's loader holds it for helpers imported in a run."""
    lexical = Path(os.path.abspath(path))
    real_folder = folder.resolve()
    inside = lexical.is_relative_to(folder) or lexical.is_relative_to(real_folder)
    if not (inside or lexical.is_symlink()):
        return None
    real = lexical.resolve()
    # The project is looked for only for a path that leaves the folder (every run reads its
    # event file through here).
    if real.is_relative_to(real_folder) or real.is_relative_to((project.current().root / "shared").resolve()):
        return None
    return real


def locate(name_or_path: str | Path, actions_dir: Path | None = None) -> Path | None:
    """The folder `name_or_path` names, without reading it; None when there is none (load()
    then says why)."""
    actions_dir = actions_dir or project.current().actions
    try:
        return _locate(str(name_or_path), actions_dir)
    except ActionNotFound:
        return None


def located(name_or_path: str | Path, actions_dir: Path | None = None) -> Path:
    """The folder `name_or_path` names, without reading it; ActionNotFound (exit 2) saying
    why, and which names are close, when there is none."""
    return _locate(str(name_or_path), actions_dir or project.current().actions)


def discover(actions_dir: Path | None = None) -> list[Path]:
    """Every folder under actions/ that holds an action.py, sorted by name."""
    actions_dir = actions_dir or project.current().actions
    if not actions_dir.is_dir():
        return []
    return sorted(p.parent for p in actions_dir.glob(f"*/{CODE}"))


def chosen(refs: list[str], all_: bool, actions_dir: Path | None = None) -> list[Path]:
    """The folders of the actions a command names: every one with all_, else each ref's (a
    name under actions/ or a path), or ActionNotFound naming the first that is neither."""
    actions_dir = actions_dir or project.current().actions
    return discover(actions_dir) if all_ else [load(ref, actions_dir).folder for ref in refs]


def _locate(ref: str, actions_dir: Path) -> Path:
    # A bare name is an action under actions/ first, whatever folders the current
    # directory happens to hold; anything else is a path.
    by_name = actions_dir / ref
    if "/" not in ref and ref not in (".", "..") and by_name.is_dir():
        return by_name.resolve()
    path = Path(ref)
    if path.is_dir():
        return path.resolve()
    if path.exists():
        raise ActionNotFound(f"{ref}: not a folder. Give an action's name or the path to its folder.")
    names = [p.name for p in discover(actions_dir)]
    close = difflib.get_close_matches(path.name, names, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    known = f" Actions here: {', '.join(names)}." if names else f" There are no actions in {actions_dir} yet: `hs-actions new NAME` makes one."
    raise ActionNotFound(f"no action {ref!r}: not a folder, nor a name under {actions_dir}.{hint}{known}")
