"""Rule api-sunset: a URL of an API HubSpot has removed, which every call answers with a 404.

Published actions still call `https://api.hubapi.com/owners/v2/owners/{id}`, sunset on
2025-03-24, and read the 404 as "user not found". The APIs, dates and replacements are the
local portal's (`sunset` in hs_actions/portal/data/hubspot_apis.json, with their sources), so
check and a local run say the same.
"""
from __future__ import annotations

import ast
import re

from hs_actions.check.registry import ERROR, FILE, Finding, rule
from hs_actions.portal.urls import sunset

# The path of a URL of HubSpot's API in a literal, or a literal that is a path (BASE + "/owners/v2/...").
_PATH = re.compile(r"(?:https?://api\.hubapi\.com|https?://api\.hubspot\.com)?(/[^\s?#\"']*)")


def _texts(tree: ast.AST):
    """(line, text) of each string literal, an f-string's literal parts included."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


@rule("api-sunset", ERROR, "a URL of an API HubSpot has sunset: every call to it is a 404", takes=FILE)
def api_sunset_rule(source) -> list[Finding]:
    found = []
    for line, text in _texts(source.tree):
        match = _PATH.match(text.strip())
        removed = sunset(match.group(1)) if match else None
        if removed:
            found.append(Finding(
                source.display, line, "api-sunset",
                f"{match.group(1)} is a call of {removed['family']}, which HubSpot sunset on {removed['date']}: "
                "HubSpot answers every call to it with a 404",
                f"call {removed['instead']} instead"))
    return found
