"""Fixtures every folder of the toolkit's tests uses: action folders made on the fly, and the
toolkit's own portals. Each folder's conftest.py holds what only its tests use."""
import os
import textwrap
from pathlib import Path

import pytest

from tests.support import ACCOUNT_TOKEN, TOKEN, Api


def pytest_configure(config):
    """The toolkit's tests work on this repository's project wherever a test changes directory
    to (tests of finding a project unset it)."""
    os.environ["HS_ACTIONS_PROJECT"] = str(Path(__file__).resolve().parents[1])
    # Registered by pytest-xdist too; here so that the suite runs (one process) without it.
    config.addinivalue_line("markers", "xdist_group(name): tests that share a worker under --dist loadgroup")


# Plugins the pytest runs these tests start (verify, `hs-actions test`, ...) never use: those of
# the toolkit's own test tools (dev extras, which a team's environment does not have), and the
# fixtures of Faker (a dependency, for anonymize) and anyio, which no action's test takes. Those
# runs run actions' tests; importing the plugins cost each of them about 0.85 s of CPU (Faker's
# alone 0.15 s). (scripts/test blocks the same for its `hs-actions bundle --all`.)
NESTED_RUNS_UNUSED_PLUGINS = ("schemathesis", "hypothesispytest", "faker", "anyio")


@pytest.fixture(scope="session", autouse=True)
def nested_pytest_without_unused_plugins():
    """PYTEST_ADDOPTS for the pytest processes tests start. Set once the session runs, not at
    configure time: pytest-xdist's workers (started before) must still load every plugin."""
    with pytest.MonkeyPatch.context() as patch:
        blocked = " ".join(f"-p no:{name}" for name in NESTED_RUNS_UNUSED_PLUGINS)
        patch.setenv("PYTEST_ADDOPTS", f"{os.environ.get('PYTEST_ADDOPTS', '')} {blocked}".strip())
        yield


# The toolkit's own portals. Named apart from the plugin's `portal` (seeded, for action tests):
# `empty_portal` starts every test empty but for TOKEN, with no rate limit (tests of rate
# limits choose a tier); `hubspot_client` is the official client and `portal_api` raw requests
# against it; `account_portal` is a second portal playing the real HubSpot account.

@pytest.fixture(scope="session")
def empty_portal_session():
    from hs_actions.portal.portal import Portal

    portal = Portal(db=":memory:")
    portal.serve()
    yield portal
    portal.close()


@pytest.fixture
def empty_portal(empty_portal_session):
    from hs_actions.portal.portal import ALL_SCOPES

    empty_portal_session.reset()
    empty_portal_session.rate_limit("unlimited")
    empty_portal_session.add_token(TOKEN, ALL_SCOPES, name="test")
    return empty_portal_session


@pytest.fixture
def hubspot_client(empty_portal):
    from hubspot import HubSpot

    return HubSpot(access_token=TOKEN, host=empty_portal.server.url)


@pytest.fixture
def portal_api(empty_portal):
    with Api(empty_portal.server.url, TOKEN) as session:
        yield session


@pytest.fixture(scope="session")
def account_portal_session():
    from hs_actions.portal.portal import Portal

    account = Portal(db=":memory:", portal_id=7654321)
    account.serve()
    yield account
    account.close()


@pytest.fixture
def account_portal(account_portal_session, monkeypatch):
    """The real HubSpot account, played by a second portal: empty but for ACCOUNT_TOKEN (every
    scope), and named by HS_ACTIONS_API_BASE and HUBSPOT_ACCESS_TOKEN as the account commands
    read them."""
    from hs_actions.portal.portal import ALL_SCOPES

    account_portal_session.reset()
    account_portal_session.rate_limit("unlimited")
    account_portal_session.add_token(ACCOUNT_TOKEN, ALL_SCOPES, name="account")
    monkeypatch.setenv("HS_ACTIONS_API_BASE", account_portal_session.server.url)
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", ACCOUNT_TOKEN)
    return account_portal_session


@pytest.fixture(scope="session")
def seeded_portal_file(tmp_path_factory):
    """A portal file as the first `hs-actions run` on it leaves it (the default seed and the
    local token), made once per session (per xdist worker): read it only through
    seeded_portal_db's copies."""
    from hs_actions.portal import commands

    path = tmp_path_factory.mktemp("seeded-portal") / "portal.sqlite3"
    commands.open_local(path).close()
    return path


@pytest.fixture
def seeded_portal_db(seeded_portal_file, tmp_path):
    """tmp_path/portal.sqlite3 for --portal-db: this test's own copy of a portal file the first
    run has seeded. Runs find it seeded, as every run after a project's first does: copying
    costs milliseconds, seeding a fresh file about 0.2 s of CPU per command. Tests of the
    first run's seeding give a path that does not exist yet."""
    import sqlite3

    copy = tmp_path / "portal.sqlite3"
    source, target = sqlite3.connect(seeded_portal_file), sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return copy


MANIFEST = """\
object_type = "CONTACT"
secrets = []
[outputs]
"""


@pytest.fixture
def make_action(tmp_path):
    """make_action(code, manifest=...) -> path of a fresh action folder holding them."""
    counter = iter(range(1000))

    def make(code: str, manifest: str = MANIFEST, name: str | None = None, events: dict | None = None) -> Path:
        folder = tmp_path / (name or f"action_{next(counter)}")
        folder.mkdir()
        (folder / "action.py").write_text(textwrap.dedent(code))
        (folder / "action.toml").write_text(textwrap.dedent(manifest))
        for event_name, text in (events or {}).items():
            (folder / "events").mkdir(exist_ok=True)
            (folder / "events" / f"{event_name}.json").write_text(text)
        return folder

    return make


@pytest.fixture
def cli_main(capfd, monkeypatch):
    """cli_main(*args, env=None, cwd=None, stdin=None) -> (exit code, stdout, stderr) of
    `hs-actions ARGS` run by the CLI's main() in this process, from the project's root unless
    `cwd`, with `env` set (a None value unsets it) and `stdin` (text) as its standard input.
    The output is read at the file descriptors, so what the run's own processes write is in it,
    as in a process of its own; without starting Python and importing the toolkit again (0.2 s
    of CPU a command). Each command keeps an end-to-end test in a process of its own
    (`python -m hs_actions.cli`)."""
    import io
    import signal
    import sys

    from hs_actions.cli import main
    from hs_actions.core import project

    def run(*args, env: dict | None = None, cwd: Path | None = None, stdin: str | None = None) -> tuple[int, str, str]:
        capfd.readouterr()
        with monkeypatch.context() as patch:
            for name, value in (env or {}).items():
                if value is None:
                    patch.delenv(name, raising=False)
                else:
                    patch.setenv(name, value)
            patch.chdir(cwd or project.current().root)
            patch.setattr(sys, "stdin", io.StringIO(stdin or ""))
            sigterm = signal.getsignal(signal.SIGTERM)   # main() makes SIGTERM exit: this process's is kept
            try:
                code = main([str(a) for a in args])
            except SystemExit as exit:                   # argparse's usage errors
                code = exit.code
            finally:
                signal.signal(signal.SIGTERM, sigterm)
                sys.stdout.flush()
                sys.stderr.flush()
        out, err = capfd.readouterr()
        return code, out, err

    return run
