"""Fixtures of the CLI's tests: the CLI's main() run in this process (run_cli), and the portal
its runs get."""
import pytest


@pytest.fixture(scope="module")
def portal_db(tmp_path_factory):
    """Runs get a portal of their own, never the developer's .hs-actions/portal.sqlite3."""
    return tmp_path_factory.mktemp("cli-portal") / "portal.sqlite3"


@pytest.fixture
def run_cli(portal_db, cli_main):
    """run_cli(*args, stdin=, env=) -> (exit code, stdout, stderr): cli_main (tests/conftest.py),
    with `run` given this module's portal unless the arguments name one."""
    def run(*args, stdin=None, env=None):
        if args[0] == "run" and "--portal-db" not in args:
            args = (*args, "--portal-db", portal_db)
        return cli_main(*args, stdin=stdin, env=env)
    return run
