"""Rules of inputs: the input fields the code reads against those action.toml declares, and
the properties those fields name against the local portal's catalogue."""
from __future__ import annotations

import ast
import re
from contextlib import closing

from hs_actions.action import manifest as manifest_module
from hs_actions.check.literals import is_str
from hs_actions.check.registry import ACTION, ERROR, MANIFEST, WARNING, Finding, rule
from hs_actions.harness.event import DECLARE_PROPERTY, unknown_properties
from hs_actions.portal.backend import Backend


@rule("input-undeclared", ERROR, "an input field read but not declared in action.toml", takes=ACTION)
def input_rule(subject) -> list[Finding]:
    """Literal keys read from main's event["inputFields"] (or .get), directly or through a
    variable; reads in other functions are not followed."""
    action, toml = subject.source, subject.toml
    main = next((n for n in action.tree.body if isinstance(n, ast.FunctionDef) and n.name == "main"), None)
    if main is None or not main.args.args:
        return []
    event = main.args.args[0].arg
    declared = {i.name for i in subject.manifest.inputs}

    def is_inputs(node) -> bool:
        """event["inputFields"], event.get("inputFields"[, default]), or a variable holding it."""
        if isinstance(node, ast.Name):
            return node.id in holders
        return _item(node, lambda base: isinstance(base, ast.Name) and base.id == event) == "inputFields"

    holders = set()
    for node in ast.walk(main):
        if isinstance(node, ast.Assign) and is_inputs(node.value):
            holders.update(t.id for t in node.targets if isinstance(t, ast.Name))
    found = []
    for node in ast.walk(main):
        name = _item(node, is_inputs)
        if name is not None and name not in declared:
            found.append(Finding(
                action.display, node.lineno, "input-undeclared",
                f"the input field {name!r} is read here but not declared in {toml}, so HubSpot "
                f"does not send it",
                f'declare it under [inputs] in {toml} ({name} = "<property name>") and add it in '
                f"HubSpot's properties to include in code"))
    return found


def _item(node, is_base) -> str | None:
    """The literal key of `base["key"]` or `base.get("key"[, default])` when is_base(base)."""
    if isinstance(node, ast.Subscript) and is_str(node.slice) and is_base(node.value):
        return node.slice.value
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
            and node.args and is_str(node.args[0]) and is_base(node.func.value)):
        return node.args[0].value
    return None


# -- the portal's catalogue: input fields against the properties of the object type

@rule("input-property-unknown", WARNING,
      "an input field naming a property its object type does not have in the portal's catalogue", takes=MANIFEST)
def input_property_rule(subject) -> list[Finding]:
    """Input fields naming a property that the local portal's catalogue (data files, plus what
    was seeded or pulled into `portal_db`) does not have for the action's object type. A
    warning: the catalogue may lack a property an account has. Types it does not model are
    not judged."""
    manifest, toml = subject.manifest, subject.toml
    with closing(Backend.catalogue(subject.portal_db)) as catalogue:
        known = catalogue.property_names(manifest.object_type)
    lines = (subject.folder / manifest_module.FILENAME).read_text(encoding="utf-8").splitlines()
    return [Finding(
        toml, _key_line(lines, "inputs", field.name), "input-property-unknown",
        f"the input field {field.name!r} reads the property {field.property!r}, which "
        f"{manifest.object_type} records do not have in the local portal's catalogue (a warning: the "
        f"catalogue holds HubSpot's common properties and those seeded or pulled, not every one)",
        "correct the property name; " + DECLARE_PROPERTY.format(object_type=manifest.object_type, name=field.property),
        WARNING) for field in unknown_properties(manifest, known)]


def _key_line(lines: list[str], table: str, key: str) -> int:
    """The line of `key = ...` under `[table]` in a TOML file's lines; 1 when not found."""
    current = None
    for number, text in enumerate(lines, 1):
        header = re.match(r"\s*\[([^\[\]]+)\]", text)
        if header:
            current = header.group(1).strip()
        elif current == table and re.match(rf"\s*([\"']?){re.escape(key)}\1\s*=", text):
            return number
    return 1
