"""Every run in a sandbox where the machine allows one, and every report says which isolation
the run had; the fallback (the in-process guard) can be forced, and is reported as such."""
import json
import os
import subprocess
import sys

import psutil
import pytest

from hs_actions.core import project
from hs_actions.harness import Harness, runtime

SEEN = 'object_type = "CONTACT"\n[outputs]\nseen = "string"\n'
INSIDE = """
import json, os, socket

def main(event):
    seen = {"root": sorted(os.listdir("/")), "proc": sorted(p for p in os.listdir("/proc") if p.isdigit()),
            "interfaces": [name for _, name in socket.if_nameindex()], "tmp_before": sorted(os.listdir("/tmp"))}
    with open("/proc/self/status") as status:
        seen["capabilities"] = [line.split()[1] for line in status if line.startswith("CapEff")][0]
    try:
        open("/written-in-root", "w").close()
        seen["root_writable"] = True
    except OSError as error:
        seen["root_writable"] = error.strerror
    with open("/tmp/left-by-a-run", "w") as f:
        f.write("x")
    return {"outputFields": {"seen": json.dumps(seen)}}
"""


def test_the_sandbox_shows_a_run_only_its_own_world(run_action, make_action, sandbox_problem):
    if sandbox_problem:
        pytest.skip(f"runs get no sandbox here: {sandbox_problem}")
    folder = make_action(INSIDE, SEEN)
    first, second = (json.loads(run_action(folder).outputs["seen"]) for _ in range(2))
    assert first["proc"] == ["1", "2"]                 # its supervisor and itself
    assert first["interfaces"] == ["lo"]
    assert first["capabilities"] == "0000000000000000"
    assert first["root_writable"] == "Read-only file system"
    # The host's programs and libraries, and the folders that lead to the runtime, the action
    # and the repository's helpers: nothing else of the machine.
    shown = subprocess.run([str(runtime.current().python), "-c", "import sys; print('\\n'.join([sys.prefix, "
                            "sys.base_prefix, sys.executable, *sys.path]))"], capture_output=True, text=True).stdout
    tops = {p.split("/")[1] for p in [*shown.split(), str(project.current().root), str(folder)] if p.startswith("/")}
    system = {name for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32", "usr") if os.path.lexists("/" + name)}
    assert set(first["root"]) == system | tops | {"dev", "etc", "proc", "tmp"}
    assert "left-by-a-run" not in second["tmp_before"]  # each cold run has its own empty /tmp


NAMESPACES = """
import ctypes, json, os

def main(event):
    libc = ctypes.CDLL(None, use_errno=True)
    tried = {}
    for name, flag in (("user", 0x10000000), ("mount", 0x00020000), ("net", 0x40000000)):
        tried[name] = 0 if libc.unshare(flag) == 0 else os.strerror(ctypes.get_errno())
    return {"outputFields": {"seen": json.dumps(tried)}}
"""


def test_the_action_can_make_no_namespaces_of_its_own(run_action, make_action, sandbox_problem):
    # In a user namespace of its own it would hold capabilities again (enough to mount a
    # cgroup hierarchy and lift its limits); without capabilities, no other namespace either.
    if sandbox_problem:
        pytest.skip(f"runs get no sandbox here: {sandbox_problem}")
    result = run_action(make_action(NAMESPACES, SEEN))
    assert result.ok, result.error
    assert json.loads(result.outputs["seen"]) == {
        "user": "No space left on device", "mount": "Operation not permitted", "net": "Operation not permitted"}


def test_warm_runs_keep_their_tmp(run_action, make_action, sandbox_problem):
    if sandbox_problem:
        pytest.skip(f"runs get no sandbox here: {sandbox_problem}")
    folder = make_action(INSIDE, SEEN)
    first, second = (json.loads(run_action(folder, warm=True).outputs["seen"]) for _ in range(2))
    assert "left-by-a-run" not in first["tmp_before"]
    assert "left-by-a-run" in second["tmp_before"]      # as a reused HubSpot container keeps /tmp


def test_every_report_says_which_isolation_the_run_had(make_action, seeded_portal_db, sandbox_problem, process_limit,
                                                       cli_main):
    folder = make_action("def main(event):\n    return {'outputFields': {}}\n")
    _, out, _ = cli_main("run", folder, "--json", "--portal-db", seeded_portal_db)
    isolation = json.loads(out)["isolation"]
    _, human, _ = cli_main("run", folder, "--portal-db", seeded_portal_db)
    if sandbox_problem:
        assert isolation["sandbox"] == "none" and isolation["reason"]
        assert human.splitlines()[2].startswith(f"        sandbox: none ({isolation['reason']}): in-process network guard only")
    else:
        assert isolation["sandbox"] == "namespaces" and isolation["reason"] is None
        assert human.splitlines()[2].startswith("        sandbox: own user, pid, mount, network, IPC, UTS and cgroup namespaces; memory limit by ")
    processes = f"; process limit by {isolation['processes']}" if isolation["processes"] else ""
    assert human.splitlines()[2].endswith(f"memory limit by {isolation['memory']}{processes}")
    assert isolation["processes"] == process_limit


NETWORK = 'object_type = "CONTACT"\nsecrets = ["TOKEN"]\n[outputs]\nerror = "string"\n'
CALLS_AND_CONNECTS = """
import os, socket, requests

def main(event):
    requests.get("https://api.hubapi.com/crm/v3/owners/", headers={"Authorization": "Bearer " + os.environ["TOKEN"]},
                 timeout=5)
    try:
        socket.create_connection(("example.com", 443), timeout=2)
    except ConnectionRefusedError as error:
        return {"outputFields": {"error": str(error)}}
"""


def test_the_fallback_can_be_forced_and_says_so(make_action, portal):
    portal.add_token("fallback-token")
    with Harness(mode="spawn", portal=portal, sandbox="off") as harness:
        result = harness.run(make_action(CALLS_AND_CONNECTS, NETWORK), secrets={"TOKEN": "fallback-token"})
    assert result.ok, result.error
    assert result.isolation == {"sandbox": "none", "memory": "sampling every 5 ms", "processes": None,
                                "reason": "turned off (HS_ACTIONS_SANDBOX=off or the sandbox setting)"}
    assert [c["path"] for c in result.api_calls] == ["/crm/v3/owners/"]
    assert result.outputs["error"].startswith("hs-actions: this run may not connect to example.com.")


def test_the_cli_falls_back_when_told_to(make_action, seeded_portal_db, cli_main):
    folder = make_action("def main(event):\n    return {'outputFields': {}}\n")
    code, out, _ = cli_main("run", folder, "--json", "--portal-db", seeded_portal_db, env={"HS_ACTIONS_SANDBOX": "off"})
    assert code == 0
    assert json.loads(out)["isolation"]["sandbox"] == "none"


def test_setup_says_what_isolation_runs_get(process_limit, cli_main):
    auto = {"HS_ACTIONS_SANDBOX": "auto"}
    problem = subprocess.run([sys.executable, "-c", "from hs_actions.harness import sandbox; print(sandbox.probe() or '')"],
                             capture_output=True, text=True, env={**os.environ, **auto}).stdout.strip()
    code, out, _ = cli_main("setup", env=auto)
    assert code == 0
    if problem:
        assert f"sandbox: not available ({problem})" in out and "\n  to enable it: " in out
    else:
        assert "\nsandbox: ready: each run gets its own user, pid, mount, network, IPC, UTS and cgroup namespaces\n" in out
    assert "\nmemory limit: " in out
    if process_limit == "RLIMIT_NPROC":
        assert "\nprocess limit: 1,024 by RLIMIT_NPROC (no pids cgroup could be made here)" in out
    elif process_limit:
        assert f"\nprocess limit: 1,024 by the kernel ({process_limit})" in out
    code, out, _ = cli_main("setup", env={"HS_ACTIONS_SANDBOX": "off"})
    assert "sandbox: not available (turned off (HS_ACTIONS_SANDBOX=off or the sandbox setting))" in out


def test_an_unknown_sandbox_setting_is_refused(make_action, seeded_portal_db, cli_main):
    code, _, err = cli_main("run", make_action("def main(event):\n    return {'outputFields': {}}\n"),
                            "--portal-db", seeded_portal_db, env={"HS_ACTIONS_SANDBOX": "maybe"})
    assert code == 2
    assert err.strip() == ("hs-actions: sandbox = 'maybe' (pyproject.toml [tool.hs-actions] or HS_ACTIONS_SANDBOX): "
                           "give one of auto, off, required")


DETACH = "import subprocess\ndef main(event):\n    subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
GROW = "def main(event):\n    b = bytearray(80 * 1024 * 1024)\n    b[::4096] = b'x' * len(b[::4096])\n"


def test_without_the_sandbox_limits_and_processes_are_still_enforced(make_action):
    with Harness(mode="fork", sandbox="off") as harness:
        left = harness.run(make_action(DETACH))
        over = harness.run(make_action(GROW), memory=60)
        late = harness.run(make_action("import time\ndef main(event):\n    time.sleep(5)\n"), timeout=0.5)
    assert left.isolation["memory"] == "sampling every 5 ms"
    pid = int(next(w for w in left.warnings if "left 1 process(es)" in w).split("(")[2].split(":")[0])
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert (over.status, over.error.type) == ("memory", "MemoryLimitExceeded")
    assert late.status == "timeout" and 500 <= late.duration_ms < 2000
