"""Where a file binds and uses its module-level (global) names, scope by scope.

The bundler renames a helper's globals in its source text, so it needs every place a global is
bound or read, and none of the places where a local of the same name is: function parameters
and assignments, comprehension variables and class attributes shadow globals as Python does.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from hs_actions.core import pyimports

_DEF_NAME = re.compile(r"(?:async\s+)?(?:def|class)\s+(\w+)")
_AS_NAME = re.compile(r"\bas\s+(\w+)")
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class Ref:
    """One place a global name is bound or read.

    kind: "load", "store", "def" (the name of a def or class), "global" (in a global
    statement), "import" (bound by an import; no position). Columns are in characters.
    `attr` is set for a load written `name.attr`.
    """

    stmt: int
    name: str
    kind: str
    line: int
    col: int
    end: int
    attr: str | None = None


@dataclass
class _Scope:
    kind: str                      # "module", "function", "class"
    names: set                     # names bound in this scope
    declared_global: set
    parent: "_Scope | None"


def global_refs(tree: ast.Module, text: str) -> list[Ref]:
    """Every binding and use of a module-level name in `tree` (parsed from `text`), in order."""
    walker = _Walker(text.splitlines())
    module = _Scope("module", set(), set(), None)
    for index, statement in enumerate(tree.body):
        walker.stmt = index
        walker.visit(statement, module)
    return walker.refs


class _Walker:
    def __init__(self, lines: list[str]):
        self.lines = lines
        self.refs: list[Ref] = []
        self.stmt = 0

    def _col(self, line: int, byte_col: int) -> int:
        return len(self.lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def _is_global(self, name: str, scope: _Scope, store: bool) -> bool:
        if scope.kind == "module":
            return True
        if scope.kind == "class":
            if store or name in scope.names:
                return False
            return self._is_global(name, scope.parent, False)
        if name in scope.declared_global:
            return True
        if name in scope.names:
            return False
        parent = scope.parent
        while parent.kind == "class":      # a function does not see its class's names
            parent = parent.parent
        return self._is_global(name, parent, False)

    def _record(self, name, kind, line, col, end, attr=None):
        self.refs.append(Ref(self.stmt, name, kind, line, col, end, attr))

    def _bind_by_text(self, name, scope, node, pattern, kind):
        """A binding ast gives no position for (def/class names, `except ... as e`)."""
        if not self._is_global(name, scope, True):
            return
        line = self.lines[node.lineno - 1]
        start = self._col(node.lineno, node.col_offset)
        match = pattern.search(line, start)
        while match and match.group(1) != name:
            match = pattern.search(line, match.end())
        if match:
            self._record(name, kind, node.lineno, match.start(1), match.end(1))

    def visit(self, node, scope: _Scope):
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method:
            method(node, scope)
        else:
            for child in ast.iter_child_nodes(node):
                self.visit(child, scope)

    def visit_Name(self, node: ast.Name, scope, attr=None):
        store = not isinstance(node.ctx, ast.Load)
        if self._is_global(node.id, scope, store):
            start = self._col(node.lineno, node.col_offset)
            self._record(node.id, "store" if store else "load", node.lineno, start,
                         start + len(node.id), attr)

    def visit_Attribute(self, node: ast.Attribute, scope):
        if isinstance(node.value, ast.Name):
            self.visit_Name(node.value, scope, attr=node.attr)
        else:
            self.visit(node.value, scope)

    def visit_Global(self, node: ast.Global, scope):
        line = self.lines[node.lineno - 1]
        for name in node.names:
            for match in re.finditer(r"\b%s\b" % re.escape(name), line):
                self._record(name, "global", node.lineno, match.start(), match.end())

    def _visit_import(self, node, scope):
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            if bound != "*" and self._is_global(bound, scope, True):
                self._record(bound, "import", node.lineno, 0, 0)

    visit_Import = visit_ImportFrom = _visit_import

    def visit_ExceptHandler(self, node: ast.ExceptHandler, scope):
        if node.type:
            self.visit(node.type, scope)
        if node.name:
            self._bind_by_text(node.name, scope, node, _AS_NAME, "store")
        for statement in node.body:
            self.visit(statement, scope)

    def _visit_function(self, node, scope):
        for decorator in node.decorator_list:
            self.visit(decorator, scope)
        self._bind_by_text(node.name, scope, node, _DEF_NAME, "def")
        self._visit_arguments(node.args, scope)
        if node.returns:
            self.visit(node.returns, scope)
        inner = _function_scope(node.args, node.body, scope)
        for statement in node.body:
            self.visit(statement, inner)

    visit_FunctionDef = visit_AsyncFunctionDef = _visit_function

    def visit_Lambda(self, node: ast.Lambda, scope):
        self._visit_arguments(node.args, scope)
        self.visit(node.body, _function_scope(node.args, [node.body], scope))

    def _visit_arguments(self, args: ast.arguments, scope):
        """Defaults and annotations are evaluated in the enclosing scope."""
        for default in [*args.defaults, *args.kw_defaults]:
            if default is not None:
                self.visit(default, scope)
        for arg in _all_args(args):
            if arg.annotation:
                self.visit(arg.annotation, scope)

    def visit_ClassDef(self, node: ast.ClassDef, scope):
        for child in [*node.decorator_list, *node.bases, *node.keywords]:
            self.visit(child, scope)
        self._bind_by_text(node.name, scope, node, _DEF_NAME, "def")
        inner = _Scope("class", _bound_in(node.body), set(), scope)
        for statement in node.body:
            self.visit(statement, inner)

    def _visit_comprehension(self, node, scope):
        generators = node.generators
        self.visit(generators[0].iter, scope)
        inner = _Scope("function", set(), set(), scope)
        for generator in generators:
            inner.names |= {n.id for n in ast.walk(generator.target) if isinstance(n, ast.Name)}
        for index, generator in enumerate(generators):
            self.visit(generator.target, inner)
            if index:
                self.visit(generator.iter, inner)
            for condition in generator.ifs:
                self.visit(condition, inner)
        for field in ("elt", "key", "value"):
            if hasattr(node, field):
                self.visit(getattr(node, field), inner)

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = _visit_comprehension


def _all_args(args: ast.arguments) -> list[ast.arg]:
    found = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    return found + [a for a in (args.vararg, args.kwarg) if a is not None]


def _function_scope(args: ast.arguments, body: list, parent: _Scope) -> _Scope:
    declared = {name for node in _shallow(body) if isinstance(node, ast.Global) for name in node.names}
    nonlocal_ = {name for node in _shallow(body) if isinstance(node, ast.Nonlocal) for name in node.names}
    names = {a.arg for a in _all_args(args)} | (_bound_in(body) - declared - nonlocal_)
    return _Scope("function", names, declared, parent)


def _bound_in(body: list) -> set:
    """Names a block binds in its own scope (not inside nested functions, classes or comprehensions)."""
    names = set()
    for node in _shallow(body):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {name for name, _ in pyimports.bindings(node)}
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def _shallow(body: list):
    """Nodes of a block, not descending into nested scopes (their names and defaults are yielded)."""
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (*_FUNCTIONS, ast.ClassDef, ast.Lambda, *_COMPREHENSIONS)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
