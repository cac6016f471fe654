"""How a message shows a value it did not expect: shortened, and named by its kind in the
vocabulary of the file it came from (JSON, TOML or Python)."""
from __future__ import annotations

import json
import re

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


# C0 and C1 controls, DEL, and the bidirectional overrides that reorder what a terminal shows.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escaped(text: str, keep: str = "") -> str:
    """`text` (which an action controls: an output, a log, a host, a path) with every control
    character but those in `keep` shown escaped (\\x1b, \\n), so that only the toolkit moves
    the cursor, clears or colours a terminal. keep="\\t" for a log's line, "\\n\\t" for a
    log's whole text, and for text from an account (a workflow's code, HubSpot's answers)."""
    return _CONTROL.sub(lambda match: _escape(match.group(), keep), str(text))


def _escape(char: str, keep: str) -> str:
    if char in keep:
        return char
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def printable(value) -> str:
    """Text from an account (a workflow's code, HubSpot's answers) for a terminal: escaped(),
    keeping tabs and newlines."""
    return escaped(str(value), keep="\t\n")
