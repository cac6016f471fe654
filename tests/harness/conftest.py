"""Fixtures of the harness's tests: attacks on the sandbox, run through the CLI and run_action."""
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def sandbox_problem():
    """Why this machine gives runs no sandbox (None when it does)."""
    from hs_actions.harness import sandbox

    return sandbox.probe()


@pytest.fixture(scope="session")
def run_cgroups():
    """The cgroups runs get here (closed again: only what was found is read), or None."""
    from hs_actions.harness import sandbox

    cgroups = sandbox.RunCgroups.find()
    if cgroups:
        cgroups.close()
    return cgroups


@pytest.fixture(scope="session")
def process_limit(sandbox_problem, run_cgroups):
    """How a sandboxed run's processes are limited here, as its report says: by a pids cgroup
    where one can be made (root, or a delegated cgroup v2), else by RLIMIT_NPROC."""
    from hs_actions.harness import sandbox

    if run_cgroups and run_cgroups.pids_root:
        return run_cgroups.describe_processes
    return None if sandbox_problem else sandbox.RLIMIT


class Attack:
    """An action that attacks the toolkit, run as a user would: `hs-actions run` or run_action."""

    def __init__(self, variant, run_action, tmp_path):
        self.variant = variant
        self.exit_code = None     # the CLI's
        self.toolkit_pid = os.getpid()   # the process that ran the last attack: this one, or the CLI's
        self.stderr = ""
        self._run_action = run_action
        self._tmp_path = tmp_path
        if variant == "cli":
            self.needle = f"HS_ACTIONS_CANARY=canary-{os.getpid()}-{id(self)}"
        else:  # a line of this process's own environment, as the kernel keeps it
            own = Path("/proc/self/environ").read_bytes().decode(errors="replace").split("\0")
            keep = {"PATH", "TZ", "LANG"}
            self.needle = next(line for line in own if "=" in line and line.partition("=")[0] not in keep)

    def __call__(self, folder, *, timeout=5.0, memory=None, inputs=None, allow_hosts=(), portal=None, secrets=None):
        """The run's report as --json prints it; fails the test if the run does not end within
        a bound (so that a toolkit that hangs fails, and nothing is left running). `secrets`
        reach the CLI through its environment, run_action as its argument."""
        inputs = inputs or {}
        secrets = secrets or {}
        if self.variant == "cli":
            args = [sys.executable, "-m", "hs_actions.cli", "run", str(folder), "--json", "--timeout", str(timeout),
                    "--portal-db", str(self._tmp_path / "portal.sqlite3")]
            args += [f"--input={k}={v}" for k, v in inputs.items()]
            args += [f"--allow-host={h}" for h in allow_hosts]
            if memory:
                args += ["--memory", str(memory)]
            name, _, value = self.needle.partition("=")
            cli = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, **secrets, name: value}, start_new_session=True)
            self.toolkit_pid = cli.pid
            try:
                out, self.stderr = cli.communicate(timeout=timeout + 30)
            except subprocess.TimeoutExpired:
                os.killpg(cli.pid, signal.SIGKILL)
                cli.communicate()
                pytest.fail(f"hs-actions run did not end within {timeout + 30:g} s")
            finally:
                _kill_group(cli.pid)
            self.exit_code = cli.returncode
            try:
                return json.loads(out)
            except ValueError:
                pytest.fail(f"hs-actions run exited {cli.returncode} without a report; stderr:\n{self.stderr}")
        box = {}

        def run():
            try:
                box["result"] = self._run_action(folder, timeout=timeout, memory=memory, inputs=inputs,
                                                 allow_hosts=tuple(allow_hosts), secrets=secrets)
            except BaseException as error:  # re-raised in the test
                box["error"] = error

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(timeout + 30)
        if thread.is_alive():
            pytest.fail(f"run_action did not end within {timeout + 30:g} s")
        if "error" in box:
            raise box["error"]
        return box["result"].to_dict()


def _kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


@pytest.fixture(params=["cli", "pytest"])
def attack(request, sandbox_problem, tmp_path):
    """attack(folder, ...) runs an attacking action through the CLI, then (second parameter)
    through run_action; skipped, saying why, where the machine gives runs no sandbox."""
    if sandbox_problem:
        pytest.skip(f"runs get no sandbox here: {sandbox_problem}")
    run_action = request.getfixturevalue("run_action") if request.param == "pytest" else None
    if request.param == "cli":
        request.getfixturevalue("seeded_portal_db")     # tmp_path/portal.sqlite3, the CLI's --portal-db
    return Attack(request.param, run_action, tmp_path)

