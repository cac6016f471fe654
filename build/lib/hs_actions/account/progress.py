"""Progress of a long step on stderr: a counter redrawn in place on a terminal, one line at the
end elsewhere (CI logs stay readable)."""
from __future__ import annotations

import sys


class Progress:
    def __init__(self, what: str, total: int, stream=None):
        self.what, self.total, self.done = what, total, 0
        self.stream = stream or sys.stderr
        self.live = getattr(self.stream, "isatty", lambda: False)()

    def advance(self, by: int = 1) -> None:
        self.done += by
        if self.live:
            self.stream.write(f"\r{self.what}: {self.done}/{self.total}")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self.total:
            self.stream.write(f"{chr(13) if self.live else ''}{self.what}: {self.done}/{self.total}\n")
