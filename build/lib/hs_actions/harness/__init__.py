"""Runs one action as HubSpot would: event, secrets, limits, outputs, logs.

Exports are loaded on first use, so a caller can import one light module (runtime, runner)
and start HubSpot's runtime before the rest of the harness has loaded.
"""
import importlib

_EXPORTS = {
    "Action": "hs_actions.action.folder",
    "load_action": "hs_actions.action.folder",
    "Harness": "hs_actions.harness.harness",
    "Failure": "hs_actions.harness.result",
    "Result": "hs_actions.harness.result",
}

__all__ = list(_EXPORTS)


def __getattr__(name):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(_EXPORTS[name])
    return getattr(module, "load" if name == "load_action" else name)
