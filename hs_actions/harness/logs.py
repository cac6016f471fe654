"""A run's log: stdout and stderr read as the action writes them, masked, kept head and tail.

The pipe is drained as it fills, so an action that prints a flood never blocks on it; what
is kept is bounded, and the middle of a flood is dropped and counted.
"""
from __future__ import annotations

import os
import select
import time

from hs_actions.core.masking import Masks

LOG_HEAD_BYTES = 1 << 20      # logs kept from the start of a run...
LOG_TAIL_BYTES = 64 << 10     # ...and from its end; the middle of a flood is dropped, counted


class LogReader:
    """A run's stdout+stderr pipe, kept head and tail. The runner calls read() whenever the
    pipe is readable while the run lasts (in the loop that waits for the run, rather than in a
    thread of each run's own), so an action that prints a flood never blocks on it.

    The log is masked as it is read, before anything is dropped: a secret printed where the
    log is cut is masked whole, never left in two pieces. The cuts split neither a mask nor
    a character: the head may end a few bytes past LOG_HEAD_BYTES, the tail keep a few more
    than LOG_TAIL_BYTES."""

    def __init__(self, fd: int, masks: Masks):
        self.fd = fd
        self.masks = masks
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0
        self.closed = False
        self._stream = masks.stream()

    def fileno(self) -> int:
        return self.fd

    def read(self) -> None:
        """Take what the pipe holds (select() said it is readable); close once it has closed."""
        chunk = os.read(self.fd, 1 << 16)
        if chunk:
            self._keep(self._stream.feed(chunk))
        else:
            self.close()

    def close(self) -> None:
        """Stop reading: what is held back for a value that may go on is kept as it is."""
        if not self.closed:
            self.closed = True
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
        """Read until the pipe closes, for up to `wait` seconds (processes the run left may
        hold it open), then return the log and how many bytes were dropped from its middle."""
        read_while_open(self, wait)
        self.close()
        if not self.dropped:
            return (self.head + self.tail).decode("utf-8", "backslashreplace"), 0
        return (self.head.decode("utf-8", "backslashreplace")
                + f"\n[hs-actions: {self.dropped:,} bytes of log dropped here]\n"
                + self.tail.decode("utf-8", "backslashreplace")), self.dropped


def read_while_open(pipe, seconds: float) -> None:
    """pipe.read() whenever it is readable, until it closes (pipe.closed) or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while not pipe.closed:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([pipe], [], [], left)[0]:
            return
        pipe.read()
