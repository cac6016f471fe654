"""Rules of outputs: the outputFields the code returns against the outputs action.toml
declares. HubSpot flags an undeclared output, and a value of the wrong type fails the run."""
from __future__ import annotations

import ast

from hs_actions.action import manifest as manifest_module
from hs_actions.bundler.sources import Source
from hs_actions.check.literals import is_str
from hs_actions.check.registry import ACTION, ERROR, Finding, rule
from hs_actions.core.text import cut
from hs_actions.harness import outputs


@rule("output-undeclared", ERROR, "an output field returned but not declared in action.toml", takes=ACTION)
def output_rule(subject) -> list[Finding]:
    """Keys of dict displays or dict(key=...) calls given as "outputFields", directly or through
    a variable of the same function; outputs built any other way are not guessed."""
    action, toml = subject.source, subject.toml
    declared = {o.name for o in subject.manifest.outputs}
    found = []
    for output, _ in _returned_outputs(action):
        if output.value not in declared:
            declare = (f'declare it under [outputs] in {toml} ({output.value} = "string", or its type)'
                       if manifest_module.is_name(output.value) else
                       f"{manifest_module.rename_hint(output.value)}, and declare that under [outputs] in {toml}")
            found.append(Finding(
                action.display, output.lineno, "output-undeclared",
                f"the output field {output.value!r} is returned but not declared in {toml}, so "
                f"HubSpot flags it and later actions cannot use it",
                f"{declare} and in HubSpot's data outputs, or stop returning it"))
    return list(dict.fromkeys(found))


@rule("output-type", ERROR, "an output whose literal value cannot be of its declared type", takes=ACTION)
def output_type_rule(subject) -> list[Finding]:
    """Declared outputs whose value is written as a literal (or a list, dict or f-string) that a
    run would judge against its type: the run's own judgement (outputs.value_problem), made on
    the source. Values computed any other way are not guessed."""
    action, toml = subject.source, subject.toml
    found = []
    for output, value in _returned_outputs(action):
        declared = subject.manifest.output(output.value)
        sample, exact = _sample(value)
        if declared is None or sample is None or not exact and (
                sample is _UNKNOWN or isinstance(sample, str) and declared.type == "enumeration"):
            continue
        if outputs.stored_as_text(declared, sample) is not None:
            continue   # a run stores it as text, with a warning (string_outputs = "text")
        source = ast.unparse(value)
        # A literal is described as a run describes it; a stand-in by its source text.
        shown = None if exact else f"{type(sample).__name__} {cut(source)}"
        problem = outputs.value_problem(declared, sample, shown)
        if problem:
            found.append(Finding(
                action.display, value.lineno, "output-type", f"output {output.value!r} ({declared.type}): {problem}",
                f"return a value of type {declared.type} here, or declare the type it has in {toml} and in HubSpot"))
    return list(dict.fromkeys(found))


_UNKNOWN = object()


def _sample(node) -> tuple[object, bool]:
    """(value, exact): a literal's own value (exact), or a stand-in of the type `node` is sure to
    give: an empty list or dict for a display or comprehension, "" for an f-string; _UNKNOWN
    for anything else, and for values JSON cannot carry (a run reports those)."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        if isinstance(node, (ast.List, ast.Tuple, ast.ListComp)):
            return [], False
        if isinstance(node, (ast.Dict, ast.DictComp)):
            return {}, False
        return ("" if isinstance(node, ast.JoinedStr) else _UNKNOWN), False
    if isinstance(value, tuple):
        return list(value), True              # JSON carries a tuple as a list
    return (_UNKNOWN, False) if isinstance(value, (set, frozenset, bytes, complex)) else (value, True)


def _returned_outputs(action: Source) -> list[tuple[ast.Constant, ast.expr | None]]:
    """(key, value) of each output given in a dict display or dict(key=...) call as
    "outputFields", directly or through a variable of the same function."""
    pairs = []
    for function in [action.tree, *[n for n in ast.walk(action.tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]]:
        variables = _dict_variables(function)
        for node in ast.walk(function):
            if not isinstance(node, ast.Dict):
                continue
            for key, value in zip(node.keys, node.values):
                if is_str(key) and key.value == "outputFields":
                    pairs += variables.get(value.id, []) if isinstance(value, ast.Name) else _literal_items(value)
    return pairs


def _literal_items(node) -> list[tuple[ast.Constant, ast.expr]]:
    """The string keys a dict display or a dict(key=...) call spells out, as Constants, with
    their values."""
    if isinstance(node, ast.Dict):
        return [(k, v) for k, v in zip(node.keys, node.values) if is_str(k)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return [(ast.copy_location(ast.Constant(kw.arg), kw), kw.value) for kw in node.keywords if kw.arg]
    return []


def _dict_variables(scope) -> dict[str, list]:
    """Items given to each variable of `scope` as a dict literal or by `name["key"] = ...`."""
    items: dict[str, list] = {}
    body = scope.body
    for node in (n for statement in body for n in ast.walk(statement)):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and _literal_items(node.value):
                    items.setdefault(target.id, []).extend(_literal_items(node.value))
                elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and is_str(target.slice):
                    items.setdefault(target.value.id, []).append((target.slice, node.value))
    return items
