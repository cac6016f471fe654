"""How a message shows a value it did not expect: shortened, and named by its kind in the
vocabulary of the file it came from (JSON, TOML or Python)."""
from __future__ import annotations

import json

WIDTH = 60   # a value quoted in a message: enough to recognise it, never a screenful

_KINDS = {
    "json": {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number",
             bool: "a boolean"},
    "toml": {dict: "a table", list: "a list", str: "a string", bool: "a boolean"},
}


def cut(text: str, width: int = WIDTH) -> str:
    """text, or its first width - 3 characters and '...' when it is longer."""
    return text if len(text) <= width else text[:width - 3] + "..."


def kind(value, language: str = "json") -> str:
    """'an object', 'a table', 'a list'...: what value is called in that language's words;
    a type the language has no word for by its Python name."""
    return _KINDS[language].get(type(value), type(value).__name__)


def json_value(value) -> str:
    """A JSON value by kind and text: 'a string ("x")', 'null', 'a boolean (true)'."""
    if value is None:
        return "null"
    return f"{kind(value)} ({cut(json.dumps(value, default=str))})"


def python_value(value) -> str:
    """A Python value by type and repr: "str 'x'", 'None'."""
    if value is None:
        return "None"
    return f"{type(value).__name__} {cut(repr(value))}"


def printable(value) -> str:
    """Text from outside (HubSpot's answers, a workflow's code) made safe for a terminal: every
    character that is not printable (escape sequences, carriage returns, ...) as its Python
    escape, so it can neither move the cursor nor hide what is shown. Tabs and newlines stay."""
    return "".join(c if c.isprintable() or c in "\t\n" else repr(c)[1:-1] for c in str(value))
