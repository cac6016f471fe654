"""Colour for status words, on a terminal only.

Never into a pipe or a file, never when NO_COLOR is set to anything (https://no-color.org),
never on a terminal that says it is dumb; JSON output is never coloured by its callers.
"""
from __future__ import annotations

import os

_CODES = {"green": "32", "red": "31", "yellow": "33"}


def wanted(stream) -> bool:
    """Whether text written to `stream` may be coloured."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(text: str, colour: str) -> str:
    """`text` in `colour` (green, red or yellow), then back to the terminal's own."""
    return f"\x1b[{_CODES[colour]}m{text}\x1b[0m"
