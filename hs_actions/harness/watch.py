"""`hs-actions watch`: run an action as `run` does, then again each time one of its files
changes, until Ctrl-C.

Runs fork from a runtime process kept warm with the action's libraries imported (the Runner's
fork mode, as in a pytest session), so a re-run costs a fork, not an interpreter's start. That
process never imports the action or its helpers (each run imports them afresh), so an edit is
what the next run runs; one started before the action's file was replaced by a new file (an
editor's atomic save) is restarted by the Runner, as its sandbox shows the old file.

Whether a file changed is told by its os.stat: the same on every system. When to look is told
by the kernel where it can (Linux's inotify, on the folders of the watched files): an idle watch
then sleeps, where looking every 50 ms woke it 20 times a second (0.8% of a core, and a laptop's
processor kept from its deeper sleep). It still looks every CHECK_SECONDS, for what no event
covers (a folder made since, a file left empty); without inotify it looks every POLL_SECONDS.
A change seen may be mid-write (an editor truncates, then writes): a file just emptied is given
a moment to be written, and when the files changed while the run ran its result is dropped and
the action run again, so a half-written file shows no spurious error, and a change costs no
waiting.
"""
from __future__ import annotations

import ast
import ctypes
import json
import os
import select
import signal
import socket
import threading
import time
from pathlib import Path
from typing import TextIO

from hs_actions.core import project
from hs_actions.core.errors import ToolkitError
from hs_actions.core.report import Report
from hs_actions.core.text import escaped

POLL_SECONDS = 0.05    # how often files are looked at where the kernel does not say when they change
CHECK_SECONDS = 0.5    # how often they are looked at all the same where it does
EMPTIED_SECONDS = 0.2   # a file emptied this recently is taken to be in the middle of being written
# Cursor home, clear the screen and its scrollback: the only escape codes watch writes itself
# (the report's own text is escaped, its status word coloured by report.human).
CLEAR = "\x1b[H\x1b[2J\x1b[3J"
NOT_RUN = "not_run"   # --json's status for a run that could not start (a broken action.toml, ...)


def watch(ref: str, *, out: TextIO, event: str | None = None, object_id: int | None = None,
          inputs: list[str] = (), env_file: Path | None = None, timeout: float | None = None,
          memory: float | None = None, extended_event: bool = False, allow_hosts: list[str] = (),
          portal_db: Path | None = None, failures=(), rate_limit: str | None = None, as_json: bool = False,
          colour: bool = False, clear: bool = False, stop: threading.Event | None = None) -> Report:
    """Run the action `ref` (options as for `run`), then again whenever its files change,
    writing each result to `out` as it comes: the report (after clearing the screen, with
    `clear`), or with as_json one JSON object a line. Ends with exit code 0 on Ctrl-C, SIGTERM
    or `stop` (set by another thread: seen within CHECK_SECONDS): ending is how a watch is used,
    as for `portal serve`."""
    from hs_actions.harness import Harness
    from hs_actions.harness.commands import input_values, served_portal

    if event == "-":
        raise ToolkitError("watch --event -: stdin is read once, and watch runs again: give the event as a file")
    options = dict(event_file=event, object_id=object_id, inputs=input_values(inputs), env_file=env_file,
                   timeout=timeout, memory=memory, extended_event=extended_event, allow_hosts=tuple(allow_hosts))
    from hs_actions.action.folder import located

    # An action that is not there is a mistyped name, as for `run` (exit 2); one that goes away
    # while watched is shown as a problem, and watching goes on.
    located(ref)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _ends(stop))
    extra = [Path(p) for p in (event, env_file or project.current().env_file) if p]
    with Harness(mode="fork", portal=served_portal(portal_db, failures, rate_limit)) as harness, Wakes() as wakes:
        watcher = Watcher(ref, harness, options, extra=extra, out=out, as_json=as_json, colour=colour, clear=clear)
        try:
            while not stop.is_set():
                if not watcher.step():
                    wakes.follow(watcher.folders())
                    wakes.wait(stop)
        except KeyboardInterrupt:
            pass
    return Report()


def changes_told() -> bool:
    """Whether the kernel says here when a file changes (inotify); otherwise watch polls."""
    with Wakes() as wakes:
        return wakes.told


def _ends(stop: threading.Event):
    """SIGTERM's handler: as Ctrl-C, it ends a run under way at once (a process manager waits
    for no action's 20 seconds), then the watch, with exit 0."""
    def handler(*_):
        stop.set()
        raise KeyboardInterrupt
    return handler


class Wakes:
    """When a watch looks at its files again: as soon as something changes in the folders it
    follows (inotify), or a signal comes, and every CHECK_SECONDS anyway; or, where the kernel
    offers no inotify (macOS) or no more of it (its per-user limits), every POLL_SECONDS."""

    # IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE, IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE,
    # IN_DELETE_SELF, IN_MOVE_SELF (<sys/inotify.h>): a file written, replaced, made or removed.
    EVENTS = 0x002 | 0x004 | 0x008 | 0x040 | 0x080 | 0x100 | 0x200 | 0x400 | 0x800

    def __init__(self):
        self._inotify: int | None = None
        self._signals: tuple[socket.socket, socket.socket] | None = None
        self._previous_wakeup = -1
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            self._add_watch = libc.inotify_add_watch
            fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        except (OSError, AttributeError):   # not Linux
            return
        if fd < 0:
            return
        self._inotify = fd
        if threading.current_thread() is threading.main_thread():
            # A signal (Ctrl-C, SIGTERM) writes to this socket, ending the wait at once: Python
            # runs its handler, and the loop sees `stop`.
            self._signals = socket.socketpair()
            for end in self._signals:
                end.setblocking(False)
            self._previous_wakeup = signal.set_wakeup_fd(self._signals[1].fileno(), warn_on_full_buffer=False)

    @property
    def told(self) -> bool:
        """Whether the kernel says when the folders followed change (else: looked at every POLL_SECONDS)."""
        return self._inotify is not None

    def follow(self, folders) -> None:
        """Be woken by changes in `folders` (one that does not exist is looked at every
        CHECK_SECONDS). Asked again before each wait: the kernel keeps one watch per folder, and
        a folder removed and made again is followed anew."""
        if self._inotify is None:
            return
        for folder in folders:
            self._add_watch(self._inotify, os.fsencode(folder), self.EVENTS)

    def wait(self, stop: threading.Event) -> None:
        if self._inotify is None:
            stop.wait(POLL_SECONDS)
            return
        ready, _, _ = select.select([self._inotify, *self._signals[:1]] if self._signals else [self._inotify],
                                    [], [], CHECK_SECONDS)
        for fd in ready:   # what woke it is read away: each step looks at every file anyway
            self._drain(fd if isinstance(fd, int) else fd.fileno())

    @staticmethod
    def _drain(fd: int) -> None:
        try:
            while os.read(fd, 65536):
                pass
        except (BlockingIOError, InterruptedError):
            pass

    def __enter__(self) -> "Wakes":
        return self

    def __exit__(self, *exc_info) -> None:
        if self._signals is not None:
            signal.set_wakeup_fd(self._previous_wakeup)
            for end in self._signals:
                end.close()
        if self._inotify is not None:
            os.close(self._inotify)


class Watcher:
    """One action, watched: step() runs it when any file it depends on changed since the last
    run (or there was none yet), and writes what happened."""

    def __init__(self, ref: str, harness, options: dict, *, extra: list[Path], out: TextIO,
                 as_json: bool = False, colour: bool = False, clear: bool = False):
        from hs_actions.action.folder import locate

        self._ref = ref
        self._harness = harness
        self._options = options
        self._extra = extra
        self._out = out
        self._as_json = as_json
        self._colour = colour
        self._clear = clear
        self._folder = locate(ref)
        self._imports: dict[Path, tuple[tuple, list[str]]] = {}   # file -> (its stat, shared modules it imports)
        self._seen: dict[Path, tuple | None] | None = None
        self._looked: dict[Path, tuple | None] = {}             # what the last step found

    def step(self) -> bool:
        """Run the action if a file it depends on changed since the last result shown, and
        show the result; whether it did."""
        seen = self._looked = self._stats()
        if seen == self._seen or self._emptied(seen):
            return False
        outcome = self._run()
        if self._stats() != seen:   # changed while it ran: a result of what is there no more
            return False            # (the next step runs it again)
        self._seen = seen
        self._write(outcome)
        self._fork_ahead()
        return True

    def folders(self) -> set[Path]:
        """The folders of the files the last step looked at."""
        return {path.parent for path in self._looked}

    def _fork_ahead(self) -> None:
        """Fork the next run's action process while waiting for a change: a re-run then pays
        only the run (bench_watch's figure)."""
        try:
            self._harness.fork_ahead(self._ref, memory=self._options.get("memory"))
        except ToolkitError:
            pass   # a folder or action.toml that cannot be read: the next run says so

    def _emptied(self, seen: dict[Path, tuple | None]) -> bool:
        """Whether a file changed to empty a moment ago: most likely truncated by an editor
        that is about to write it (one left empty runs once the moment has passed)."""
        now = time.time_ns()
        return any(stat is not None and stat[1] == 0 and now - stat[0] < EMPTIED_SECONDS * 1e9
                   and (self._seen or {}).get(path) != stat for path, stat in seen.items())

    def _stats(self) -> dict[Path, tuple | None]:
        return {path: _stat(path) for path in self.files()}

    def files(self) -> list[Path]:
        """What a change of re-runs the action: action.py, action.toml, events/*.json, the
        shared/ helpers action.py imports (and those they import, found again as they change),
        the .env its secrets come from (or --env-file), and an event file named by its path."""
        from hs_actions.action.folder import CODE, EVENTS
        from hs_actions.action.manifest import FILENAME

        if self._folder is None:
            return list(self._extra)
        code = self._folder / CODE
        found = [code, self._folder / FILENAME, *sorted((self._folder / EVENTS).glob("*.json"))]
        found += self._helpers(code, project.current().root)
        return list(dict.fromkeys(found + self._extra))

    def _helpers(self, code: Path, root: Path) -> list[Path]:
        found: list[Path] = []
        queue = [code]
        while queue:
            for module in self._shared_imports(queue.pop()):
                parts = module.split(".")
                for depth in range(1, len(parts) + 1):   # a package's __init__.py runs on import too
                    base = root.joinpath(*parts[:depth])
                    for path in (base / "__init__.py", base.with_suffix(".py")):
                        if path not in found and (path.is_file() or depth == len(parts)):
                            found.append(path)
                            queue.append(path)
        return found

    def _shared_imports(self, path: Path) -> list[str]:
        """The modules of shared/ a file imports anywhere in it, parsed again when it changes."""
        stat = _stat(path)
        if stat is None:
            return []
        cached = self._imports.get(path)
        if cached is None or cached[0] != stat:
            from hs_actions.core import pyimports

            try:
                tree = ast.parse(path.read_bytes())
            except (OSError, SyntaxError, ValueError):   # the run reports it
                tree = ast.Module(body=[], type_ignores=[])
            names = []
            for node in pyimports.statements(ast.walk(tree)):
                names += pyimports.modules(node) + [dotted for _, dotted in pyimports.bindings(node)]
            cached = self._imports[path] = (stat, [n for n in dict.fromkeys(names) if n.split(".")[0] == "shared"])
        return cached[1]

    def _run(self):
        """The run's Result, or the ToolkitError that kept it from running (shown; watching goes on)."""
        try:
            return self._harness.run(self._ref, **self._options)
        except ToolkitError as error:
            if self._folder is None:   # the folder may have been made since
                from hs_actions.action.folder import locate

                self._folder = locate(self._ref)
            return error

    def _write(self, outcome) -> None:
        from hs_actions.harness import report

        if self._as_json:
            if isinstance(outcome, ToolkitError):
                line = {"action": self._ref, "status": NOT_RUN, "ok": False, "problem": str(outcome)}
            else:
                line = outcome.to_dict()
            self._out.write(json.dumps(line, default=str) + "\n")
        else:
            text = (f"hs-actions: {escaped(str(outcome), keep=chr(10))}" if isinstance(outcome, ToolkitError)
                    else report.human(outcome, colour=self._colour))
            watched = len([path for path in self._seen if path.exists()])
            footer = f"-- {time.strftime('%H:%M:%S')}: watching {watched} files; runs again when one changes; Ctrl-C stops"
            self._out.write((CLEAR if self._clear else "") + text + "\n" + footer + "\n")
        self._out.flush()


def _stat(path: Path) -> tuple | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size, found.st_ino
