"""`hs-actions check`: what HubSpot's runtime would fail, found before pasting.

Every file rule runs on the action and on each helper it imports (inlined, they run in
HubSpot too); the action rules compare the code with action.toml. Findings print as
`path:line: rule: message. Fix: ...`.

Each family of rules is a module here that declares its rules in the registry (registry.py)
as it is imported; run.py applies whatever the registry holds.
"""
# Imported for the rules they declare, in the order --list-rules shows them and the checks of
# one kind run in (which no check depends on).
from hs_actions.check import helpers, python39, imports, client, sunset, secrets, outputs, inputs, main_return, flakes, size
from hs_actions.check.registry import ERROR, RULES, WARNING, Finding, listing
from hs_actions.check.run import check, has_errors

FAMILIES = (helpers, python39, imports, client, sunset, secrets, outputs, inputs, main_return, flakes, size)

__all__ = ["ERROR", "FAMILIES", "RULES", "WARNING", "Finding", "check", "has_errors", "listing"]
