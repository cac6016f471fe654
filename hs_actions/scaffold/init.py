"""`hs-actions init [DIR]`: a team's own project, with the layout every project shares.

    pyproject.toml     depends on hs-actions (pinned to the version running init), [tool.hs-actions]
    README.md          the project's own, short
    actions/<name>/    one example action, with its events and test (what `hs-actions new` writes)
    shared/helpers/    the actions' shared code
    tests/             a project-level test
    scripts/           run, test, hs-actions: set up on first use, then delegate
    .env.example, .gitignore, .github/workflows/actions.yml (test on push, deploy on merge)

In a folder that already has some of these (an existing repository), only what is missing is
added, and nothing is overwritten: an existing pyproject.toml gains a [tool.hs-actions] table
only when it has none, by appending it whole. Every file is written to a temporary file first,
then renamed.
"""
from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path
from string import Template

from hs_actions.core.files import write_atomic
from hs_actions.core import project
from hs_actions.core.errors import ToolkitError
from hs_actions.core.report import Report

TEMPLATES = Path(__file__).with_name("templates") / "project"
EXAMPLE = "first_action"
HOMEPAGE = "https://pypi.org/project/hs-actions/"
# template (under templates/project) -> path in the project; scripts are made executable
FILES = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "gitignore.tmpl": ".gitignore",
    "env.example.tmpl": ".env.example",
    "shared/helpers/__init__.py.tmpl": "shared/helpers/__init__.py",
    "tests/test_project.py.tmpl": "tests/test_project.py",
    "scripts/_env.tmpl": "scripts/_env",
    "scripts/run.tmpl": "scripts/run",
    "scripts/test.tmpl": "scripts/test",
    "scripts/hs-actions.tmpl": "scripts/hs-actions",
    "github/workflows/actions.yml.tmpl": ".github/workflows/actions.yml",
}
EXECUTABLE = ("scripts/run", "scripts/test", "scripts/hs-actions")


def requirement(source: str | None = None) -> str:
    """What the new project's pyproject.toml depends on: `source` when given (a path to a wheel
    or a checkout, or any pip requirement), else wherever the running toolkit was installed
    from (a wheel or a checkout, by its PEP 610 record), else this version from a package index."""
    if source:
        path = Path(source).expanduser()
        if path.exists():
            return f"hs-actions @ {path.resolve().as_uri()}"
        if source.startswith(("hs-actions", "hs_actions")):
            return source
        raise ToolkitError(f"--source {source!r}: no such file or folder, and not a requirement naming hs-actions "
                           f"(give a wheel, a checkout of the toolkit, or e.g. 'hs-actions==1.2.0')")
    try:
        distribution = metadata.distribution("hs-actions")
    except metadata.PackageNotFoundError:
        raise ToolkitError("init: the running toolkit is not installed, so where a project gets it is unknown; "
                           "give --source (a wheel, a checkout, or a requirement such as 'hs-actions==1.2.0')") from None
    direct = distribution.read_text("direct_url.json")
    url = json.loads(direct).get("url") if direct else None
    return f"hs-actions @ {url}" if url else f"hs-actions=={distribution.version}"


def init(folder: str | Path = ".", *, source: str | None = None) -> Report:
    """Make (or complete) a project in `folder`; the report lists what was added and what was
    already there."""
    root = Path(folder).expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise ToolkitError(f"{root}: not a folder; give the folder to make the project in")
    inside = project.find(root)
    if inside is not None and inside.root != root:
        raise ToolkitError(f"{root} is inside the hs-actions project {inside.root}: a project in a project would "
                           f"split its actions; run init there, or choose a folder outside it")
    name = re.sub(r"[^a-z0-9]+", "-", root.name.lower()).strip("-") or "hubspot-actions"
    values = {"name": name, "requirement": requirement(source), "example": EXAMPLE, "homepage": HOMEPAGE}
    local = "@ file:" in values["requirement"]
    added, kept = [], []
    root.mkdir(parents=True, exist_ok=True)
    for template, target in FILES.items():
        path = root / target
        if target == "pyproject.toml" and path.exists():
            if project.table_of(path) is None:
                _append_table(path)
                added.append("[tool.hs-actions] to pyproject.toml")
            else:
                kept.append(target)
            continue
        if path.exists():
            kept.append(target)
            continue
        write_atomic(path, Template((TEMPLATES / template).read_text()).substitute(values))
        if target in EXECUTABLE:
            path.chmod(0o755)
        added.append(target)
    added += _example(root)
    lines = [f"hs-actions project in {project.shown(root)}"]
    lines += [f"  added {item}" for item in added] or ["  nothing to add: every file was there"]
    lines += [f"  kept  {item} (already there)" for item in kept]
    if local and "pyproject.toml" in added:
        # A file URL works on this machine only: CI's clone (and a teammate's) cannot install it.
        lines.append(f"note: pyproject.toml gets the toolkit from {values['requirement'].partition('@ ')[2]}, on this "
                     "machine only; for CI and teammates, depend on one they can reach: "
                     "init --source 'hs-actions==VERSION' (a package index) or "
                     "--source 'hs-actions @ git+https://HOST/ORG/hs-actions@TAG'")
    lines.append(f"next: cd {project.shown(root)} && ./scripts/test   (sets up on first use), then "
                 f"./scripts/hs-actions new NAME")
    return Report(lines)


def _append_table(pyproject: Path) -> None:
    """Append a [tool.hs-actions] table to a pyproject.toml that has none, keeping the rest
    byte for byte (a TOML writer would reformat the team's file)."""
    text = pyproject.read_text(encoding="utf-8")
    separator = "" if text.endswith("\n") or not text else "\n"
    write_atomic(pyproject, text + separator + "\n[tool.hs-actions]\nportal_id = 1234567\n")


def _example(root: Path) -> list[str]:
    """The example action, when the project has no action yet."""
    from hs_actions.scaffold import create

    actions = root / "actions"
    if actions.is_dir() and any(actions.glob("*/action.py")):
        return []
    create(EXAMPLE, actions_dir=actions, env_example=root / ".env.example", env_file=root / ".env")
    return [f"actions/{EXAMPLE}/"]
