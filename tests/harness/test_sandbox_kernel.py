"""The host's kernel settings, System V IPC, keyrings and host name are not the action's, as
root or not (attack class: kernel). Each attack runs through the CLI and run_action."""
import ctypes
import json
import os
import platform
import re

import pytest

SEEN = 'object_type = "CONTACT"\n[inputs]\nneedle = { value = "" }\n[outputs]\nseen = "string"\n'

KERNEL_SETTINGS = """
import ctypes, json, os, socket

def main(event):
    seen = {"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(), "hostname": socket.gethostname()}
    for path in ("/proc/sys/kernel/core_pattern", "/proc/sys/kernel/hostname", "/proc/sys/vm/drop_caches",
                 "/proc/sysrq-trigger"):
        try:
            open(path, "w").close()
            seen[path] = "opened for writing"
        except OSError as error:
            seen[path] = error.strerror
    libc = ctypes.CDLL(None, use_errno=True)
    name = b"taken-over"
    seen["sethostname"] = 0 if libc.sethostname(name, len(name)) == 0 else os.strerror(ctypes.get_errno())
    seen["ptrace"] = 0 if libc.ptrace(0, 0, None, None) == 0 else os.strerror(ctypes.get_errno())  # TRACEME
    with open("/proc/self/cgroup") as f:
        seen["cgroup"] = [line.split(":", 2)[2].strip() for line in f]
    return {"outputFields": {"seen": json.dumps(seen)}}
"""


def test_the_hosts_kernel_settings_and_name_are_not_the_actions(attack, make_action):
    report = attack(make_action(KERNEL_SETTINGS, SEEN))
    assert report["status"] == "success", report["error"]
    seen = json.loads(report["outputFields"]["seen"])
    if os.geteuid() == 0:  # the toolkit's root is not the action's: it runs as Lambda's sbx_user1051
        assert (seen["uid"], seen["gid"], seen["groups"]) == (993, 993, [])
    else:
        assert seen["uid"] == os.getuid()
    for path in ("/proc/sys/kernel/core_pattern", "/proc/sys/kernel/hostname", "/proc/sys/vm/drop_caches",
                 "/proc/sysrq-trigger"):
        assert seen[path] in ("Read-only file system", "Permission denied", "No such file or directory"), path
    assert seen["hostname"] == "sandbox"
    assert seen["sethostname"] == "Operation not permitted"
    assert seen["ptrace"] == "Operation not permitted"     # the seccomp filter's answer
    # Its own cgroup namespace: the toolkit's cgroups are not named inside.
    own = {line.split(":", 2)[2].strip() for line in open("/proc/self/cgroup")} - {"/"}
    assert not [path for path in seen["cgroup"] if any(path.startswith(mine) for mine in own)], seen["cgroup"]
    # The run's cgroups are named by a random token: their paths do not tell the toolkit's process id.
    assert not [path for path in seen["cgroup"] if str(attack.toolkit_pid) in re.split(r"[/-]", path)], seen["cgroup"]
    assert all(re.fullmatch(r"/|(/\.\.)*/hs-actions-[0-9a-f]{12}/run-\d+", path) for path in seen["cgroup"]), seen["cgroup"]


SYSV = """
import ctypes, json, os

def main(event):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    seen = {}
    with open("/proc/sysvipc/shm") as f:
        seen["listed"] = [line.split()[1] for line in f.readlines()[1:]]
    wanted = int(event["inputFields"]["needle"] or 0)
    seen["host_segment"] = libc.shmget(wanted, 0, 0) if wanted else None
    left = libc.shmget(0x6873, 100 * 1024 * 1024, 0o1600)    # IPC_CREAT | 0600, left behind
    address = libc.shmat(left, None, 0)
    ctypes.memset(address, 1, 4096)
    seen["left"] = left >= 0
    with open("/proc/sysvipc/shm") as f:
        seen["listed_after"] = len(f.readlines()) - 1
    return {"outputFields": {"seen": json.dumps(seen)}}
"""
IPC_PRIVATE_KEY = 0x68736121


@pytest.fixture
def host_segment():
    """A mode-0600 shared-memory segment of the developer's session, with a known key."""
    libc = ctypes.CDLL(None, use_errno=True)
    segment = libc.shmget(IPC_PRIVATE_KEY, 4096, 0o1600)
    if segment < 0:
        pytest.skip(f"no System V shared memory here: {os.strerror(ctypes.get_errno())}")
    yield segment
    libc.shmctl(segment, 0, None)  # IPC_RMID


def _host_keys():
    with open("/proc/sysvipc/shm") as f:
        return {int(line.split()[0]) for line in f.readlines()[1:]}


def test_system_v_ipc_is_each_runs_own(attack, make_action, host_segment):
    folder = make_action(SYSV, SEEN)
    report = attack(folder, inputs={"needle": str(IPC_PRIVATE_KEY)})
    assert report["status"] == "success", report["error"]
    seen = json.loads(report["outputFields"]["seen"])
    assert seen["listed"] == [] and seen["host_segment"] == -1   # the developer's segment: not there
    assert seen["left"] and seen["listed_after"] == 1
    assert 0x6873 not in _host_keys()                             # nothing left on the host
    again = attack(folder)
    assert again["status"] == "success", again["error"]
    again = json.loads(again["outputFields"]["seen"])
    assert again["listed"] == []                                  # nor for the next run of the action


KEYRING = """
import ctypes, json, os

def main(event):
    libc = ctypes.CDLL(None, use_errno=True)
    seen = {}
    number = {"x86_64": 250, "aarch64": 219}[os.uname().machine]
    got = libc.syscall(number, 0, -3, 0)    # KEYCTL_GET_KEYRING_ID of the session keyring
    seen["keyctl"] = got if got >= 0 else os.strerror(ctypes.get_errno())
    try:
        with open("/proc/keys") as f:
            seen["found"] = event["inputFields"]["needle"] in f.read()
    except OSError as error:
        seen["found"] = error.strerror
    return {"outputFields": {"seen": json.dumps(seen)}}
"""


@pytest.fixture
def session_key():
    """A key in this process's session keyring, by description."""
    if platform.machine() not in ("x86_64", "aarch64"):
        pytest.skip("no keyctl numbers here")
    libc = ctypes.CDLL(None, use_errno=True)
    description = f"hs-actions-test-{os.getpid()}".encode()
    added = libc.syscall({"x86_64": 248, "aarch64": 217}[platform.machine()], b"user", description,
                         b"the developer's", 15, -3)
    if added < 0:
        pytest.skip(f"no session keyring here: {os.strerror(ctypes.get_errno())}")
    yield description.decode()
    libc.syscall({"x86_64": 250, "aarch64": 219}[platform.machine()], 21, added)  # KEYCTL_INVALIDATE


def test_the_developers_keyring_is_not_the_actions(attack, make_action, session_key):
    report = attack(make_action(KEYRING, SEEN), inputs={"needle": session_key})
    assert report["status"] == "success", report["error"]
    seen = json.loads(report["outputFields"]["seen"])
    assert seen["keyctl"] == "Operation not permitted"
    assert seen["found"] is not True
