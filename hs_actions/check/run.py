"""`check()`: every registered check applied to the subjects of the kind it takes.

The subjects are an Action per folder (what the MANIFEST, CODE, ACTION and BUNDLE checks take),
each file of the code once (FILE) and the Run itself (FILES); the registry says which checks
take which, so this module only builds the subjects and walks the kinds in order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from hs_actions.action import manifest as manifest_module
from hs_actions.action.folder import within_folder
from hs_actions.action.manifest import Manifest
from hs_actions.bundler.errors import BundleError
from hs_actions.bundler.inline import inline
from hs_actions.bundler.sources import Source
from hs_actions.core import project
from hs_actions.harness import runtime as runtime_module
from hs_actions.portal.portal import default_db
from hs_actions.check.registry import CHECKS, ERROR, KINDS, Finding


@dataclass
class Action:
    """One action folder under check. The CODE check (helpers.py) fills in `source` and
    `helpers` as it reads them, so that the ACTION and BUNDLE checks take code that loaded."""
    folder: Path
    display: str                  # the folder as the user can open it from where they are
    manifest: Manifest
    portal_db: Path               # the local portal whose catalogue counts as known (only read)
    helpers_dir: Path
    source: Source | None = None                # action.py, once it parsed
    helpers: list[Source] | None = None         # the helpers it imports, once they all loaded
    unparsed: dict[str, Path] = field(default_factory=dict)   # files the toolkit's parser refused, by display
    _inlined: str | BundleError | None = field(default=None, init=False, repr=False)

    @property
    def toml(self) -> str:
        """action.toml as findings name it."""
        return f"{self.display}/{manifest_module.FILENAME}"

    def inlined(self) -> str:
        """The code with its helpers inlined, as the bundler writes it (without the header).
        Inlined once for every check that asks; the BundleError that stops it is raised to each."""
        if self._inlined is None:
            try:
                self._inlined = inline(self.source, self.helpers)
            except BundleError as error:
                self._inlined = error
        if isinstance(self._inlined, BundleError):
            raise self._inlined
        return self._inlined


@dataclass
class Run:
    """One `check()`: its actions, the interpreter that has the last word on syntax, and the
    findings so far (what the FILES checks read)."""
    actions: list[Action]
    runtime: runtime_module.Runtime
    findings: list[Finding] = field(default_factory=list)

    @property
    def sources(self) -> list[Source]:
        """Each file of the code that loaded, once: the actions' and the helpers they import."""
        files: dict[str, Source] = {}
        for action in self.actions:
            for source in [action.source, *(action.helpers or [])]:
                if source is not None:
                    files.setdefault(source.display, source)
        return list(files.values())

    @property
    def unparsed(self) -> dict[str, Path]:
        """The files the toolkit's own parser refused, by display."""
        return {shown: path for action in self.actions for shown, path in action.unparsed.items()}

    def withdraw(self, superseded: Callable[[Finding], bool]) -> None:
        """Drop the findings a later check knows better than (see python39.py)."""
        self.findings[:] = [f for f in self.findings if not superseded(f)]


def check(action_folders: list[Path], helpers_dir: Path | None = None,
          runtime: runtime_module.Runtime | None = None, portal_db: Path | None = None) -> list[Finding]:
    """Findings for each action and the helpers it imports, sorted by file and line.

    `runtime` is the interpreter whose compile() has the last word on syntax; by default
    HubSpot's prepared runtime, and none when only the fallback exists. `portal_db` is the
    local portal whose seeded and pulled properties count as known (only read). Raises
    ManifestError for an action.toml that does not load.
    """
    helpers_dir = helpers_dir or project.current().helpers
    portal_db = portal_db or default_db()
    runtime = runtime if runtime is not None else runtime_module.current()
    actions = []
    for folder in map(Path, action_folders):
        manifest = manifest_module.load(within_folder(folder / manifest_module.FILENAME, folder, manifest_module.FILENAME))
        actions.append(Action(folder, project.shown(folder), manifest, portal_db, helpers_dir))
    run = Run(actions, runtime)
    for kind in KINDS:
        for subject in kind.subjects(run):
            for each in CHECKS[kind]:
                found = each(subject)       # first: a FILES check may withdraw findings
                run.findings += found
    unique = list(dict.fromkeys(run.findings))
    return sorted(unique, key=lambda f: (f.file, f.line, f.rule, f.message))


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)
