"""Fixtures of the CLI's tests: the CLI's main() run in this process (run_cli), and the portal
its runs get."""
import io
import signal
import sys

import pytest

from hs_actions.cli import main
from hs_actions.core import project


@pytest.fixture(scope="module")
def portal_db(tmp_path_factory):
    """Runs get a portal of their own, never the developer's .hs-actions/portal.sqlite3."""
    return tmp_path_factory.mktemp("cli-portal") / "portal.sqlite3"


@pytest.fixture
def run_cli(portal_db, capsys, monkeypatch):
    """run_cli(*args, stdin=, env=) -> (exit code, stdout, stderr) of the CLI's main() in this
    process: what it parses and prints, without starting Python again (a process of its own
    costs 0.1-0.2 s of CPU more per command, kept for each command's end-to-end test)."""
    def run(*args, stdin=None, env=None):
        if args[0] == "run" and "--portal-db" not in args:
            args = (*args, "--portal-db", portal_db)
        capsys.readouterr()
        with monkeypatch.context() as patch:
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            patch.setattr(sys, "stdin", io.StringIO(stdin or ""))
            patch.chdir(project.current().root)
            sigterm = signal.getsignal(signal.SIGTERM)   # main() makes SIGTERM exit: this process's is kept
            try:
                code = main([str(a) for a in args])
            except SystemExit as exit:                   # argparse's usage errors
                code = exit.code
            finally:
                signal.signal(signal.SIGTERM, sigterm)
        out, err = capsys.readouterr()
        return code, out, err
    return run
