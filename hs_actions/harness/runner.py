"""Child processes that run actions, with HubSpot's limits enforced from outside.

The parent side of child.py. A Runner starts workers on the runtime interpreter, either
spawned fresh (one CLI run) or forked from a per-action zygote (many runs in one pytest
session), sends each run its request and log pipe, and while the action runs watches two
things a container would: wall time and resident memory. Crossing either kills the worker's
whole process group.
"""
from __future__ import annotations

import ast
import os
import select
import signal
import socket
import subprocess
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from hs_actions import hubspot_runtime
from hs_actions.harness.child import Channel
from hs_actions.masking import Masks

CHILD = Path(__file__).with_name("child.py")
LOG_HEAD_BYTES = 1 << 20      # logs kept from the start of a run...
LOG_TAIL_BYTES = 64 << 10     # ...and from its end; the middle of a flood is dropped, counted
_TICK = 0.005                 # how often memory is sampled while an action runs
_MAX_ZYGOTES = 4              # one per recently run action; each holds that action's libraries


@dataclass
class RawOutcome:
    """What happened in the child, before anything is judged against the manifest."""

    kind: str                            # returned | raised | died | timeout | memory
    returned: object = None
    raised: dict | None = None
    logs: str = ""
    logs_dropped: int = 0                # bytes of log dropped from the middle
    duration_ms: float = 0.0
    peak_mb: float = 0.0
    exit: dict | None = None             # how a worker that died ended: exit_code / signal
    leftover: list[str] = field(default_factory=list)
    imported: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)   # hosts the action was not let connect to


class _Worker:
    """One worker process and the channel to it.

    `file_floor` is the file-backed resident memory (shared libraries, mapped modules) of
    the zygote it was forked from. A forked process maps those pages lazily, so its own
    figure starts low where a freshly started interpreter's would not; memory is counted
    as anonymous memory plus the larger of the two file-backed figures, which matches what
    a cold start of the same action uses.
    """

    def __init__(self, pid: int, channel: Channel, reap, file_floor: int = 0):
        self.pid = pid
        self.channel = channel
        self.process = psutil.Process(pid)
        self.file_floor = file_floor
        self._reap = reap
        self._ended: dict | None = None
        self.unanswered = 0      # messages sent whose answer has not been read yet

    def footprint(self, processes: list[psutil.Process]) -> int:
        """Resident bytes of the worker (adjusted as above) and of the given descendants."""
        total = 0
        for proc in processes:
            try:
                info = proc.memory_info()
            except psutil.Error:
                continue
            shared = getattr(info, "shared", 0)
            floor = self.file_floor if proc is self.process else 0
            total += info.rss - shared + max(shared, floor)
        return total

    def processes(self) -> list[psutil.Process]:
        """The worker and every process it started that is still running (the worker adopts
        orphans, so detached ones are here too; exited ones waiting to be reaped are not)."""
        try:
            children = self.process.children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        return [self.process, *(c for c in children if _running(c))]

    def kill(self, descendants: list[psutil.Process] | None = None) -> dict:
        """End the worker's process group and `descendants` (found now when not given:
        some may have left the group with setsid()); how the worker ended."""
        if self._ended is not None:
            return self._ended
        stragglers = self.processes()[1:] if descendants is None else descendants
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for proc in stragglers:  # those that left the group with setsid()
            try:
                proc.kill()
            except psutil.Error:
                pass
        self.channel.close()
        self._ended = self._reap()
        return self._ended


class _Zygote:
    """A runtime interpreter that has imported one action's libraries and forks workers."""

    def __init__(self, python: Path, env: dict):
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [str(python), "-I", str(CHILD), "zygote", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        theirs.close()
        self.channel = Channel(ours)
        self.preloaded: set[str] = set()
        self.lock = threading.Lock()

    def fork(self, learned: list[str]) -> _Worker:
        with self.lock:
            missing = sorted(set(learned) - self.preloaded)
            if missing:
                distributions = [lib.distribution for lib in hubspot_runtime.LIBRARIES]
                self._ask({"op": "preload", "modules": missing, "distributions": distributions})
                self.preloaded.update(missing)
            ours, theirs = socket.socketpair()
            reply = self._ask({"op": "fork"}, fds=[theirs.fileno()])
            theirs.close()
        pid = reply["pid"]
        try:
            floor = getattr(psutil.Process(self.process.pid).memory_info(), "shared", 0)
        except psutil.Error:
            floor = 0
        return _Worker(pid, Channel(ours), lambda: self._wait(pid), floor)

    def _wait(self, pid: int) -> dict:
        with self.lock:
            try:
                return self._ask({"op": "wait", "pid": pid})["status"]
            except (OSError, RuntimeError):  # the zygote is gone; init reaps its children
                return {"exit_code": None, "signal": None}

    def _ask(self, message: dict, fds=()) -> dict:
        self.channel.send(message, fds)
        reply, _ = self.channel.recv()
        if reply is None:
            raise RuntimeError(f"the runtime interpreter stopped (exit code {self.process.poll()})")
        return reply

    def close(self) -> None:
        self.channel.close()  # the zygote exits when its channel closes
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Runner:
    """Runs requests on one runtime interpreter.

    mode "spawn": a fresh interpreter per run (what one CLI run needs).
    mode "fork": a zygote per action forks each run's worker; the libraries a run imported
    are imported by the zygote before the next fork, so repeated runs skip that cost while
    each run still starts from a clean process.
    """

    def __init__(self, python: Path, mode: str = "spawn"):
        self.python = python
        self.mode = mode
        self.env = dict(hubspot_runtime.ENVIRONMENT)  # what a process starts with, before a run's own
        self._zygotes: OrderedDict[str, _Zygote] = OrderedDict()
        self._learned: dict[str, list[str]] = {}
        self._warm: dict[str, _Worker] = {}
        self._prepared: dict[str, _Worker] = {}
        self._active: set[_Worker] = set()     # running now: ended by close() on an interrupt
        self._lock = threading.Lock()

    def run(self, key: str, request: dict, timeout: float, memory_mb: float, warm: bool = False,
            masks: Masks | None = None) -> RawOutcome:
        """Run one request for the action `key` and return what happened; its log is masked
        with `masks` as it is read.

        With warm=True the worker is kept for the next warm run of the same action, as
        HubSpot may reuse a container; a worker that died, timed out or ran out of memory
        is never reused.
        """
        worker = self._warm.pop(key, None) if warm else None
        if worker is None:
            worker = self._prepared.pop(key, None) or self._start(key)
        self._active.add(worker)
        try:
            outcome, logs = _supervise(worker, {**request, "warm": warm}, timeout, memory_mb, masks or Masks())
        except BaseException:  # interrupted (Ctrl-C, SIGTERM): the run and all it started end now
            worker.kill()
            raise
        finally:
            self._active.discard(worker)
        kept = False
        if outcome.kind in ("returned", "raised"):
            self._learned[key] = sorted(set(self._learned.get(key, [])) | set(outcome.imported))
            if warm:
                self._warm[key] = kept = worker
        if not kept:
            descendants = worker.processes()[1:]
            if outcome.kind in ("returned", "raised"):
                outcome.leftover = _describe(descendants)
            outcome.exit = worker.kill(descendants)
        # Once the worker is gone the pipe closes at once; a kept worker's subprocesses may
        # hold it open, so only wait briefly for them.
        outcome.logs, outcome.logs_dropped = logs.finish(wait=0.2 if kept else 2.0)
        return outcome

    def prepare(self, key: str, modules: list[str]) -> None:
        """Start the worker for the next run of `key` now, importing `modules` (the action's
        libraries) while the caller builds the run's event, secrets and portal. Only in
        spawn mode: a forked worker starts with them already imported."""
        if self.mode != "spawn" or key in self._prepared:
            return
        worker = self._start(key)
        try:
            worker.channel.send({"op": "preload", "modules": modules})
            worker.unanswered += 1  # read just before the run is sent, not now: no waiting here
        except OSError:
            pass  # a worker that died at start is reported by the run
        self._prepared[key] = worker

    def _start(self, key: str) -> _Worker:
        if self.mode == "spawn":
            ours, theirs = socket.socketpair()
            process = subprocess.Popen(
                [str(self.python), "-I", str(CHILD), "worker", str(theirs.fileno())],
                pass_fds=[theirs.fileno()], env=self.env, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            )
            theirs.close()
            return _Worker(process.pid, Channel(ours), lambda: _status(process.wait()))
        with self._lock:
            zygote = self._zygotes.pop(key, None)
            if zygote is None or zygote.process.poll() is not None:  # none yet, or an action killed it
                zygote = _Zygote(self.python, self.env)
            self._zygotes[key] = zygote
            while len(self._zygotes) > _MAX_ZYGOTES:
                evicted, old = self._zygotes.popitem(last=False)
                if evicted in self._warm:
                    self._warm.pop(evicted).kill()
                old.close()
        return zygote.fork(self._learned.get(key, []))

    def cool(self) -> None:
        """Forget warm workers: the next warm run starts cold again."""
        for worker in self._warm.values():
            worker.kill()
        self._warm.clear()

    def close(self) -> None:
        for worker in [*self._active, *self._warm.values(), *self._prepared.values()]:
            worker.kill()
        self._active.clear()
        self._warm.clear()
        self._prepared.clear()
        for zygote in self._zygotes.values():
            zygote.close()
        self._zygotes.clear()


def library_imports(code: Path) -> list[str]:
    """The modules an action's file imports at its top level, other than the repo's own: the
    runtime can import them before the run starts. Unreadable code gives none (the run
    reports the problem)."""
    try:
        tree = ast.parse(code.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return []
    names = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return [n for n in dict.fromkeys(names) if n.split(".")[0] not in ("shared", "hs_actions")]


def _supervise(worker: _Worker, request: dict, timeout: float, memory_mb: float,
               masks: Masks) -> tuple[RawOutcome, _LogReader]:
    """Send the run, then watch time and memory until the worker answers or must be stopped.
    Returns the outcome and the reader still collecting the run's log."""
    log_read, log_write = os.pipe()
    logs = _LogReader(log_read, masks)
    logs.start()
    started = time.monotonic()
    pending = {"op": "run", **request}

    def send_run() -> None:
        try:
            worker.channel.send(pending, fds=[log_write])
        except OSError:
            pass  # the worker is already gone: reported below as died
        finally:
            os.close(log_write)

    # A prepared worker may still be importing the action's libraries: its answer comes
    # first, then the run is sent. Both count against the run's time, as a cold start does.
    sent = not worker.unanswered
    if sent:
        send_run()
    limit = memory_mb * 1024 * 1024
    peak = 0
    kind, reply, ticks = None, None, 0
    while kind is None:
        ready, _, _ = select.select([worker.channel], [], [], _TICK)
        if ready:
            reply, _ = worker.channel.recv()
            if reply is not None and not sent:
                worker.unanswered -= 1
                sent = not worker.unanswered
                if sent:
                    send_run()
                reply = None
                continue
            kind = "died" if reply is None else ("raised" if "raised" in reply else "returned")
            break
        ticks += 1
        # The worker every tick; its whole tree (a container counts that) every tenth.
        rss = worker.footprint(worker.processes() if ticks % 10 == 0 else [worker.process])
        peak = max(peak, rss)
        if rss > limit:
            kind = "memory"
        elif time.monotonic() - started > timeout:
            kind = "timeout"
    if not sent:
        os.close(log_write)
    elapsed = time.monotonic() - started
    if kind in ("memory", "timeout"):
        worker.kill()
    outcome = RawOutcome(kind, duration_ms=elapsed * 1000, peak_mb=peak / 2**20)
    if reply:
        outcome.returned = reply.get("returned")
        outcome.raised = reply.get("raised")
        outcome.duration_ms = reply["duration_ms"]
        kb = reply["memory"]
        peak_kb = kb["peak"] - kb["file"] + max(kb["file"], worker.file_floor // 1024)
        outcome.peak_mb = max(outcome.peak_mb, peak_kb / 1024)
        outcome.imported = reply.get("imported", [])
        outcome.refused = reply.get("refused", [])
        # A peak between two samples is still a peak: the kernel's high-water mark counts.
        if (outcome.raised and outcome.raised.get("memory")) or outcome.peak_mb > memory_mb:
            outcome.kind = "memory"
    return outcome, logs


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _describe(processes: list[psutil.Process]) -> list[str]:
    """Processes as `pid: command`."""
    described = []
    for proc in processes:
        try:
            described.append(f"{proc.pid}: {' '.join(proc.cmdline()) or proc.name()}")
        except psutil.Error:
            pass
    return described


def _status(returncode: int) -> dict:
    if returncode < 0:
        return {"exit_code": None, "signal": -returncode}
    return {"exit_code": returncode, "signal": None}


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
