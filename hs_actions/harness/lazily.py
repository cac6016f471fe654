"""Modules imported when first used, not when imported: `hs-actions run` starts the runtime
before it needs them, and the import's cost then overlaps the runtime's start-up."""
from __future__ import annotations

import importlib


class ImportedOnFirstUse:
    """Stands for the module `name`, imported by a plain import at its first use: thread-safe
    (simulate's lanes use it at once), and an import interrupted halfway (Ctrl-C, SIGTERM)
    leaves no half-executed module behind, as importlib's LazyLoader did: the interrupted
    `psutil.Process()` of a run made its own `except psutil.Error:` fail with an AttributeError,
    which replaced the SIGTERM's exit (143) with a traceback (1)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        return getattr(importlib.import_module(self._name), attribute)


psutil = ImportedOnFirstUse("psutil")   # ~10 ms to import
