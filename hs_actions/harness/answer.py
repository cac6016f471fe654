"""A run's answer (what main returned or raised), read from the pipe the action process writes it to.

The answer may hold secrets (an output main returned), so it never passes through the
supervisor, which every later run forks from: the toolkit hands the pipe's write end over with
the run, and reads the answer here, with a size cap and a schema check (inside/protocol.py).
"""
from __future__ import annotations

import os

from hs_actions.harness.inside import protocol
from hs_actions.harness.logs import read_while_open
from hs_actions.harness.inside.channel import ChannelError, unframed


class AnswerReader:
    """The answer pipe, read as the action process writes (an answer larger than the pipe
    would block it otherwise: the runner calls read() whenever select() finds it readable)
    until one whole frame has arrived, the pipe closes, or more than MAX_MESSAGE bytes were
    announced."""

    def __init__(self, fd: int):
        self.fd = fd
        self.message: dict | None = None
        self.problem = "the action process said it had answered, but no answer reached the toolkit"
        self.closed = False
        self._data = bytearray()

    def fileno(self) -> int:
        return self.fd

    def read(self) -> None:
        """Take what the pipe holds; close it once the answer is whole, wrong, or not coming."""
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            self.stop()
            return
        self._data += chunk
        try:
            self.message = unframed(self._data)
        except ChannelError as error:
            self.problem = f"the action process sent the toolkit {error}"
            self.stop()
            return
        if self.message is not None:
            self.stop()

    def answer(self, within: float) -> tuple[dict | None, str]:
        """The answer, checked, and '' once it has arrived within `within` seconds; else None
        and what was wrong."""
        read_while_open(self, within)
        self.stop()
        if self.message is None:
            return None, self.problem
        problem = protocol.action_answer_problem(self.message)
        if problem:
            return None, f"the action process sent the toolkit {problem}"
        return self.message, ""

    def stop(self) -> None:
        """Read no more: a writer still writing gets EPIPE."""
        if not self.closed:
            self.closed = True
            os.close(self.fd)
