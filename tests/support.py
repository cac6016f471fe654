"""Helpers the toolkit's own tests share (not fixtures: those live in the conftest.py files).

TOKEN is the empty portal's token (every scope); ACCOUNT_TOKEN the "real account"'s, played by a
second portal. Neither has a real token's shape: nothing real is ever committed.
"""
from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import requests

TOKEN = "pat-local-portal-tests"
ACCOUNT_TOKEN = "pat-local-account-tests"


class Api(requests.Session):
    """requests against a portal: api.get("/crm/v3/...") with a token."""

    def __init__(self, base: str, token: str | None):
        super().__init__()
        self.base = base
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def request(self, method, url, *args, **kwargs):
        return super().request(method, self.base + url if url.startswith("/") else url, *args, **kwargs)


def contact(portal, email: str, **properties) -> str:
    """Create a contact directly in the portal; its id."""
    created = portal.backend.create("contacts", {"email": email, **properties})
    return str(created.id)


CONTACT_ACTION = 'object_type = "CONTACT"\n'


def write_action(root: Path, code: str, manifest: str = CONTACT_ACTION, helpers: dict | None = None) -> tuple[Path, Path]:
    """(root/actions/demo, root/helpers): a tiny action with code and manifest, and a helpers
    folder holding each module given as {name: code}; code is dedented, so tests may indent it."""
    folder = root / "actions" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "action.py").write_text(textwrap.dedent(code))
    (folder / "action.toml").write_text(manifest)
    helpers_dir = root / "helpers"
    helpers_dir.mkdir(exist_ok=True)
    for module, text in (helpers or {}).items():
        (helpers_dir / f"{module}.py").write_text(textwrap.dedent(text))
    return folder, helpers_dir


@dataclasses.dataclass
class InnerRun:
    """What a pytest run inside this process did: its exit code, each test's outcome by node id
    ("passed", "failed", "skipped"; a failed setup counts as failed) and its output."""
    exit_code: int
    outcomes: dict[str, str]
    output: str


def pytest_in_process(*args: str, cwd: Path) -> InnerRun:
    """pytest over `args` (as typed after `pytest`) from `cwd`, run in this process, as
    pytester's runpytest_inprocess does: no interpreter start, and the toolkit and its plugins
    are imported already, so it costs seconds less than `python -m pytest` while running the
    same plugin, fixtures and tests. sys.modules, sys.path and the working directory are as
    they were afterwards. The end-to-end tests of each command keep their subprocess."""
    import io
    import os
    import sys
    from contextlib import redirect_stderr, redirect_stdout

    import pytest

    class Outcomes:
        def __init__(self):
            self.seen: dict[str, str] = {}

        def pytest_runtest_logreport(self, report):
            if report.when == "call" or report.outcome != "passed":
                if self.seen.get(report.nodeid) != "failed":      # a failed teardown after a pass
                    self.seen[report.nodeid] = report.outcome

    recorder, output = Outcomes(), io.StringIO()
    modules, path, here = dict(sys.modules), list(sys.path), os.getcwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(output), redirect_stderr(output):
            code = pytest.main(["-p", "no:cacheprovider", *args], plugins=[recorder])
    finally:
        os.chdir(here)
        sys.path[:] = path
        sys.modules.clear()
        sys.modules.update(modules)
    return InnerRun(int(code), recorder.seen, output.getvalue())


def command_line(process) -> str:
    """A psutil process's command line; "" for one that ended, or is a zombie, as it was looked
    at (the sandbox's set-up makes short-lived processes)."""
    import psutil

    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""
