"""Processes that run actions, in a sandbox where the kernel allows it, with HubSpot's limits
enforced from outside.

The parent side of child.py. A Runner starts one runtime process per action (the zygote,
whose pid 1 in the sandbox is the supervisor: see child.py and sandbox/__init__.py), fresh for
one CLI run or kept for the many runs of a pytest session. For each run the supervisor forks
an action process; the runner puts it in a memory cgroup, hands over the run and its log pipe,
serves the sandbox's channels (HubSpot's API, allowed hosts) and, while the run lasts, watches
memory. Everything the supervisor says is read with a size cap, a schema check and a deadline:
a supervisor that says nonsense, or nothing, fails that run, never the toolkit.
"""
from __future__ import annotations

import ast
import importlib.util
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from hs_actions.core import hubspot_runtime, project, pyimports
from hs_actions.core.errors import ToolkitError
from hs_actions.harness import sandbox
from hs_actions.harness.child import REFUSAL, Channel, ChannelError, close_all
from hs_actions.core.masking import Masks


def _imported_on_first_use(name: str):
    """The module `name`, executed when first used: `hs-actions run` starts the runtime before
    it needs this (psutil takes ~10 ms to import)."""
    if name not in sys.modules:
        spec = importlib.util.find_spec(name)
        spec.loader = importlib.util.LazyLoader(spec.loader)
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


psutil = _imported_on_first_use("psutil")


CHILD = Path(__file__).with_name("child.py")
NAMESPACES = Path(sandbox.__file__).with_name("namespaces.py")
# Loaded by path inside the action's process (see child.py); only its path is needed here.
ROUTING = Path(__file__).resolve().parent.parent / "portal" / "routing.py"
LOG_HEAD_BYTES = 1 << 20      # logs kept from the start of a run...
LOG_TAIL_BYTES = 64 << 10     # ...and from its end; the middle of a flood is dropped, counted
_TICK = 0.005                 # how often memory is sampled while an action runs
_MAX_ZYGOTES = 4              # one per recently run action; each holds that action's libraries
_GRACE = 2.0                  # how long past a run's limit the supervisor may take to say so
_LATE = 0.5                   # a run this far past its limit by the toolkit's own clock is a timeout
_ANSWER = 30.0                # the supervisor's answers to everything but a run and a preload
_PRELOAD = 300.0              # importing libraries (nltk, google-api-python-client) can be slow
_SAMPLING = "sampling every 5 ms"
# The supervisor's answers, and what each must carry.
_ANSWERS = {"ok": lambda v: isinstance(v, bool), "forked": lambda v: type(v) is int and v > 0,
            "ended": lambda v: isinstance(v, dict)}
# child.py loaded as a module rather than run as a script: its bytecode is cached, not compiled
# again at every start.
_BOOT = ("import importlib.util, sys; spec = importlib.util.spec_from_file_location('_hs_actions_child', sys.argv[1]); "
         "child = importlib.util.module_from_spec(spec); spec.loader.exec_module(child); child.main(sys.argv[2:])")


@dataclass
class RawOutcome:
    """What happened in the child, before anything is judged against the manifest."""

    kind: str                            # returned | raised | died | timeout | memory | malformed
    returned: object = None
    raised: dict | None = None
    problem: str = ""                    # malformed: what the toolkit was sent
    logs: str = ""
    logs_dropped: int = 0                # bytes of log dropped from the middle
    duration_ms: float = 0.0
    peak_mb: float = 0.0
    exit: dict | None = None             # how a worker that died ended: exit_code / signal
    leftover: list[str] = field(default_factory=list)
    imported: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)   # hosts the action was not let connect to
    isolation: dict = field(default_factory=dict)      # sandbox, reason, memory


class _SupervisorLost(Exception):
    """The supervisor died, fell silent past a deadline or sent what is not ours."""


class _Zygote:
    """The runtime process (tree) serving one action: in a sandbox where the machine allows it.

    Messages from the supervisor come in the order the requests went, after its first one
    ("ready": the isolation it got, and the sandbox's two channel sockets).
    """

    def __init__(self, python: Path, env: dict, code: str, helpers: Path, setting: str):
        ours, theirs = socket.socketpair()
        if hasattr(socket, "SO_PASSCRED"):  # Linux: the kernel names the sender of each message
            ours.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        # Shown read-only in the sandbox: the code file alone (in HubSpot it has no folder
        # around it) and the repo's shared/ helpers; the runtime adds its own files.
        shown = [path for path in (code, str(helpers / "shared")) if os.path.exists(path)]
        config = {"sandbox": setting, "routing_module": str(ROUTING), "namespaces_module": str(NAMESPACES),
                  "paths": [[path, os.path.realpath(path)] for path in shown]}
        self.process = subprocess.Popen(
            [str(python), "-I", "-c", _BOOT, str(CHILD), "zygote", str(theirs.fileno()), json.dumps(config)],
            pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        theirs.close()
        self.channel = Channel(ours)
        self.code = code
        self.preloaded: set[str] = set()
        self.lock = threading.Lock()          # one run at a time: the namespace is the run's
        self.isolation: dict | None = None
        self.pid: int | None = None           # the supervisor, as this process sees it
        self.gateway: _Gateway | None = None
        self._expected: list[str] = []        # answers owed, in order
        self._answers: dict[str, dict] = {}

    @property
    def sandboxed(self) -> bool:
        return self.ready()["sandbox"] == "namespaces"

    def ready(self) -> dict:
        """The supervisor's first message: the isolation it got (read once)."""
        if self.isolation is None:
            message, fds = self._read(time.monotonic() + _ANSWER)
            ready = message.get("ready")
            channels = ready.get("channels") if isinstance(ready, dict) else None
            if not isinstance(ready, dict) or ready.get("sandbox") not in ("namespaces", "none") \
                    or not isinstance(channels, list) or len(fds) != len(channels) \
                    or (ready["sandbox"] == "namespaces" and len(fds) != 2):
                close_all(fds)
                raise _SupervisorLost("its first message was not the one expected")
            self.pid = self.channel.sender or self.process.pid
            self.isolation = {"sandbox": ready["sandbox"], "reason": ready.get("reason")}
            if fds:
                self.gateway = _Gateway([socket.socket(fileno=fd) for fd in fds], channels)
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
                raise _SupervisorLost(f"no {name} answer was owed")
            expected = self._expected.pop(0)
            message, fds = self._read(deadline)
            close_all(fds)
            if not _ANSWERS[expected](message.get(expected)):
                raise _SupervisorLost(f"it answered {sorted(message)[:3]} where {expected} was due")
            self._answers[expected] = message
        return self._answers.pop(name)

    def preload(self, modules: list[str], into: str = "supervisor") -> None:
        """Import `modules` in the supervisor, before the next fork, or in the action process
        forked last, before its run (answer read later)."""
        missing = sorted(set(modules) - self.preloaded) if into == "supervisor" else modules
        if missing:
            distributions = [lib.distribution for lib in hubspot_runtime.LIBRARIES]
            self.send({"op": "preload", "modules": missing, "distributions": distributions, "into": into,
                       "within": _PRELOAD}, answer="ok")
            if into == "supervisor":
                self.preloaded.update(missing)

    def _read(self, deadline: float) -> tuple[dict, list[int]]:
        try:
            message, fds = self.channel.recv(deadline)
        except TimeoutError:
            raise _SupervisorLost("it did not answer in time") from None
        except ChannelError as error:
            raise _SupervisorLost(f"it sent {error}") from None
        if message is None:
            raise _SupervisorLost(f"it stopped (exit code {self.process.poll()})")
        return message, fds

    def alive(self) -> bool:
        return self.process.poll() is None

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


class _Worker:
    """One action process, forked by a zygote's supervisor, and what watches its memory.

    `floor` is the file-backed resident memory (shared libraries, mapped modules) of the
    supervisor it was forked from, and `baseline` all of its resident memory. A forked process
    maps those pages lazily (so its own figure starts low where a freshly started interpreter's
    would not) and is charged in its cgroup only for the pages it touches first. Memory is
    counted as what a cold start of the same action would hold: anonymous memory plus the
    larger of the two file-backed figures, or the baseline plus the cgroup's charge.
    """

    def __init__(self, zygote: _Zygote, pid: int):
        self.zygote = zygote
        self.pid = pid
        self.cgroup: sandbox.Cgroup | None = None
        try:
            self.process = psutil.Process(pid)
        except psutil.Error:  # already gone: the run reports it
            self.process = None
        self.floor = self.baseline = 0

    def measure_baseline(self) -> None:
        """Read the floor and the baseline: once it is in its cgroup, before its run."""
        self.floor = sum(_status_kb(self.zygote.pid, "RssFile", "RssShmem")) * 1024
        self.baseline = sum(_status_kb(self.pid, "VmRSS")) * 1024

    def footprint(self, processes: list[psutil.Process]) -> int:
        """Resident bytes of the worker (adjusted as above) and of the given descendants."""
        if self.cgroup is not None:
            return self.baseline + self.cgroup.usage()
        total = 0
        for proc in processes:
            try:
                info = proc.memory_info()
            except psutil.Error:
                continue
            shared = getattr(info, "shared", 0)
            floor = self.floor if proc is self.process else 0
            total += info.rss - shared + max(shared, floor)
        return total

    def processes(self) -> list[psutil.Process]:
        """The worker and every process it started that is still running."""
        if self.cgroup is not None or self.process is None:
            return []
        try:
            children = self.process.children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        return [self.process, *(c for c in children if _running(c))]

    def stop(self) -> None:
        """SIGKILL it and everything it started (the supervisor reaps them)."""
        if self.cgroup is not None:
            self.cgroup.kill()
            return
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for proc in self.processes():
            try:
                proc.kill()
            except psutil.Error:
                pass

    def release(self) -> None:
        if self.cgroup is not None:
            self.cgroup.remove()


class Runner:
    """Runs requests on one runtime interpreter.

    mode "spawn": a fresh runtime process per run (what one CLI run needs).
    mode "fork": a runtime process per action forks each run's action process; the libraries
    a run imported are imported by it before the next fork, so repeated runs skip that cost
    while each run still starts from a clean process.
    `setting` is the sandbox setting (sandbox.mode()): auto, off or required.
    """

    def __init__(self, python: Path, mode: str = "spawn", setting: str | None = None):
        self.python = python
        self.mode = mode
        self.setting = setting or sandbox.mode()
        self.env = dict(hubspot_runtime.ENVIRONMENT)  # what a process starts with, before a run's own
        self._zygotes: OrderedDict[str, _Zygote] = OrderedDict()
        self._learned: dict[str, list[str]] = {}
        self._warm: dict[str, _Worker] = {}
        self._prepared: dict[str, _Zygote] = {}
        self._active: set[_Worker] = set()     # running now: ended by close() on an interrupt
        self._lock = threading.Lock()
        self._cgroups: sandbox.MemoryCgroups | None | bool = None if self.setting != "off" else False

    def run(self, key: str, request: dict, timeout: float, memory_mb: float, warm: bool = False,
            api: Callable[[socket.socket, Callable[[], str]], None] | None = None,
            masks: Masks | None = None) -> RawOutcome:
        """Run one request for the action `key` and return what happened; its log is masked
        with `masks` as it is read.

        `api` serves one connection to HubSpot's API (the local portal), tagging each request
        on it with the run whose tag the second argument returns; a run in a sandbox reaches the
        portal only that way. With warm=True the action process is kept for the next warm run
        of the same action, as HubSpot may reuse a container; one that died, timed out, ran
        out of memory or wrote more than its answer is never reused.
        """
        worker = self._warm.pop(key, None)
        if worker is not None and (not warm or not worker.zygote.alive()):
            self._end(worker)  # one action process per supervisor: a cold run ends the warm one
            worker = None
        try:
            if worker is None:
                worker = self._fork(key, request["action"], Path(request["helpers_root"]), memory_mb)
        except _SupervisorLost as lost:
            return RawOutcome("malformed", problem=f"the runtime process failed before the run: {lost}")
        self._active.add(worker)
        zygote = worker.zygote
        try:
            with zygote.lock:
                outcome, logs, kept = self._supervise(worker, request, timeout, memory_mb, warm, api, masks or Masks())
        except BaseException:  # interrupted (Ctrl-C, SIGTERM): the run and all it started end now
            zygote.kill()
            raise
        finally:
            self._active.discard(worker)
        if kept:
            self._warm[key] = worker
        if outcome.kind in ("returned", "raised"):
            self._learned[key] = sorted(set(self._learned.get(key, [])) | set(outcome.imported))
        if self.mode == "spawn" and not kept:
            zygote.close()
        # Once the run's processes are gone the pipe closes at once; a kept worker's
        # subprocesses may hold it open, so only wait briefly for them.
        outcome.logs, outcome.logs_dropped = logs.finish(wait=0.2 if kept else 2.0)
        return outcome

    def prepare(self, key: str, code: Path) -> None:
        """Start the runtime process for the next run of `key` (whose code is `code`) now, and
        have it import the action's libraries while the caller builds the run's event, secrets
        and portal. Only in spawn mode: a zygote has them imported already."""
        if self.mode != "spawn" or key in self._prepared or key in self._warm:
            return
        zygote = self._start(str(code))
        try:
            zygote.send({"op": "fork"}, answer="forked")
            zygote.preload(library_imports(code), into="action")
        except OSError:
            pass  # a process that died at start is reported by the run
        self._prepared[key] = zygote

    def _start(self, code: str) -> _Zygote:
        return _Zygote(self.python, self.env, code, project.ROOT, self.setting)

    def _zygote(self, key: str, code: str) -> _Zygote:
        if self.mode == "spawn":
            zygote = self._prepared.pop(key, None)
            return zygote if zygote is not None and zygote.code == code else self._start(code)
        with self._lock:
            zygote = self._zygotes.pop(key, None)
            if zygote is None or not zygote.alive() or zygote.code != code:
                if zygote is not None:
                    zygote.kill()
                zygote = self._start(code)
            self._zygotes[key] = zygote
            while len(self._zygotes) > _MAX_ZYGOTES:
                evicted, old = self._zygotes.popitem(last=False)
                if evicted in self._warm:
                    self._warm.pop(evicted).release()
                old.close()
        return zygote

    def _fork(self, key: str, code: str, helpers: Path, memory_mb: float) -> _Worker:
        zygote = self._zygote(key, code)
        try:
            with zygote.lock:
                isolation = zygote.ready()
                if self.setting == "required" and isolation["sandbox"] != "namespaces":
                    zygote.kill()
                    raise ToolkitError(
                        f"the sandbox is required (sandbox = \"required\"), but this machine refused it: "
                        f"{isolation['reason']}. To enable it: {sandbox.how_to_enable()}")
                if "forked" not in zygote._expected:
                    zygote.preload(self._learned.get(key, []))
                    zygote.send({"op": "fork"}, answer="forked")
                forked = zygote.answer("forked", _PRELOAD)
                # In a sandbox the kernel translates the process id it attached; without one,
                # the supervisor's own number is this process's too.
                pid = zygote.channel.sender if zygote.sandboxed else forked["forked"]
                if not pid:
                    raise _SupervisorLost("it did not say which process it forked")
        except _SupervisorLost:
            zygote.kill()
            raise
        cgroups = self._memory_cgroups()
        worker = _Worker(zygote, pid)
        if cgroups:
            try:
                worker.cgroup = cgroups.create()
                worker.cgroup.add(pid)
            except OSError:  # e.g. not allowed to move the process there: sample instead
                if worker.cgroup is not None:
                    worker.cgroup.remove()
                worker.cgroup = None
                self._cgroups = False
        worker.measure_baseline()
        if worker.cgroup is not None:
            # What it holds already is not charged there: the kernel stops it just past the limit.
            worker.cgroup.limit(max(int(memory_mb * 2**20) - worker.baseline + (1 << 20), 1 << 20))
        return worker

    def _memory_cgroups(self) -> sandbox.MemoryCgroups | None:
        if self._cgroups is None:
            self._cgroups = sandbox.MemoryCgroups.find() or False
        return self._cgroups or None

    def _supervise(self, worker: _Worker, request: dict, timeout: float, memory_mb: float, warm: bool,
                   api, masks: Masks) -> tuple[RawOutcome, _LogReader, bool]:
        """Hand the run over, then watch memory (and the supervisor's own deadline) until the
        supervisor answers. Returns the outcome, the reader still collecting the run's log, and
        whether the worker is kept for the next warm run."""
        zygote = worker.zygote
        isolation = dict(zygote.isolation, memory=worker.cgroup and f"cgroup v{worker.cgroup.version}" or _SAMPLING)
        request = dict(request, warm=warm)
        if zygote.gateway:
            request["network"] = zygote.gateway.open(request, api)
        log_read, log_write = os.pipe()
        logs = _LogReader(log_read, masks)
        logs.start()
        started = time.monotonic()
        limit = memory_mb * 2**20
        peak, ticks, stopped_for_memory = 0, 0, False
        answer = None
        try:
            # A prepared process may still be importing the action's libraries: that answer
            # comes first, then the run is sent. Both count against the run's time, as a cold
            # start does.
            try:
                while zygote._expected:
                    zygote.answer(zygote._expected[0], started + timeout - time.monotonic())
                zygote.send({"op": "run", "request": request, "timeout": started + timeout - time.monotonic(),
                             "keep": warm}, fds=[log_write])
            except OSError:
                pass  # reported below: the supervisor is gone
            finally:
                os.close(log_write)
            while answer is None:
                if select.select([zygote.channel], [], [], _TICK)[0]:
                    answer = _checked_outcome(zygote._read(started + timeout + _GRACE)[0])
                    break
                ticks += 1
                if time.monotonic() > started + timeout + _GRACE:
                    raise _SupervisorLost("it did not end the run at its time limit")
                if stopped_for_memory:
                    continue
                # The worker every tick; its whole tree (a container counts that) every tenth.
                rss = worker.footprint(worker.processes() if ticks % 10 == 0 or worker.process is None
                                       else [worker.process])
                peak = max(peak, rss)
                if rss > limit:
                    worker.stop()
                    stopped_for_memory = True
        except _SupervisorLost as lost:
            zygote.kill()
            worker.release()
            elapsed = time.monotonic() - started
            kind = "timeout" if elapsed > timeout else "malformed"
            outcome = RawOutcome(kind, problem=f"the supervisor failed: {lost}", duration_ms=elapsed * 1000,
                                 peak_mb=peak / 2**20, isolation=isolation)
            return outcome, logs, False
        finally:
            if zygote.gateway:
                zygote.gateway.close_run()
        elapsed = time.monotonic() - started
        found, leftover = answer
        outcome = _raw(found, isolation)
        outcome.peak_mb = max(peak / 2**20, outcome.peak_mb)
        if found.get("memory_kb"):
            kb = found["memory_kb"]
            outcome.peak_mb = max(outcome.peak_mb, (kb["peak"] - kb["file"] + max(kb["file"], worker.floor // 1024)) / 1024)
        if outcome.kind in ("returned", "raised") and elapsed > timeout + _LATE:
            outcome.kind = "timeout"  # the toolkit's own clock: the supervisor may have been stopped
            outcome.duration_ms = elapsed * 1000
        if outcome.kind in ("returned", "raised") and leftover:
            outcome.leftover = _described(leftover, zygote)
        if zygote.gateway:
            outcome.refused = sorted(set(outcome.refused) | zygote.gateway.refused)
        keep = warm and outcome.kind in ("returned", "raised") and not found.get("stray")
        try:
            zygote.send({"op": "end", "keep": keep}, answer="ended")
            ended = zygote.answer("ended", _ANSWER)["ended"]
        except (_SupervisorLost, OSError):
            zygote.kill()
            keep, ended = False, {}
        if isinstance(ended, dict):
            if isinstance(ended.get("exit"), dict) and outcome.exit is None:
                outcome.exit = ended["exit"]
            if isinstance(ended.get("children_peak_kb"), int):
                outcome.peak_mb = max(outcome.peak_mb, ended["children_peak_kb"] / 1024)
        if worker.cgroup is not None:
            charged = worker.cgroup.peak()
            if charged is not None:
                outcome.peak_mb = max(outcome.peak_mb, (worker.baseline + charged) / 2**20)
            if worker.cgroup.oom_kills():
                stopped_for_memory = True
        if not keep:
            worker.release()
        if stopped_for_memory or (outcome.raised and outcome.raised.get("memory")) or \
                (outcome.kind in ("returned", "raised", "died") and outcome.peak_mb > memory_mb):
            outcome.kind = "memory"
        return outcome, logs, keep

    def cool(self) -> None:
        """Forget warm workers: the next warm run starts cold again."""
        for worker in self._warm.values():
            self._end(worker)
        self._warm.clear()

    def _end(self, worker: _Worker) -> None:
        """End a kept worker. A zygote serving many runs stays for the next one."""
        zygote = worker.zygote
        try:
            with zygote.lock:
                zygote.send({"op": "end", "keep": False}, answer="ended")
                zygote.answer("ended", _ANSWER)
        except (_SupervisorLost, OSError):
            zygote.kill()
        worker.release()
        if self.mode == "spawn":
            zygote.close()

    def close(self) -> None:
        for worker in [*self._active, *self._warm.values()]:
            worker.zygote.kill()
            worker.release()
        self._active.clear()
        self._warm.clear()
        for zygote in [*self._prepared.values(), *self._zygotes.values()]:
            zygote.close()
        self._prepared.clear()
        self._zygotes.clear()
        if self._cgroups:
            self._cgroups.close()


def _checked_outcome(message: dict) -> tuple[dict, list]:
    """The supervisor's answer to a run, checked: _SupervisorLost when it is not one."""
    found, leftover = message.get("outcome"), message.get("leftover")
    if not isinstance(found, dict) or not isinstance(leftover, list):
        raise _SupervisorLost("its answer to the run was not an outcome")
    kind = found.get("kind")
    if kind not in ("returned", "raised", "died", "timeout", "malformed"):
        raise _SupervisorLost(f"it reported a run that ended as {kind!r}")
    if kind == "raised" and not isinstance(found.get("raised"), dict):
        raise _SupervisorLost("it reported an exception it did not describe")
    if not isinstance(found.get("duration_ms"), (int, float)):
        raise _SupervisorLost("it reported no duration")
    for key in ("imported", "refused"):
        if not all(isinstance(item, str) for item in found.get(key, [])):
            raise _SupervisorLost(f"its list of {key} holds other things than names")
    memory = found.get("memory_kb")
    if memory is not None and not (isinstance(memory, dict) and all(isinstance(memory.get(k), int) for k in ("peak", "file"))):
        raise _SupervisorLost("it reported memory in a shape not its own")
    if not all(isinstance(item, list) and len(item) == 2 and isinstance(item[0], int) and isinstance(item[1], str)
               for item in leftover):
        raise _SupervisorLost("it listed left processes in a shape not its own")
    return found, leftover


def _raw(found: dict, isolation: dict) -> RawOutcome:
    exit_status = found.get("exit")
    return RawOutcome(
        found["kind"], returned=found.get("returned"), raised=found.get("raised"),
        problem=str(found.get("problem", "")), duration_ms=float(found["duration_ms"]),
        exit=exit_status if isinstance(exit_status, dict) else None,
        imported=list(found.get("imported", [])), refused=list(found.get("refused", [])), isolation=isolation,
    )


def _described(leftover: list, zygote: _Zygote) -> list[str]:
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


def _status_kb(pid: int, *names: str) -> list[int]:
    """Fields of /proc/PID/status, in kB (none when it cannot be read)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
        return [int(fields[name].split()[0]) for name in names]
    except (OSError, KeyError, ValueError):
        return []


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


class _Gateway:
    """The toolkit's side of a sandbox's two channels, sockets on its loopback.

    "api": each connection is served by the local portal as HubSpot's API, every request on
    it logged with the run being served (whatever the request's headers say). "egress": each
    connection names one destination on its first line; the toolkit connects to it from the
    host if the run allows that host, answers OK or the error, then carries the bytes.
    """

    def __init__(self, listeners: list[socket.socket], addresses: list[str]):
        self.api_listener, self.egress_listener = listeners
        self.addresses = addresses
        self.tag = ""
        self.allow: list[str] = []
        self.api = None
        self.refused: set[str] = set()
        self._wake_read, self._wake_write = os.pipe()
        self._thread = threading.Thread(target=self._accept, name="hs-actions-gateway", daemon=True)
        self._thread.start()

    def open(self, request: dict, api) -> dict:
        """Serve `request`'s run; its network settings, as seen from inside the sandbox."""
        network = request.get("network", {})
        self.tag = request["event"]["callbackId"]
        self.allow = [a for a in network.get("allow", []) if a not in network.get("routes", {}).values()]
        self.api = api
        self.refused = set()
        api_address, egress_address = self.addresses
        return {
            "allow": [*self.allow, *self.addresses],
            "routes": {host: api_address for host in network.get("routes", {})},
            "egress": egress_address,
            "channels": list(self.addresses),
        }

    def close_run(self) -> None:
        self.api = None

    def _accept(self) -> None:
        listeners = [self.api_listener, self.egress_listener]
        while True:
            ready, _, _ = select.select([*listeners, self._wake_read], [], [])
            if self._wake_read in ready:
                return
            for listener in ready:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                if listener is self.api_listener:
                    api = self.api
                    if api is None:
                        conn.close()
                    else:
                        api(conn, lambda: self.tag)
                else:
                    threading.Thread(target=self._egress, args=(conn, list(self.allow)), daemon=True).start()

    def _egress(self, conn: socket.socket, allow: list[str]) -> None:
        with conn:
            conn.settimeout(10)
            line = b""
            try:
                while not line.endswith(b"\n") and len(line) < 300:
                    chunk = conn.recv(1)
                    if not chunk:
                        return
                    line += chunk
                host, _, port = line.decode("ascii").strip().rpartition(" ")
                port_number = int(port)
            except (OSError, ValueError, UnicodeDecodeError):
                return
            if not ("*" in allow or host in allow or f"{host}:{port_number}" in allow):
                self.refused.add(host)
                conn.sendall(f"ERR 111 {REFUSAL.format(host=host)}\n".encode())
                return
            try:
                upstream = socket.create_connection((host, port_number), timeout=10)
            except OSError as error:
                conn.sendall(f"ERR {error.errno or 111} {error.strerror or error}\n".encode())
                return
            with upstream:
                conn.sendall(b"OK\n")
                _relay(conn, upstream)

    def close(self) -> None:
        os.write(self._wake_write, b"x")
        self._thread.join()
        for fd in (self._wake_read, self._wake_write):
            os.close(fd)
        self.api_listener.close()
        self.egress_listener.close()


def _relay(one: socket.socket, other: socket.socket) -> None:
    """Carry bytes both ways until both sides have finished sending."""
    one.settimeout(None)
    other.settimeout(None)
    open_ends = {one: other, other: one}
    while open_ends:
        ready, _, _ = select.select(list(open_ends), [], [])
        for sock in ready:
            try:
                data = sock.recv(1 << 16)
            except OSError:
                data = b""
            if data:
                try:
                    open_ends[sock].sendall(data)
                    continue
                except OSError:
                    pass
            try:
                open_ends[sock].shutdown(socket.SHUT_WR)
            except OSError:
                pass
            del open_ends[sock]


def library_imports(code: Path) -> list[str]:
    """The modules an action's file imports at its top level, other than the repo's own: the
    runtime can import them before the run starts. Unreadable code gives none (the run
    reports the problem)."""
    try:
        tree = ast.parse(code.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return []
    names = [name for node in pyimports.statements(tree.body) for name in pyimports.modules(node)
             if not name.startswith(".")]
    return [n for n in dict.fromkeys(names) if n.split(".")[0] not in ("shared", "hs_actions")]


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


class _LogReader(threading.Thread):
    """Drains a run's stdout+stderr pipe so the action never blocks, keeping head and tail.

    The log is masked as it is read, before anything is dropped: a secret printed where the
    log is cut is masked whole, never left in two pieces. The cuts split neither a mask nor
    a character: the head may end a few bytes past LOG_HEAD_BYTES, the tail keep a few more
    than LOG_TAIL_BYTES."""

    def __init__(self, fd: int, masks: Masks):
        super().__init__(daemon=True)
        self.fd = fd
        self.masks = masks
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0
        self._stream = masks.stream()
        self._closing = threading.Event()

    def run(self) -> None:
        try:
            while not self._closing.is_set():
                ready, _, _ = select.select([self.fd], [], [], 0.05)
                if not ready:
                    continue
                chunk = os.read(self.fd, 1 << 16)
                if not chunk:
                    return
                self._keep(self._stream.feed(chunk))
        finally:
            os.close(self.fd)
            self._keep(self._stream.feed(b"", final=True))

    def _keep(self, masked: bytes) -> None:
        room = LOG_HEAD_BYTES - len(self.head)
        if room > 0:
            cut = self.masks.cut(masked, room, forward=True)
            self.head += masked[:cut]
            masked = masked[cut:]
        self.tail += masked
        if len(self.tail) > LOG_TAIL_BYTES:
            cut = self.masks.cut(self.tail, len(self.tail) - LOG_TAIL_BYTES, forward=False)
            self.dropped += cut
            del self.tail[:cut]

    def finish(self, wait: float) -> tuple[str, int]:
        """Wait up to `wait` seconds for the pipe to close (processes the run left may hold
        it open), then return the log and how many bytes were dropped from its middle."""
        self.join(wait)
        self._closing.set()
        self.join()
        if not self.dropped:
            return (self.head + self.tail).decode("utf-8", "backslashreplace"), 0
        return (self.head.decode("utf-8", "backslashreplace")
                + f"\n[hs-actions: {self.dropped:,} bytes of log dropped here]\n"
                + self.tail.decode("utf-8", "backslashreplace")), self.dropped
