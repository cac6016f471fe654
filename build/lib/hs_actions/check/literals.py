"""What the rules comparing code with action.toml read from a syntax tree: literal strings,
the only names (of secrets, inputs, outputs) a check can be sure of."""
from __future__ import annotations

import ast


def is_str(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)
