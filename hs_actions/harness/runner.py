"""Runs one action's request in HubSpot's runtime, with HubSpot's limits enforced from outside.

A Runner keeps the runtime processes (zygote.py) for the actions it runs: fresh for one CLI
run, or one per recently run action for the many runs of a pytest session. For each run the
supervisor forks an action process; the runner puts it in a memory cgroup (worker.py), hands
over the run and its log pipe (logs.py), serves the sandbox's channels (gateway.py) and, while
the run lasts, watches memory and the clock. What happened comes back as a RawOutcome, which
harness.py judges against the manifest.
"""
from __future__ import annotations

import ast
import json
import os
import select
import socket
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from hs_actions.core import hubspot_runtime, project, pyimports
from hs_actions.core.errors import ToolkitError
from hs_actions.core.masking import Masks
from hs_actions.harness import sandbox
from hs_actions.harness.answer import AnswerReader
from hs_actions.harness.inside import protocol
from hs_actions.harness.logs import LogReader
from hs_actions.harness.worker import Worker
from hs_actions.harness.zygote import ANSWER_SECONDS, PRELOAD_SECONDS, SupervisorLost, Zygote, described

_TICK = 0.005                 # how often memory is sampled while an action runs
_WATCH = 0.1                  # how often the clock is looked at where the kernel keeps the memory figures
_MAX_ZYGOTES = 4              # one per recently run action; each holds that action's libraries
_GRACE = 2.0                  # how long past a run's limit the supervisor may take to say so
_LATE = 0.5                   # a run this far past its limit by the toolkit's own clock is a timeout
_SAMPLING = "sampling every 5 ms"
# Top-level names of HubSpot's libraries: the only modules a supervisor preloads.
_LIBRARIES = frozenset(name.split(".")[0] for lib in hubspot_runtime.LIBRARIES for name in (*lib.imports, *lib.brings))


@dataclass
class RawOutcome:
    """What happened in the runtime, before anything is judged against the manifest."""

    kind: str                            # one of protocol.ENDINGS, or protocol.MEMORY
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
    threads: int = 0                     # threads the action process still ran when main had ended
    kept: bool = False                   # the action process is kept for the next warm run
    late_calls: int = 0                  # connections refused since the action's last run ended
    isolation: dict = field(default_factory=dict)      # sandbox, reason, memory, processes


class Runner:
    """Runs requests on one runtime interpreter.

    mode "spawn": a fresh runtime process per run (what one CLI run needs).
    mode "fork": a runtime process per action forks each run's action process; modules of
    HubSpot's libraries (those the action's file imports at its top level, parsed here, and
    those of them a run went on to import) are imported by it before the next fork, so repeated
    runs skip that cost while each run still starts from a clean process.
    `setting` is the sandbox setting (sandbox.mode()): auto, off or required.
    """

    def __init__(self, python: Path, mode: str = "spawn", setting: str | None = None):
        self.python = python
        self.mode = mode
        self.setting = setting or sandbox.mode()
        self.env = dict(hubspot_runtime.ENVIRONMENT)  # what a process starts with, before a run's own
        self._zygotes: OrderedDict[str, Zygote] = OrderedDict()
        self._static: dict[str, tuple[int, list[str]]] = {}   # key -> (code's mtime, libraries it imports)
        self._learned: dict[str, set[str]] = {}    # key -> modules of HubSpot's libraries its runs imported
        self._warm: dict[str, Worker] = {}
        self._ahead: dict[str, tuple[Worker, float]] = {}   # key -> (action process forked ahead, its memory limit)
        self._prepared: dict[str, Zygote] = {}
        self._active: set[Worker] = set()     # running now: ended by close() on an interrupt
        self._lock = threading.Lock()
        self._cgroups: sandbox.RunCgroups | None | bool = None if self.setting != "off" else False

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
        if worker is None:
            worker = self._forked_ahead(key, request["action"], memory_mb)
        try:
            if worker is None:
                worker = self._fork(key, request["action"], Path(request["helpers_root"]), memory_mb)
        except SupervisorLost as lost:
            return RawOutcome(protocol.MALFORMED, problem=f"the runtime process failed before the run: {lost}")
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
        if outcome.kind in protocol.ANSWERED:
            self._learned.setdefault(key, set()).update(m for m in outcome.imported if m.split(".")[0] in _LIBRARIES)
        if self.mode == "spawn" and not kept:
            zygote.close()
        # Once the run's processes are gone the pipe closes at once; a kept worker's
        # subprocesses may hold it open, so only wait briefly for them.
        outcome.logs, outcome.logs_dropped = logs.finish(wait=0.2 if kept else 2.0)
        return outcome

    def fork_ahead(self, key: str, code: Path, helpers: Path, memory_mb: float) -> None:
        """Fork the action process of the next cold run of `key` now, so that run skips the fork
        (what `watch` does while it waits for a change). The process holds no run yet: the run's
        secrets are handed over after the fork, as ever, and the action's file is imported by
        the run. Only in fork mode; a process already kept or forked ahead stays."""
        if self.mode != "fork" or key in self._warm or key in self._ahead:
            return
        try:
            self._ahead[key] = (self._fork(key, str(code), helpers, memory_mb), memory_mb)
        except (SupervisorLost, OSError):
            pass   # the run forks again, and reports what went wrong

    def _forked_ahead(self, key: str, code: str, memory_mb: float) -> Worker | None:
        """The action process forked ahead for `key`, if it can serve this run: its supervisor is
        the one now serving the action's current code (an editor that replaced the file starts
        a new one), and its memory limit is this run's."""
        found = self._ahead.pop(key, None)
        if found is None:
            return None
        worker, limit = found
        zygote = worker.zygote
        if (limit == memory_mb and zygote.alive() and self._zygotes.get(key) is zygote and zygote.code == code
                and zygote.shows_current_code()):
            return worker
        self._end(worker)
        return None

    def prepare(self, key: str, code: Path) -> None:
        """Start the runtime process for the next run of `key` (whose code is `code`) now, and
        have it import the action's libraries while the caller builds the run's event, secrets
        and portal. Only in spawn mode: a zygote has them imported already."""
        if self.mode != "spawn" or key in self._prepared or key in self._warm:
            return
        zygote = self._start(str(code))
        try:
            zygote.send({"op": protocol.FORK}, answer=protocol.FORKED)
            zygote.preload(library_imports(code), into=protocol.INTO_ACTION)
        except OSError:
            pass  # a process that died at start is reported by the run
        self._prepared[key] = zygote

    def _start(self, code: str) -> Zygote:
        return Zygote(self.python, self.env, code, project.current().root, self.setting)

    def _zygote(self, key: str, code: str) -> Zygote:
        if self.mode == "spawn":
            zygote = self._prepared.pop(key, None)
            if zygote is not None and zygote.code == code and zygote.shows_current_code():
                return zygote
            if zygote is not None:
                zygote.kill()
            return self._start(code)
        with self._lock:
            zygote = self._zygotes.pop(key, None)
            if zygote is None or not zygote.alive() or zygote.code != code or not zygote.shows_current_code():
                if zygote is not None:
                    zygote.kill()
                zygote = self._start(code)
            self._zygotes[key] = zygote
            while len(self._zygotes) > _MAX_ZYGOTES:
                evicted, old = self._zygotes.popitem(last=False)
                if evicted in self._warm:
                    self._warm.pop(evicted).release()
                if evicted in self._ahead:
                    self._ahead.pop(evicted)[0].release()
                old.close()
        return zygote

    def _fork(self, key: str, code: str, helpers: Path, memory_mb: float) -> Worker:
        zygote = self._zygote(key, code)
        try:
            with zygote.lock:
                isolation = zygote.ready()
                if self.setting == "required" and isolation["sandbox"] != protocol.SANDBOXED:
                    zygote.kill()
                    raise ToolkitError(
                        f"the sandbox is required (sandbox = \"required\"), but this machine refused it: "
                        f"{isolation['reason']}. To enable it: {sandbox.how_to_enable()}")
                if not zygote.owes(protocol.FORKED):
                    zygote.preload(self._libraries(key, Path(code)))
                    zygote.send({"op": protocol.FORK}, answer=protocol.FORKED)
                forked = zygote.answer(protocol.FORKED, PRELOAD_SECONDS)
                # In a sandbox the kernel translates the process id it attached; without one,
                # the supervisor's own number is this process's too.
                pid = zygote.channel.sender if zygote.sandboxed else forked[protocol.FORKED]
                if not pid:
                    raise SupervisorLost("it did not say which process it forked")
        except SupervisorLost:
            zygote.kill()
            raise
        cgroups = self._run_cgroups()
        worker = Worker(zygote, pid)
        if cgroups:
            try:
                worker.cgroup = cgroups.create()
                if worker.cgroup.pids is not None:
                    worker.cgroup.limit_processes(sandbox.PROCESS_LIMIT)
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

    def _libraries(self, key: str, code: Path) -> list[str]:
        """What the supervisor may import before it forks: modules of HubSpot's libraries only,
        those the action's file imports at its top level (parsed here, again when the file
        changes) and those a run reported it went on to import. Never another module a run
        reports, which would run the action's code (or a module it wrote) in pid 1, outside the
        run's cgroup: a library's modules are HubSpot's own, read-only in the sandbox. Learning
        them matters: the client imports most of its modules lazily, at its first call (about
        60 ms a run when each fork imports them again)."""
        try:
            changed = code.stat().st_mtime_ns
        except OSError:
            return []
        cached = self._static.get(key)
        if cached is None or cached[0] != changed:
            cached = self._static[key] = (changed, [m for m in library_imports(code) if m.split(".")[0] in _LIBRARIES])
        return [*cached[1], *sorted(self._learned.get(key, set()) - set(cached[1]))]

    def _run_cgroups(self) -> sandbox.RunCgroups | None:
        if self._cgroups is None:
            self._cgroups = sandbox.RunCgroups.find() or False
        return self._cgroups or None

    def _supervise(self, worker: Worker, request: dict, timeout: float, memory_mb: float, warm: bool,
                   api, masks: Masks) -> tuple[RawOutcome, LogReader, bool]:
        """Hand the run over, then watch memory (and the supervisor's own deadline) until the
        supervisor answers. Returns the outcome, the reader still collecting the run's log, and
        whether the worker is kept for the next warm run."""
        zygote = worker.zygote
        isolation = dict(zygote.isolation, memory=worker.cgroup and f"cgroup v{worker.cgroup.version}" or _SAMPLING,
                         processes=_process_limit(worker))
        request = dict(request, warm=warm)
        if zygote.gateway:
            request["network"] = zygote.gateway.open(request, api)
        log_read, log_write = os.pipe()
        logs = LogReader(log_read, masks)
        answer_read, answer_write = os.pipe()
        reader = AnswerReader(answer_read)
        # Where no cgroup counts the run's processes, the action process limits them itself.
        processes = sandbox.PROCESS_LIMIT if isolation["processes"] == sandbox.RLIMIT else None
        started = time.monotonic()
        limit = memory_mb * 2**20
        peak, ticks, stopped_for_memory = 0, 0, False
        # Where the run's cgroup limits its memory and keeps its peak, the kernel stops it at
        # the limit and says how high it went: sampling would only cost every run its time.
        tick = _WATCH if worker.cgroup is not None and worker.cgroup.keeps_peak() else _TICK
        answer = None
        try:
            # A prepared process may still be importing the action's libraries: that answer
            # comes first, then the run is sent. Both count against the run's time, as a cold
            # start does.
            request_read = None
            try:
                zygote.read_owed(started + timeout)
                request_read = hand_over(request)
                zygote.send({"op": protocol.RUN, "timeout": started + timeout - time.monotonic(), "keep": warm,
                             "processes": processes}, fds=[log_write, request_read, answer_write])
            except OSError:
                pass  # reported below: the supervisor is gone
            finally:
                os.close(log_write)
                os.close(answer_write)
                if request_read is not None:
                    os.close(request_read)
            # One loop reads the run's log and answer as they come and waits for the
            # supervisor, looking at the clock (and memory) each tick: no thread of the run's own.
            next_tick = time.monotonic() + tick
            while answer is None:
                waiting = [zygote.channel, *(pipe for pipe in (logs, reader) if not pipe.closed)]
                ready = select.select(waiting, [], [], max(0.0, next_tick - time.monotonic()))[0]
                for pipe in ready:
                    if pipe is not zygote.channel:
                        pipe.read()
                if zygote.channel in ready:
                    answer = _checked_outcome(zygote.read(started + timeout + _GRACE)[0])
                    break
                if time.monotonic() < next_tick:
                    continue
                next_tick = time.monotonic() + tick
                ticks += 1
                if time.monotonic() > started + timeout + _GRACE:
                    raise SupervisorLost("it did not end the run at its time limit")
                if stopped_for_memory:
                    continue
                # The worker every tick; its whole tree (a container counts that) every tenth.
                rss = worker.footprint(worker.processes() if ticks % 10 == 0 or worker.process is None
                                       else [worker.process])
                peak = max(peak, rss)
                if rss > limit:
                    worker.stop()
                    stopped_for_memory = True
        except SupervisorLost as lost:
            reader.stop()
            zygote.kill()
            worker.release()
            elapsed = time.monotonic() - started
            kind = protocol.TIMEOUT if elapsed > timeout else protocol.MALFORMED
            outcome = RawOutcome(kind, problem=f"the supervisor failed: {lost}", duration_ms=elapsed * 1000,
                                 peak_mb=peak / 2**20, isolation=isolation)
            return outcome, logs, False
        except BaseException:   # interrupted: the run's pipes are not read again
            reader.stop()
            logs.close()
            raise
        finally:
            if zygote.gateway:
                zygote.gateway.close_run()
        elapsed = time.monotonic() - started
        found, leftover = answer
        outcome = _raw(found, isolation, reader)
        if outcome.kind == protocol.TIMEOUT:
            # The limit counts from here (a prepared process's imports included), the
            # supervisor's clock only from when it was handed the run.
            outcome.duration_ms = max(outcome.duration_ms, elapsed * 1000)
        outcome.peak_mb = max(peak / 2**20, outcome.peak_mb)
        if found.get("memory_kb"):
            kb = found["memory_kb"]
            outcome.peak_mb = max(outcome.peak_mb, (kb["peak"] - kb["file"] + max(kb["file"], worker.floor // 1024)) / 1024)
        if outcome.kind in protocol.ANSWERED and elapsed > timeout + _LATE:
            outcome.kind = protocol.TIMEOUT  # the toolkit's own clock: the supervisor may have been stopped
            outcome.duration_ms = elapsed * 1000
        if outcome.kind in protocol.ANSWERED and leftover:
            outcome.leftover = described(leftover, zygote)
        if zygote.gateway:
            outcome.refused = sorted(set(outcome.refused) | zygote.gateway.refused)
            outcome.late_calls = zygote.gateway.late_calls
        keep = warm and outcome.kind in protocol.ANSWERED and not found.get("stray")
        try:
            zygote.send({"op": protocol.END, "keep": keep}, answer=protocol.ENDED)
            ended = zygote.answer(protocol.ENDED, ANSWER_SECONDS)[protocol.ENDED]
        except (SupervisorLost, OSError):
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
        outcome.kept = keep
        if stopped_for_memory or (outcome.raised and outcome.raised.get("memory")) or \
                (outcome.kind in (*protocol.ANSWERED, protocol.DIED) and outcome.peak_mb > memory_mb):
            outcome.kind = protocol.MEMORY
        return outcome, logs, keep

    def cool(self) -> None:
        """Forget warm workers (and those forked ahead): the next warm run starts cold again."""
        for worker in [*self._warm.values(), *(worker for worker, _ in self._ahead.values())]:
            self._end(worker)
        self._warm.clear()
        self._ahead.clear()

    def _end(self, worker: Worker) -> None:
        """End a kept worker. A zygote serving many runs stays for the next one."""
        zygote = worker.zygote
        try:
            with zygote.lock:
                zygote.send({"op": protocol.END, "keep": False}, answer=protocol.ENDED)
                zygote.answer(protocol.ENDED, ANSWER_SECONDS)
        except (SupervisorLost, OSError):
            zygote.kill()
        worker.release()
        if self.mode == "spawn":
            zygote.close()

    def close(self) -> None:
        for worker in [*self._active, *self._warm.values(), *(worker for worker, _ in self._ahead.values())]:
            worker.zygote.kill()
            worker.release()
        self._active.clear()
        self._warm.clear()
        self._ahead.clear()
        for zygote in [*self._prepared.values(), *self._zygotes.values()]:
            zygote.close()
        self._prepared.clear()
        self._zygotes.clear()
        if self._cgroups:
            self._cgroups.close()


def _process_limit(worker: Worker) -> str | None:
    """How the run's processes and threads are limited: by its cgroup's pids controller, or in
    a sandbox by RLIMIT_NPROC, which the action process sets on itself where the kernel counts
    the action's processes alone; else not at all."""
    if worker.cgroup is not None and worker.cgroup.pids is not None:
        return f"cgroup v{worker.cgroup.version} pids.max"
    if worker.zygote.sandboxed:
        from hs_actions.harness.inside import namespaces  # Linux's, as a sandbox is

        return sandbox.RLIMIT if namespaces.process_limit_holds() else None
    return None


def hand_over(request: dict) -> int:
    """The read end of a pipe the run's request is written to, for the action process alone
    to read (the supervisor passes it on unread). What the pipe does not take at once is
    written by a thread, which ends when the reader has it all or has gone."""
    data = json.dumps(request).encode()
    read, write = os.pipe()
    os.set_blocking(write, False)
    try:
        sent = os.write(write, data)
    except BlockingIOError:
        sent = 0
    if sent == len(data):
        os.close(write)
        return read
    os.set_blocking(write, True)

    def rest() -> None:
        try:
            with open(write, "wb") as pipe:
                pipe.write(data[sent:])
        except OSError:  # the reader has gone: the run reports it
            pass

    threading.Thread(target=rest, name="hs-actions-request", daemon=True).start()
    return read


def _checked_outcome(message: dict) -> tuple[dict, list]:
    """The supervisor's answer to a run, checked: SupervisorLost when it is not one."""
    problem = protocol.outcome_problem(message)
    if problem:
        raise SupervisorLost(problem)
    return message[protocol.OUTCOME], message[protocol.LEFTOVER]


def _raw(found: dict, isolation: dict, reader: AnswerReader) -> RawOutcome:
    """The supervisor's outcome `found`, with the action process's answer read by `reader`
    once the supervisor says it was sent."""
    exit_status = found.get("exit")
    outcome = RawOutcome(found["kind"], problem=str(found.get("problem", "")), duration_ms=float(found["duration_ms"]),
                         exit=exit_status if isinstance(exit_status, dict) else None, isolation=isolation)
    if found["kind"] != protocol.ANSWER:
        reader.stop()
        return outcome
    answer, outcome.problem = reader.answer(within=_GRACE)
    if answer is None:
        outcome.kind = protocol.MALFORMED
        return outcome
    outcome.kind = protocol.RAISED if protocol.RAISED in answer else protocol.RETURNED
    outcome.returned, outcome.raised = answer.get(protocol.RETURNED), answer.get(protocol.RAISED)
    outcome.imported, outcome.refused, outcome.threads = answer["imported"], answer["refused"], answer["threads"]
    return outcome


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
