"""Every run in a sandbox the kernel enforces, where the machine allows it; what it gives.

A HubSpot execution sees its code, its ticked secrets and an empty /tmp; not the developer's
repository, environment or processes; nothing it starts outlives it; its limits are not its own
to lift. On Linux each action gets, from the first process the toolkit starts for it:

- a user namespace (no root, no setuid helper; when the toolkit runs as root, the action's uid
  maps to the host's nobody, so /proc/sys and host files judge it as nobody), IPC, UTS (host
  name "sandbox") and cgroup namespaces of its own, a network namespace with nothing but its own
  loopback, and a mount namespace whose root is a read-only tmpfs showing only the host's
  /usr and libraries, a few files of /etc, the runtime's Python, the action's code file and the
  repository's shared/ helpers: no repository, no home, no host /proc (inside/namespaces.py);
- a pid namespace whose pid 1 is the *supervisor* (inside/supervisor.py): it imports the
  action's libraries, forks one action process per run, which gets its own empty /tmp and
  System V IPC, a new session keyring, drops every capability (and may create no user
  namespace, where it would hold capabilities again) and installs a seccomp filter refusing
  what Lambda refuses (keyctl, ptrace, mount, bpf, perf_event_open, userfaultfd, io_uring). Its
  /proc shows the host-wide files (/proc/sys, ...) read-only and /proc/keys empty. It ends every other process of the namespace at once (kill(-1)) when the run ends.
  The kernel delivers pid 1 no signal from inside, so the action can neither stop nor kill it;
- one way out: two sockets on the sandbox's loopback, opened by the supervisor and handed to the
  toolkit, which alone accepts on them. One is HubSpot's API (the local portal, which logs each
  request with the run the socket belongs to: no header the action could forge); through the
  other, the toolkit connects to --allow-host hosts and nothing else;
- memory limited by a cgroup (v2, or v1's memory controller) for the run's whole process tree,
  which counts anonymous, file-backed, tmpfs and memfd pages; where none can be made, the
  toolkit samples resident memory as before;
- processes and threads limited by the cgroup's pids controller (pids.max) where it is
  delegated too; elsewhere by RLIMIT_NPROC, which the action process sets on itself (counted
  per user namespace since Linux 5.14). The cgroups are named by a random token, never the
  toolkit's process id: the action sees their paths in /proc/self/cgroup.

Why direct system calls rather than bubblewrap: the sandbox must cost next to nothing per run.
A hundred runs in one pytest session fork from a process that has imported the action's
libraries; bubblewrap can only exec a new program, which would pay an interpreter start-up and
those imports on every run, or need a setuid binary or namespaces of its own around a zygote
anyway. The calls (unshare, mount, pivot_root, prctl, capset) are in every Linux kernel since
4.x, reached from Python 3.9 with ctypes, and need nothing installed: pip cannot install
bubblewrap, and neither developer machines nor GitHub's ubuntu-latest have it by default.
The seccomp filter is twenty BPF instructions written in namespaces.py rather than a PyPI
binding (pyseccomp and the like wrap libseccomp.so): that code runs in HubSpot's runtime, which
has the standard library only, and libseccomp is not on every machine.
Building a root costs a few milliseconds once per action; each run pays one fork, an unshare
of its mount namespace and a cgroup, as it paid a fork before.

Where the kernel refuses (macOS, a container without user namespaces, Ubuntu 24.04's AppArmor
restriction) or the setting says "off", runs fall back to the in-process guard and every report
says so. `hs-actions setup` says what is missing and how to get it.
"""
from __future__ import annotations

import os
import secrets
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from hs_actions.core import project

MODES = ("auto", "off", "required")
# Processes and threads one run may have at once: AWS Lambda's limit per execution environment
# (HubSpot's runtime is Lambda's: "Task timed out after 20.02 seconds"). A fork or thread flood
# fails at it, as it would there, and the report says so.
PROCESS_LIMIT = 1024
RLIMIT = "RLIMIT_NPROC"        # how the process limit is enforced without a pids cgroup


def mode() -> str:
    """The `sandbox` setting: auto (use it where the kernel allows), off (always the
    in-process guard, e.g. to test that path) or required (refuse to run without it)."""
    value = str(project.settings()["sandbox"]).lower()
    if value not in MODES:
        from hs_actions.core.errors import ToolkitError
        raise ToolkitError(f"sandbox = {value!r} (pyproject.toml [tool.hs-actions] or HS_ACTIONS_SANDBOX): "
                           f"give one of {', '.join(MODES)}")
    return value


def probe() -> str | None:
    """None when this machine gives a run its namespaces, else why not (the kernel's words)."""
    if mode() == "off":
        return "turned off (HS_ACTIONS_SANDBOX=off or the sandbox setting)"
    if not sys.platform.startswith("linux"):
        return f"kernel namespaces are Linux's; this is {sys.platform}"
    from hs_actions.harness.inside import namespaces

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the forked child reports through the pipe
        os.close(read)
        try:
            namespaces.enter([])
            inner = os.fork()
            if inner == 0:
                namespaces.settle()
                os._exit(0)
            _, status = os.waitpid(inner, 0)
            if status:
                os.write(write, b"the sandbox's first process could not mount its /proc or new root")
        except BaseException as error:
            os.write(write, str(error).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as problems:
        problem = problems.read().decode()
    os.waitpid(pid, 0)
    return problem or None


def how_to_enable() -> str:
    """What to do on this machine for runs to get their sandbox."""
    if not sys.platform.startswith("linux"):
        return "nothing to do here: on macOS and Windows (WSL aside) runs use the in-process guard"
    checks = (
        ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1",
         "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0   (Ubuntu 23.10+, GitHub's ubuntu-latest)"),
        ("/proc/sys/kernel/unprivileged_userns_clone", "0", "sudo sysctl -w kernel.unprivileged_userns_clone=1"),
        ("/proc/sys/user/max_user_namespaces", "0", "sudo sysctl -w user.max_user_namespaces=15000"),
    )
    for path, blocking, fix in checks:
        try:
            if Path(path).read_text().strip() == blocking:
                return fix
        except OSError:
            continue
    return ("allow unprivileged user namespaces (in a container: run it with --security-opt "
            "seccomp=unconfined, or use the host)")


def summary() -> str:
    """What `hs-actions setup` says: the isolation runs get here, and how to get what is missing."""
    problem = probe()
    if problem is None:
        lines = ["sandbox: ready: each run gets its own user, pid, mount, network, IPC, UTS and cgroup namespaces"]
    else:
        lines = [f"sandbox: not available ({problem}): runs use the in-process network guard, and every report says so"]
        if mode() != "off":
            lines.append(f"  to enable it: {how_to_enable()}")
    cgroups = RunCgroups.find() if mode() != "off" else None
    if cgroups:
        lines.append(f"memory limit: enforced by the kernel ({cgroups.describe})")
        cgroups.close()
    else:
        lines.append("memory limit: sampled every 5 ms (no memory cgroup could be made here: on cgroup v2, "
                     "delegate one to this user, as README.md's Sandbox section shows)")
    if cgroups and cgroups.pids_root is not None:
        lines.append(f"process limit: {PROCESS_LIMIT:,} by the kernel ({cgroups.describe_processes})")
    elif problem is None:
        lines.append(f"process limit: {PROCESS_LIMIT:,} by {RLIMIT} (no pids cgroup could be made here)")
    return "\n".join(lines)


# ---- memory and processes: a cgroup per run ---------------------------------------------


@dataclass
class Cgroup:
    """One run's memory cgroup, and where its process count is limited (`pids`: the same
    folder on cgroup v2, the pids hierarchy's on v1; None without a pids controller). Every
    figure is in bytes; None where the kernel has no file."""

    path: Path
    version: int
    pids: Path | None = None
    _keeps_peak: bool | None = field(default=None, init=False, repr=False, compare=False)

    def _file(self, v1: str, v2: str) -> Path:
        return self.path / (v1 if self.version == 1 else v2)

    def limit(self, limit: int) -> None:
        self._file("memory.limit_in_bytes", "memory.max").write_text(str(limit))
        swap = self._file("memory.memsw.limit_in_bytes", "memory.swap.max")
        if swap.exists():  # no swapping past the limit either
            swap.write_text(str(limit) if self.version == 1 else "0")

    def limit_processes(self, count: int) -> None:
        (self.pids / "pids.max").write_text(str(count))

    def add(self, pid: int) -> None:
        for folder in dict.fromkeys(p for p in (self.path, self.pids) if p is not None):
            (folder / "cgroup.procs").write_text(str(pid))

    def usage(self) -> int:
        return int(self._file("memory.usage_in_bytes", "memory.current").read_text())

    def peak(self) -> int | None:
        try:
            return int(self._file("memory.max_usage_in_bytes", "memory.peak").read_text())
        except (OSError, ValueError):  # cgroup v2 before Linux 5.19: sampled usage only
            return None

    def keeps_peak(self) -> bool:
        """Whether the kernel keeps the highest usage (peak() is not None), asked once."""
        if self._keeps_peak is None:
            self._keeps_peak = self.peak() is not None
        return self._keeps_peak

    def oom_kills(self) -> int:
        text = self._file("memory.oom_control", "memory.events").read_text()
        for line in text.splitlines():
            name, _, value = line.partition(" ")
            if name == "oom_kill":
                return int(value)
        return 0

    def kill(self) -> None:
        """SIGKILL every process in it, until none is left."""
        for _ in range(100):
            pids = [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.001)

    def remove(self) -> None:
        """Remove it once its processes are gone (they may take a moment to be reaped)."""
        for folder in dict.fromkeys(p for p in (self.path, self.pids) if p is not None):
            _remove(folder)


def _remove(folder: Path) -> None:
    for _ in range(200):
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.005)


class RunCgroups:
    """Where this process can make cgroups for its runs: a folder of its own, beside or under
    its own cgroup (and, on cgroup v1, another in the pids hierarchy), removed by close().
    Named by a random token: a run sees its cgroup's path, which must not tell the toolkit's
    process id."""

    def __init__(self, root: Path, version: int, pids_root: Path | None = None):
        self.root = root
        self.version = version
        self.pids_root = pids_root
        self._count = 0

    @property
    def describe(self) -> str:
        return f"cgroup v{self.version}"

    @property
    def describe_processes(self) -> str:
        return f"cgroup v{self.version} pids.max"

    @classmethod
    def find(cls) -> RunCgroups | None:
        """The first place that works: cgroup v2 with the memory controller delegated to us,
        then v1's memory hierarchy; None when neither is writable. The pids controller is
        used where it is delegated too (v2: the same place; v1: its own hierarchy)."""
        name = f"hs-actions-{secrets.token_hex(6)}"
        for version, base in _candidates("memory"):
            root = base / name
            if not _made(root, version, "memory", lambda probe: probe.limit(64 << 20)):
                continue
            if version == 2:
                pids = root if _made(root, 2, "pids", lambda probe: probe.limit_processes(PROCESS_LIMIT)) else None
            else:
                pids = next((base / name for _, base in _candidates("pids") if _made(
                    base / name, 1, "pids", lambda probe: probe.limit_processes(PROCESS_LIMIT))), None)
            return cls(root, version, pids)
        return None

    def create(self) -> Cgroup:
        """A new, empty cgroup for one run (its limits are set once its process is in)."""
        self._count += 1
        name = f"run-{self._count}"
        cgroup = Cgroup(self.root / name, self.version, self.pids_root and self.pids_root / name)
        for folder in dict.fromkeys(p for p in (cgroup.path, cgroup.pids) if p is not None):
            folder.mkdir()
        return cgroup

    def close(self) -> None:
        for child in self.root.glob("run-*"):
            cgroup = Cgroup(child, self.version, self.pids_root and self.pids_root / child.name)
            cgroup.kill()
            cgroup.remove()
        Cgroup(self.root, self.version, self.pids_root).remove()


def _made(root: Path, version: int, controller: str, probe) -> bool:
    """Whether `root` could be made (or was) with `controller` for its children, shown by
    probe(Cgroup) on a child; a root made here is removed again when not."""
    made = not root.exists()
    try:
        root.mkdir(exist_ok=True)
        if version == 2:
            (root / "cgroup.subtree_control").write_text(f"+{controller}")
        child = Cgroup(root / "probe", version, root / "probe" if controller == "pids" else None)
        child.path.mkdir(exist_ok=True)
        try:
            probe(child)
        finally:
            _remove(child.path)
        return True
    except OSError:
        if made:
            _remove(root)
        return False


def _candidates(controller: str) -> list[tuple[int, Path]]:
    """(version, folder) where runs' cgroups with `controller` (memory, pids) could go, best first."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return []
    v2_mount = v1_mount = None
    for line in mounts:
        fields = line.split()
        fstype = fields[fields.index("-") + 1]
        if fstype == "cgroup2" and v2_mount is None:
            v2_mount = Path(fields[4])
        elif fstype == "cgroup" and controller in fields[-1].split(","):
            v1_mount = Path(fields[4])
    found = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "" and v2_mount is not None:
            own = v2_mount / path.lstrip("/")
            # Our own cgroup holds processes, so its children cannot get controllers: a
            # delegated parent can (systemd's user slices, or CI's setup step; README).
            # Moving a process needs write access to the cgroup.procs of the common ancestor.
            for base in (own, own.parent):
                if controller in _read(base / "cgroup.subtree_control").split() and \
                        os.access(base / "cgroup.procs", os.W_OK):
                    found.append((2, base))
        elif controller in controllers.split(",") and v1_mount is not None:
            found.append((1, v1_mount / path.lstrip("/")))
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""
