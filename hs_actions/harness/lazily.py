"""Modules imported when first used, not when imported: `hs-actions run` starts the runtime
before it needs them, and the import's cost then overlaps the runtime's start-up."""
from __future__ import annotations

import importlib.util
import sys


def imported_on_first_use(name: str):
    """The module `name`, executed when first used (psutil takes ~10 ms to import)."""
    if name not in sys.modules:
        spec = importlib.util.find_spec(name)
        spec.loader = importlib.util.LazyLoader(spec.loader)
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


psutil = imported_on_first_use("psutil")


def load_now() -> None:
    """Execute the modules imported on first use now, before several threads use them at once
    (simulate's lanes): Python's LazyLoader before 3.12 is not thread-safe, and a second
    thread would meet a half-executed module (AttributeError: no attribute 'Process')."""
    psutil.Process
