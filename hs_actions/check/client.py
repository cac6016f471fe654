"""Rules of the HubSpot client: what hubspot-api-client, as HubSpot's runtime has it, lacks.

Code written for a newer client (client.crm.deals.associations_api, added after 8.x) raises
AttributeError only when HubSpot runs it; the client's surface in the runtime's version is
data generated from that package (data/client_surface.json, scripts/client_surface.py), and
an attribute path on a client that leaves it is named here with the nearest one it has.
"""
from __future__ import annotations

import ast
import difflib
import json
from functools import cache
from pathlib import Path

from hs_actions.check.registry import ERROR, FILE, Finding, rule

SURFACE = Path(__file__).with_name("data") / "client_surface.json"


@cache
def surface() -> dict:
    return json.loads(SURFACE.read_text())


@cache
def _paths_by_name() -> dict[str, list[tuple[str, ...]]]:
    """{attribute name: every path of the surface that ends in it}."""
    found: dict[str, list[tuple[str, ...]]] = {}

    def walk(level: dict, path: tuple[str, ...]) -> None:
        for name, below in level.items():
            found.setdefault(name, []).append((*path, name))
            if below:
                walk(below, (*path, name))
    walk(surface()["client"], ())
    return found


def _nearest(parts: list[str], level: dict) -> str | None:
    """The path the client has that `parts` most likely meant: the same name elsewhere (the
    one sharing the longest start with it: crm.objects.associations_api for
    crm.deals.associations_api), else the most similar name beside it."""
    name, parent = parts[-1], parts[:-1]
    elsewhere = _paths_by_name().get(name, [])
    if elsewhere:
        def shared(path):
            return next((i for i, (a, b) in enumerate(zip(path, parent)) if a != b), min(len(path), len(parent)))
        return ".".join(max(elsewhere, key=lambda path: (shared(path), -len(path))))
    similar = difflib.get_close_matches(name, list(level), n=1, cutoff=0.5)
    return ".".join([*parent, similar[0]]) if similar else None


def _is_client_call(node) -> bool:
    """HubSpot(...), hubspot.HubSpot(...), hubspot.Client.create(...) or HubSpot.create(...)."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr == "create":
        func = func.value
    return (isinstance(func, ast.Name) and func.id in ("HubSpot", "Client")) or \
        (isinstance(func, ast.Attribute) and func.attr in ("HubSpot", "Client"))


def _client_names(tree: ast.AST) -> set[str]:
    """Names (and self.<name> attributes) a client is assigned to anywhere in the file."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and _is_client_call(node.value):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if isinstance(target, ast.Name):
                    names.add(target.id)
                elif isinstance(target, ast.Attribute):
                    names.add(target.attr)
    return names


def _chain(node: ast.Attribute) -> tuple[str, list[str]] | None:
    """(root name, attributes) of client.a.b.c, the root a Name or self.<name>; None otherwise."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return node.id, parts[::-1]
    return None


def _outermost(tree: ast.AST):
    """Each attribute chain once, by its longest form (client.crm.deals, not also client.crm)."""
    inner = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            inner.add(id(node.value))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and id(n) not in inner]


@rule("client-attribute", ERROR, "an attribute of the HubSpot client that hubspot-api-client in HubSpot's "
      "runtime does not have", takes=FILE)
def client_attribute_rule(source) -> list[Finding]:
    clients = _client_names(source.tree)
    if not clients:
        return []
    data = surface()
    found = []
    for node in _outermost(source.tree):
        chain = _chain(node)
        if chain is None:
            continue
        root, parts = chain
        if root == "self" and parts and parts[0] in clients:
            root, parts = parts[0], parts[1:]
        elif root not in clients:
            continue
        level = data["client"]
        for depth, part in enumerate(parts):
            if level is None:
                break   # past the end of a known path (a method's result, a value): not ours to judge
            if part in level:
                level = level[part]
                continue
            have = ".".join([root, *parts[:depth]])
            nearest = _nearest(parts[:depth + 1], level)
            named = f"{root}.{nearest}" if nearest else None
            found.append(Finding(
                source.display, node.lineno, "client-attribute",
                f"{root}.{'.'.join(parts[:depth + 1])}: hubspot-api-client {data['version']}, the version in HubSpot's "
                f"runtime, has no {part!r} on {have}"
                + (f"; the nearest it has is {named}" if named else f"; it has {', '.join(sorted(level))}"),
                f"use {named}" if named else f"use one of {have}'s attributes"))
            break
    return found


@rule("client-api-key", ERROR, "a HubSpot client made with api_key=, which HubSpot no longer accepts", takes=FILE)
def client_api_key_rule(source) -> list[Finding]:
    return [Finding(source.display, node.lineno, "client-api-key",
                    "the HubSpot client is given api_key=, but HubSpot removed API keys: every call would be a 401",
                    "pass access_token= a private app's token, read from a secret (os.environ[...])")
            for node in ast.walk(source.tree)
            if _is_client_call(node) and any(k.arg == "api_key" for k in node.keywords)]
