"""pytest fixtures for action tests: `run_action` runs an action as HubSpot would, against
`portal`, HubSpot's API on this machine.

    def test_archives_the_contact(run_action, portal):
        portal.add_token("t", ["crm.objects.contacts.read", "crm.objects.contacts.write"])
        portal.seed({"records": {"contacts": [{"id": "501", "properties": {"email": "a@b.co"}}]}})
        result = run_action("archive_contact", object_id=501, secrets={"TEST_SECRET": "t"})
        assert result.status == "success"
        portal.assert_requested("DELETE", "/crm/v3/objects/contacts/501", status=204)

Registered through the `pytest11` entry point, so any pytest in the toolkit's environment
has it. One harness and one portal (in memory, served on a free port) serve the whole
session; the portal is emptied before each test that runs an action. Each action gets a
zygote that forks every run, so runs stay isolated but cost milliseconds.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
from pathlib import Path

import pytest


def pytest_addoption(parser) -> None:
    group = parser.getgroup("hs-actions")
    group.addoption(
        "--hs-actions-code", action="append", default=[], metavar="NAME=PATH",
        help="run PATH in place of actions/NAME/action.py (how bundles are verified)",
    )
    group.addoption(
        "--hs-snapshot-update", action="store_true", default=False,
        help="write the hs_snapshot snapshots that are missing or differ, instead of failing the tests",
    )
    group.addoption(
        "--hs-actions-mode", choices=("fork", "spawn"), default="fork",
        help="fork runs from a per-action zygote (default), or spawn a fresh interpreter per run",
    )


@pytest.fixture(scope="session")
def hs_actions_portal():
    """The session's local portal (in memory), served on a free port."""
    from hs_actions.portal.portal import Portal

    served = Portal(db=":memory:")
    served.serve()
    yield served
    served.close()


@pytest.fixture(scope="session")
def hs_actions_harness(request, hs_actions_portal):
    """The session's Harness (runtime interpreter, runner, portal)."""
    from hs_actions.harness import Harness

    harness = Harness(mode=request.config.getoption("--hs-actions-mode"), portal=hs_actions_portal)
    yield harness
    harness.close()


@pytest.fixture
def portal(hs_actions_portal):
    """The local portal, emptied for this test: seed it, add tokens, force failures, inspect
    records and assert the requests actions made."""
    hs_actions_portal.reset()
    return PortalFixture(hs_actions_portal)


class PortalFixture:
    """The session's Portal, plus assertions that explain themselves."""

    def __init__(self, portal):
        self._portal = portal

    def __getattr__(self, name):
        return getattr(self._portal, name)

    def assert_requested(self, method: str, path: str, *, status: int | None = None,
                         times: int | None = None) -> list[dict]:
        """The logged requests matching METHOD and the `path` regex (and status); on a miss,
        an AssertionError listing the most similar requests that were made. The log shows a
        run's secret values as [secret NAME]: match them with re.escape("[secret NAME]")."""
        made = self._portal.requests()
        hits = [r for r in made if r["method"] == method.upper() and re.fullmatch(path, r["path"])
                and (status is None or r["status"] == status)]
        if hits and (times is None or len(hits) == times):
            return hits
        wanted = f"{method.upper()} {path}" + (f" -> {status}" if status else "")
        seen = [f"{r['method']} {r['path']} -> {r['status']}" for r in made]
        similar = difflib.get_close_matches(wanted, seen, n=5, cutoff=0.0)
        count = f"{len(hits)} time(s), expected {times}" if hits else "never"
        listing = "\n".join(f"  {line}" for line in similar) or "  (no requests at all)"
        raise AssertionError(self._portal.masked(
            f"{wanted} was requested {count}. Most similar of the {len(made)} requests made:\n{listing}"))


@pytest.fixture
def run_action(hs_actions_harness, portal, request):
    """run_action(action, **options) -> Result; options as for Harness.run (event, inputs,
    secrets, object_id, timeout, memory, warm, budget, ...). A run over the [budget] of its
    action.toml fails the test there, naming each budget and by how much; budget=False runs it
    without judging (a test of a deliberately heavy input). run_action.retry_check(action,
    object_id, **options) -> RetryCheck: whether HubSpot's retry of a rate-limited run repeats a
    write."""
    from hs_actions.core.errors import ToolkitError
    from hs_actions.harness import Action, load_action

    replacements = {}
    for item in request.config.getoption("--hs-actions-code"):
        name, sep, path = item.partition("=")
        if not sep:
            raise pytest.UsageError(f"--hs-actions-code {item!r}: write it as NAME=PATH")
        replacements[name] = Path(path).resolve()

    # A test beside an action.py names actions relative to that action's own actions/ folder.
    here = Path(str(request.path)).parent
    actions_dir = here.parent if (here / "action.py").is_file() else None

    def loaded(action):
        if isinstance(action, Action):
            found = action
        else:
            found = load_action(action, actions_dir) if actions_dir else load_action(action)
        if found.name in replacements:
            if not replacements[found.name].is_file():
                raise ToolkitError(f"--hs-actions-code: {replacements[found.name]} does not exist")
            found = dataclasses.replace(found, code_file=replacements[found.name])
            _REPLACED_RUNS[found.name] = _REPLACED_RUNS.get(found.name, 0) + 1
        return found

    def run(action, **options):
        found = loaded(action)
        result = hs_actions_harness.run(found, **options)
        if result.status == "over_budget":
            pytest.fail(f"{found.name}: over its [budget] in action.toml\n" +
                        "\n".join(f"  - {overrun}" for overrun in result.budget_errors), pytrace=False)
        return result

    def retry_check(action, object_id, **options):
        """Is `action` safe to retry for record `object_id` (or each of a list of ids)? Runs it
        clean, then with a 429 on each API call in turn followed by HubSpot's retry, and
        compares the portal's final states; the portal is left as it was. Returns a RetryCheck:
        `assert check.retry_safe, check.explain()`. Options as for run_action."""
        from hs_actions.simulate.retry_check import check

        ids = list(object_id) if isinstance(object_id, (list, tuple)) else [object_id]
        if not ids:   # nothing checked must not read as "not retry safe" (nor as safe)
            raise pytest.UsageError("run_action.retry_check: give a record id, or a list of at least one")
        return check(hs_actions_harness, hs_actions_harness.portal, loaded(action), ids, options)

    run.retry_check = retry_check
    yield run
    hs_actions_harness.cool()  # warm reuse lasts one test: tests must not depend on their order


@pytest.fixture
def hs_snapshot(request):
    """hs_snapshot(result): compare the run's status, outputs and API calls (method, path,
    query, body) with __snapshots__/<test file>/<test>.json beside the test, ids the portal
    assigned and the run's own times normalised (hs_actions/harness/snapshot.py). A snapshot
    missing or different fails the test with a diff; `pytest --hs-snapshot-update` writes it."""
    from hs_actions.harness import snapshot

    update = request.config.getoption("--hs-snapshot-update")
    taken = []

    def compare(result) -> None:
        taken.append(result)
        path = snapshot.path_for(Path(str(request.path)), request.node.name, len(taken))
        written, problem = snapshot.check(path, snapshot.document(result), update)
        _SNAPSHOTS_WRITTEN.extend([path] if written else [])
        if problem:
            pytest.fail(problem, pytrace=False)

    return compare


_SNAPSHOTS_WRITTEN: list[Path] = []
# Runs per action that used --hs-actions-code: a bundle no test ran is not verified.
_REPLACED_RUNS: dict[str, int] = {}


@pytest.hookimpl(optionalhook=True)   # pytest-xdist's hook: absent without it
def pytest_testnodedown(node, error) -> None:
    """Under pytest-xdist, the controller reports what its workers did: their snapshots written
    and their runs of code given by --hs-actions-code (pytest_sessionfinish sends them)."""
    done = getattr(node, "workeroutput", {})
    _SNAPSHOTS_WRITTEN.extend(Path(p) for p in done.get("hs_actions_snapshots_written", []))
    for name, runs in done.get("hs_actions_replaced_runs", {}).items():
        _REPLACED_RUNS[name] = _REPLACED_RUNS.get(name, 0) + runs


def pytest_terminal_summary(terminalreporter) -> None:
    if _SNAPSHOTS_WRITTEN:
        terminalreporter.write_line(f"hs-actions: {len(_SNAPSHOTS_WRITTEN)} snapshot(s) written (--hs-snapshot-update)")



def pytest_sessionfinish(session, exitstatus) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:   # an xdist worker: its controller reports (pytest_testnodedown)
        workeroutput["hs_actions_snapshots_written"] = [str(p) for p in _SNAPSHOTS_WRITTEN]
        workeroutput["hs_actions_replaced_runs"] = dict(_REPLACED_RUNS)
        return
    names = [item.partition("=")[0] for item in session.config.getoption("--hs-actions-code")]
    unused = [name for name in names if not _REPLACED_RUNS.get(name)]
    if unused and exitstatus == 0:
        session.config.get_terminal_writer().line(
            f"hs-actions: no test ran {', '.join(unused)} through run_action, so the code given by "
            "--hs-actions-code was never run: nothing was verified", red=True)
        session.exitstatus = 1
