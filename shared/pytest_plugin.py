"""pytest fixtures for action tests: `run_action` runs an action as HubSpot would.

    def test_scores_hot_leads(run_action):
        result = run_action("lead_score", inputs={"job_title": "CTO"}, secrets={"TOKEN": "x"})
        assert result.status == "success"
        assert result.outputs["tier"] == "hot"

Registered through the `pytest11` entry point, so any pytest in the toolkit's environment
has it. One harness serves the whole session: each action gets a zygote that forks every
run, so runs stay isolated but cost milliseconds.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest


def pytest_addoption(parser) -> None:
    group = parser.getgroup("hs-actions")
    group.addoption(
        "--hs-actions-code", action="append", default=[], metavar="NAME=PATH",
        help="run PATH in place of actions/NAME/action.py (how bundles are verified)",
    )
    group.addoption(
        "--hs-actions-mode", choices=("fork", "spawn"), default="fork",
        help="fork runs from a per-action zygote (default), or spawn a fresh interpreter per run",
    )


@pytest.fixture(scope="session")
def hs_actions_harness(request):
    """The session's Harness (runtime interpreter and runner)."""
    from shared.harness import Harness

    harness = Harness(mode=request.config.getoption("--hs-actions-mode"))
    yield harness
    harness.close()


@pytest.fixture
def run_action(hs_actions_harness, request):
    """run_action(action, **options) -> Result; options as for Harness.run (event, inputs,
    secrets, object_id, timeout, memory, warm, ...)."""
    from shared.errors import ToolkitError
    from shared.harness import Action, load_action

    replacements = {}
    for item in request.config.getoption("--hs-actions-code"):
        name, sep, path = item.partition("=")
        if not sep:
            raise pytest.UsageError(f"--hs-actions-code {item!r}: write it as NAME=PATH")
        replacements[name] = Path(path).resolve()

    # A test beside an action.py names actions relative to that action's own actions/ folder.
    here = Path(str(request.path)).parent
    actions_dir = here.parent if (here / "action.py").is_file() else None

    def run(action, **options):
        if isinstance(action, Action):
            loaded = action
        else:
            loaded = load_action(action, actions_dir) if actions_dir else load_action(action)
        if loaded.name in replacements:
            if not replacements[loaded.name].is_file():
                raise ToolkitError(f"--hs-actions-code: {replacements[loaded.name]} does not exist")
            loaded = dataclasses.replace(loaded, code_file=replacements[loaded.name])
        return hs_actions_harness.run(loaded, **options)

    return run
