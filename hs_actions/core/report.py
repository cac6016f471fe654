"""The one contract between a command and the CLI: a command returns a Report, the CLI prints it.

Why: commands used to print to streams passed in, return strings, or take `out=print`, and
cli.py formatted some of them itself. With one shape, every command is a function a test calls
and reads (lines, exit code, JSON), without a terminal, as functions-framework's thin `_cli.py`
hands everything to functions it can test.

What a command says once it is done goes in its Report. What must be heard while it runs goes
through a Console instead, because waiting for the end would change what the user sees:
`bundle` names each action before seconds of tests and gives each result before the next
begins, `pull` and `portal pull` redraw a counter, `portal serve` gives its address and then
runs until stopped, `setup` says what it builds before building it. Warnings about one of
several actions (a broken action.toml in `list`, `check` or `bundle`) go to stderr the same way.
"""
from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, TextIO


@dataclass
class Report:
    """A command's answer: `lines` for stdout (each printed with a newline after it; one entry
    may hold several lines), the process's `exit_code`, and `data`, the JSON document a command
    run with --json answers with instead of lines (None otherwise).

    `shown` counts the first lines a Console already wrote while the command ran; the CLI
    prints the rest, so nothing is printed twice and nothing is lost."""
    lines: list[str] = field(default_factory=list)
    exit_code: int = 0
    data: Any = None
    shown: int = 0

    def text(self) -> str:
        """All the command says on stdout, as one text: what a test reads."""
        return "".join(f"{entry}\n" for entry in self._entries(0))

    def unshown(self) -> list[str]:
        """What is left for the CLI to print, one print() each: the JSON document, or the lines
        no Console wrote while the command ran. One print() per entry, as the commands printed
        before this contract, so that a reader leaving early (`| head`) meets the same writes."""
        return self._entries(self.shown)

    def _entries(self, start: int) -> list[str]:
        if self.data is not None:
            return [json.dumps(self.data, indent=2, default=str)]
        return self.lines[start:]


class Console:
    """Where a command speaks while it runs, before its Report is printed.

    `note` writes a warning or one action's problem to stderr at once; `step` says what a slow
    step is doing, at once too, on the progress stream (stderr unless given another), which a
    redrawn counter (account.progress) also writes to. `show` adds lines to the report and,
    when the console has a stdout (the CLI gives it sys.stdout), writes them at once too. A
    console without stdout (tests, the default) keeps them in the report only, where the
    caller reads them. Unless given others, stderr and the progress stream are sys.stderr as it
    is when written to, so that a redirection made after the console was built is honoured."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None, progress: TextIO | None = None):
        self.out = out
        self._err = err
        self._progress = progress
        # Steps may be said from several threads (bundles verified at once) while results are
        # shown: one writer at a time, and stdout's buffer written out before a line goes to
        # stderr, so that a log both go to (CI's) never has a line spliced into another where
        # stdout's buffer happened to fill.
        self._lock = threading.RLock()

    @property
    def err(self) -> TextIO:
        return self._err or sys.stderr

    @property
    def progress(self) -> TextIO:
        return self._progress or sys.stderr

    def note(self, line: str) -> None:
        with self._lock:
            self._written_out()
            print(line, file=self.err)

    def step(self, line: str) -> None:
        with self._lock:
            self._written_out()
            print(line, file=self.progress, flush=True)

    def _written_out(self) -> None:
        if self.out is not None:
            self.out.flush()

    def show(self, report: Report, *lines: str, flush: bool = False) -> None:
        """Add `lines` to `report`, and write every line of it not yet written to stdout, if
        this console has one. Not flushed unless asked: a reader that stops early (`| head`)
        then ends the command where it ended it before, at the CLI's final flush."""
        report.lines.extend(lines)
        if self.out is None:
            return
        with self._lock:
            for line in report.lines[report.shown:]:
                print(line, file=self.out)
            report.shown = len(report.lines)
            if flush:
                self.out.flush()
