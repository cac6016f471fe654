"""A run's answer (what main returned or raised), read from the pipe the action process writes it to.

The answer may hold secrets (an output main returned), so it never passes through the
supervisor, which every later run forks from: the toolkit hands the pipe's write end over with
the run, and reads the answer here, with a size cap and a schema check (inside/protocol.py).
"""
from __future__ import annotations

import os
import select
import threading

from hs_actions.harness.inside import protocol
from hs_actions.harness.inside.channel import ChannelError, unframed


class AnswerReader(threading.Thread):
    """Drains the answer pipe as the action process writes (an answer larger than the pipe
    would block it otherwise) until one whole frame has arrived, the pipe closes, or more than
    MAX_MESSAGE bytes were sent."""

    def __init__(self, fd: int):
        super().__init__(name="hs-actions-answer", daemon=True)
        self.fd = fd
        self.message: dict | None = None
        self.problem = "the action process said it had answered, but no answer reached the toolkit"
        self._data = bytearray()
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                if not select.select([self.fd], [], [], 0.05)[0]:
                    continue
                chunk = os.read(self.fd, 1 << 16)
                if not chunk:
                    return
                self._data += chunk
                try:
                    self.message = unframed(self._data)
                except ChannelError as error:
                    self.problem = f"the action process sent the toolkit {error}"
                    return
                if self.message is not None:
                    return
        finally:
            os.close(self.fd)  # a writer still writing gets EPIPE: nothing more is read

    def answer(self, within: float) -> tuple[dict | None, str]:
        """The answer, checked, and '' once it has arrived within `within` seconds; else None
        and what was wrong."""
        self.join(within)
        self.stop()
        if self.message is None:
            return None, self.problem
        problem = protocol.action_answer_problem(self.message)
        if problem:
            return None, f"the action process sent the toolkit {problem}"
        return self.message, ""

    def stop(self) -> None:
        self._stopping.set()
        self.join()
