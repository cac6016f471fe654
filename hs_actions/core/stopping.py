"""Serving until the user stops it: Ctrl-C, SIGTERM (CI, `kill`), or a test's event."""
from __future__ import annotations

import signal
import threading


def until_stopped(stop: threading.Event | None = None) -> None:
    """Block until Ctrl-C, SIGTERM or `stop` is set. SIGTERM can be caught in the main thread
    only; elsewhere (a test serving from a thread) `stop` ends it."""
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
