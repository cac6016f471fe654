"""The runtime process serving one action, as the toolkit sees it: started, spoken to, ended.

One per action: fresh for one CLI run, or kept for the many runs of a pytest session. It is
HubSpot's interpreter running the code of harness/inside/ (its boot.py): in a sandbox where
the machine allows it, whose pid 1 is the supervisor that forks each run's action process.
Everything it says is read with a size cap, a schema check (inside/protocol.py) and a
deadline: a supervisor that says nonsense, or nothing, raises SupervisorLost, which fails
that run, never the toolkit.
"""
from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable

from hs_actions.core import hubspot_runtime
from hs_actions.harness import inside
from hs_actions.harness.gateway import Gateway
from hs_actions.harness.sandbox import PROCESS_LIMIT
from hs_actions.harness.inside import protocol
from hs_actions.harness.inside.channel import Channel, ChannelError, close_all
from hs_actions.harness.lazily import psutil

INSIDE = Path(inside.__file__).parent
# The name the runtime knows harness/inside/ by: not `hs_actions`, which the action's own
# imports must not find, and unlike any module an action imports.
PACKAGE = "_hs_actions_inside"
# harness/inside/ loaded as a package by path rather than run as a script: its bytecode is
# cached, not compiled again at every start, and its folder is not put on the action's path.
BOOT = ("import importlib.util, sys; spec = importlib.util.spec_from_file_location("
        f"{PACKAGE!r}, sys.argv[1] + '/__init__.py', submodule_search_locations=[sys.argv[1]]); "
        "inside = importlib.util.module_from_spec(spec); sys.modules[spec.name] = inside; "
        f"spec.loader.exec_module(inside); import {PACKAGE}.boot; {PACKAGE}.boot.main(sys.argv[2:])")
ANSWER_SECONDS = 30.0         # the supervisor's answers to everything but a run and a preload
PRELOAD_SECONDS = 300.0       # importing libraries (nltk, google-api-python-client) can be slow


class SupervisorLost(Exception):
    """The supervisor died, fell silent past a deadline or sent what is not ours."""


class Zygote:
    """The runtime process (tree) serving one action: in a sandbox where the machine allows it.

    Messages from the supervisor come in the order the requests went, after its first one
    (protocol.READY: the isolation it got, and the sandbox's two channel sockets).
    """

    def __init__(self, python: Path, env: dict, code: str, helpers: Path, setting: str):
        # The file the sandbox shows (see shows_current_code()), or one replaced in the moment
        # before it started, held open while this process lives: so no new file gets its inode
        # number. A file system such as ext4 gives a freed number to the next file, and an
        # editor's quick saves (write a new file, rename it over the old) made a replaced file
        # look like the one shown, whose mount the rename had taken from the sandbox.
        self._code_held = _held(code)
        self.code_file = file_identity(self._code_held) if self._code_held is not None else None
        ours, theirs = socket.socketpair()
        if hasattr(socket, "SO_PASSCRED"):  # Linux: the kernel names the sender of each message
            ours.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        # Shown read-only in the sandbox: the code file alone (in HubSpot it has no folder
        # around it) and the repo's shared/ helpers; the runtime adds its own files.
        shown = [path for path in (code, str(helpers / "shared")) if os.path.exists(path)]
        config = {"sandbox": setting, "paths": [[path, os.path.realpath(path)] for path in shown],
                  "processes": PROCESS_LIMIT}
        self.process = _started_by_a_lasting_thread(lambda: subprocess.Popen(
            [str(python), "-I", "-c", BOOT, str(INSIDE), "zygote", str(theirs.fileno()), json.dumps(config)],
            pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        ))
        theirs.close()
        self.channel = Channel(ours)
        self.code = code
        self.preloaded: set[str] = set()
        self.lock = threading.Lock()          # one run at a time: the namespace is the run's
        self.isolation: dict | None = None
        self.pid: int | None = None           # the supervisor, as this process sees it
        self.gateway: Gateway | None = None
        self._expected: list[str] = []        # answers owed, in order
        self._answers: dict[str, dict] = {}

    @property
    def sandboxed(self) -> bool:
        return self.ready()["sandbox"] == protocol.SANDBOXED

    def ready(self) -> dict:
        """The supervisor's first message: the isolation it got (read once)."""
        if self.isolation is None:
            message, fds = self.read(time.monotonic() + ANSWER_SECONDS)
            problem = protocol.ready_problem(message, fds)
            if problem:
                close_all(fds)
                raise SupervisorLost(problem)
            ready = message[protocol.READY]
            self.pid = self.channel.sender or self.process.pid
            self.isolation = {"sandbox": ready["sandbox"], "reason": ready.get("reason")}
            if fds:
                self.gateway = Gateway([socket.socket(fileno=fd) for fd in fds], ready["channels"])
        return self.isolation

    def send(self, message: dict, fds=(), answer: str | None = None) -> None:
        self.channel.send(message, fds)
        if answer:
            self._expected.append(answer)

    def answer(self, name: str, within: float) -> dict:
        """The answer named `name`, reading those owed before it."""
        self.ready()
        deadline = time.monotonic() + within
        while name not in self._answers:
            if not self._expected:
                raise SupervisorLost(f"no {name} answer was owed")
            expected = self._expected.pop(0)
            message, fds = self.read(deadline)
            close_all(fds)
            problem = protocol.answer_problem(message, expected)
            if problem:
                raise SupervisorLost(problem)
            self._answers[expected] = message
        return self._answers.pop(name)

    def owes(self, name: str) -> bool:
        """Whether the answer named `name` is owed and not read yet."""
        return name in self._expected

    def read_owed(self, deadline: float) -> None:
        """Read every answer owed, by time.monotonic() `deadline`; what they say is dropped
        (a prepared process may still be importing the action's libraries)."""
        while self._expected:
            self.answer(self._expected[0], deadline - time.monotonic())

    def preload(self, modules: list[str], into: str = protocol.INTO_SUPERVISOR) -> None:
        """Import `modules` in the supervisor, before the next fork, or in the action process
        forked last, before its run (answer read later)."""
        missing = sorted(set(modules) - self.preloaded) if into == protocol.INTO_SUPERVISOR else modules
        if missing:
            distributions = [lib.distribution for lib in hubspot_runtime.LIBRARIES]
            self.send({"op": protocol.PRELOAD, "modules": missing, "distributions": distributions, "into": into,
                       "within": PRELOAD_SECONDS}, answer=protocol.OK)
            if into == protocol.INTO_SUPERVISOR:
                self.preloaded.update(missing)

    def read(self, deadline: float) -> tuple[dict, list[int]]:
        try:
            message, fds = self.channel.recv(deadline)
        except TimeoutError:
            raise SupervisorLost("it did not answer in time") from None
        except ChannelError as error:
            raise SupervisorLost(f"it sent {error}") from None
        if message is None:
            raise SupervisorLost(f"it stopped (exit code {self.process.poll()})")
        return message, fds

    def alive(self) -> bool:
        return self.process.poll() is None

    def shows_current_code(self) -> bool:
        """Whether the code file it was started with is still the file at its path. The sandbox
        shows that file (its inode) alone: an editor that saves by writing a new file and
        renaming it over the old one (vim, JetBrains' safe write) leaves the sandbox showing
        the old code. An edit in place, or a change in shared/ (shown as a folder), it sees."""
        return self.code_file == file_identity(self.code)

    def close(self) -> None:
        """End it: called once its action processes have ended (kill() otherwise). The sandbox
        ends with its first process; without one, the supervisor is that process."""
        if self.gateway:
            self.gateway.close()
        self.channel.close()
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        if self._code_held is not None:
            os.close(self._code_held)
            self._code_held = None

    def kill(self) -> None:
        """End it at once: the sandbox dies with its first process; without one, the action
        processes (in sessions of their own) are found and ended too."""
        try:
            descendants = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.Error:
            descendants = []
        for proc in descendants:
            try:
                proc.kill()
            except psutil.Error:
                pass
        self.close()


_spawn_requests: queue.Queue = queue.Queue()
_spawner: threading.Thread | None = None
_spawner_lock = threading.Lock()


def _started_by_a_lasting_thread(start: Callable[[], subprocess.Popen]) -> subprocess.Popen:
    """start(), called from a thread that lasts as long as this process. The runtime process
    dies with the thread that started it (PR_SET_PDEATHSIG is a thread's), so one started from
    a short-lived thread (a test's, a server's) would be killed under a later run."""
    global _spawner
    if threading.current_thread() is threading.main_thread():
        return start()
    with _spawner_lock:
        if _spawner is None:
            _spawner = threading.Thread(target=_spawn_forever, name="hs-actions-spawner", daemon=True)
            _spawner.start()
    box: list = []
    done = threading.Event()
    _spawn_requests.put((start, box, done))
    done.wait()
    if isinstance(box[0], BaseException):
        raise box[0]
    return box[0]


def _spawn_forever() -> None:
    while True:
        start, box, done = _spawn_requests.get()
        try:
            box.append(start())
        except BaseException as error:  # re-raised in the thread that asked
            box.append(error)
        done.set()


def _held(path: str) -> int | None:
    """A descriptor of the file at `path` (None when there is none): it keeps the file's inode,
    and so its number, allocated."""
    try:
        return os.open(path, getattr(os, "O_PATH", os.O_RDONLY) | os.O_CLOEXEC)
    except OSError:
        return None


def file_identity(path: str | int) -> tuple[int, int] | None:
    """(device, inode) of the file at `path` now (or of an open descriptor): another after a
    rename over it; None when gone."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _nspid(pid: int) -> int | None:
    """The process's id in the innermost pid namespace it belongs to."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("NSpid:"):
                    return int(line.split()[-1])
    except (OSError, ValueError):
        pass
    return None


def described(leftover: list, zygote: Zygote) -> list[str]:
    """`pid: command` of processes a run left, with the ids this machine knows them by."""
    host_pids = {}
    if zygote.sandboxed:
        try:
            for proc in psutil.Process(zygote.pid).children(recursive=True):
                nspid = _nspid(proc.pid)
                if nspid is not None:
                    host_pids[nspid] = proc.pid
        except psutil.Error:
            pass
    return [f"{host_pids.get(pid, pid)}: {command}" for pid, command in leftover]
