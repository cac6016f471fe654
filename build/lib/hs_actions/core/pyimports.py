"""What the import statements of a Python file name, read from its syntax tree: the one walker
the checks, the bundler and the runner share."""
from __future__ import annotations

import ast
from typing import Iterable, Iterator


def modules(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules one import statement names: each of `import a, b.c`; the module of `from m
    import x`, written with its leading dots when relative ('..pkg', '.')."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return ["." * node.level + (node.module or "")]


def statements(nodes: Iterable[ast.AST]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements among nodes (pass ast.walk(tree) for every one in a file, or
    tree.body for its top level only)."""
    return (node for node in nodes if isinstance(node, (ast.Import, ast.ImportFrom)))


def bindings(node: ast.Import | ast.ImportFrom) -> list[tuple[str, str]]:
    """(name bound in the file, dotted name it refers to) for each name the statement binds:
    `import a.b` binds a -> a; `import a.b as c`, c -> a.b; `from m import x as y`, y -> m.x.
    A relative import's dotted name keeps its leading dots (`from . import x`: x -> .x)."""
    if isinstance(node, ast.Import):
        return [(alias.asname, alias.name) if alias.asname else (alias.name.split(".")[0], alias.name.split(".")[0])
                for alias in node.names]
    base = "." * node.level + (node.module + "." if node.module else "")
    return [(alias.asname or alias.name, base + alias.name) for alias in node.names]
