"""Secret values replaced by [secret NAME]: in text, in a byte stream read in pieces, and in
every string (and key) of nested data.

Shared by the harness (a run's logs and result) and the portal (its request log); it knows
nothing of either. A value is masked as it is and in the encodings it takes on its way out
(percent-encoded by quote and quote_plus in a request line, query string or form body;
JSON-escaped in a JSON body; as Python shows it in a repr, of the text or of its UTF-8 bytes,
as `print(token.encode())` or a printed dict does), not upper-cased or otherwise changed; and only values of
MASK_MIN_LENGTH characters or more: a shorter one would mangle ordinary text (a test's "x"),
and is no real token anyway.
"""
from __future__ import annotations

import dataclasses
import json
import re
from urllib.parse import quote, quote_plus
from typing import Iterable, Mapping

MASK = "[secret {name}]"
MASK_MIN_LENGTH = 6

Secrets = Mapping[str, str] | Iterable[tuple[str, str]]   # name -> value, or (name, value) pairs


class Masks:
    """The masks of some secrets. Pairs may repeat a name with another value (a warm run
    masks every value it was given); a value given twice shows the name given last."""

    def __init__(self, secrets: Secrets = ()):
        self._names = {value: name for name, value in _pairs(secrets) if len(value) >= MASK_MIN_LENGTH}
        shown = {form: MASK.format(name=name) for value, name in self._names.items() for form in encodings(value)}
        # A mask stands for itself: text masked twice (a log, then the result holding it)
        # stays as it was, and a value that occurs inside a mask ("secret") leaves it whole.
        table = {**{mask: mask for mask in shown.values()}, **shown}
        # Only a value's form changes text: one holding masks alone is left as it is.
        self._text = _Replacer(table, shown)
        self._bytes = _Replacer({key.encode(): mask.encode() for key, mask in table.items()},
                                [form.encode() for form in shown])
        self._masks = _Replacer({mask.encode(): b"" for mask in shown.values()})   # finds masks
        # Each form as JSON writes it: JSON escapes character by character, so a form inside
        # any string of some data is inside the JSON of that data (see all()).
        self._json = [json.dumps(form)[1:-1] for form in shown]

    def plus(self, secrets: Secrets) -> Masks:
        """These masks and those of `secrets`, whose names win for a value in both (these
        masks themselves when `secrets` adds nothing: a warm run's, given again each run)."""
        given = list(_pairs(secrets))
        if all(self._names.get(value) == name for name, value in given if len(value) >= MASK_MIN_LENGTH):
            return self
        return Masks([*((name, value) for value, name in self._names.items()), *given])

    def text(self, text: str) -> str:
        return self._text.sub(text)

    def all(self, data):
        """`data` with every string masked, dict keys too, inside dicts, lists, tuples and
        dataclass instances (a new instance); other values as they are. `data` itself when
        none of its strings holds a value: most data holds none, and one pass of C (its
        JSON) tells so far faster than a walk through it."""
        if not self._json or not self._may_hold_value(data):
            return data
        return self._all(data)

    def _all(self, data):
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, dict):
            return {self._all(key): self._all(value) for key, value in data.items()}
        if isinstance(data, (list, tuple)):
            return type(data)(self._all(value) for value in data)
        if dataclasses.is_dataclass(data) and not isinstance(data, type):
            return dataclasses.replace(data, **{f.name: self._all(getattr(data, f.name))
                                                for f in dataclasses.fields(data) if f.init})
        return data

    def _may_hold_value(self, data) -> bool:
        """False only when no string that _all() masks in `data` holds a value's form: its
        JSON has the strings _all() reaches (dataclasses' init fields too, nothing of values
        it leaves alone), each escaped as the forms are. Data JSON cannot write (keys that are
        no strings or numbers, a cycle) may hold one."""
        try:
            text = json.dumps(data, default=_reached)
        except (TypeError, ValueError, RecursionError):
            return True
        return any(form in text for form in self._json)

    def stream(self) -> MaskedStream:
        return MaskedStream(self._bytes)

    def cut(self, data: bytes | bytearray, at: int, forward: bool) -> int:
        """A place to cut `data` near `at` that splits neither a mask nor a UTF-8 character:
        `at` moved to the end (forward) or the start of the one it falls inside."""
        if self._masks.pattern is not None:
            window = max(0, at - self._masks.longest), at + self._masks.longest
            for found in self._masks.pattern.finditer(data, *window):
                if found.start() < at < found.end():
                    at = found.end() if forward else found.start()
        return _between_characters(data, at, 1 if forward else -1)


class MaskedStream:
    """Masks bytes that arrive in pieces: a value split across two pieces is still masked.

    feed() holds back the last len(longest value) - 1 bytes (a value may start there), and
    ends what it returns between two UTF-8 characters; the last feed(final=True) returns
    the rest."""

    def __init__(self, replacer: _Replacer):
        self._replacer = replacer
        self._pending = b""

    def feed(self, data: bytes, final: bool = False) -> bytes:
        buffer = self._pending + data
        pattern, longest = self._replacer.pattern, self._replacer.longest
        out, done = [], 0
        for found in pattern.finditer(buffer) if self._replacer.occurs(buffer) else ():
            if not final and found.start() + longest > len(buffer):
                break   # a longer value may match here once more bytes arrive
            out += [buffer[done:found.start()], self._replacer.table[found.group()]]
            done = found.end()
        # Held back: where a value may start, and at least a character's last 3 bytes.
        keep = len(buffer) if final else max(done, len(buffer) - max(longest - 1, 3))
        keep = _between_characters(buffer, keep, -1, floor=done)
        out.append(buffer[done:keep])
        self._pending = buffer[keep:]
        return b"".join(out)


class _Replacer:
    """Replaces every key of `table` with its value in one pass, the longest key first
    where several match at one place. `changing`: the keys a replacement changes (default
    all); text that holds none of them comes out as it went in."""

    def __init__(self, table: dict, changing=None):
        self.table = table
        self.changing = list(table if changing is None else changing)
        keys = sorted(table, key=len, reverse=True)
        self.longest = len(keys[0]) if keys else 0
        self.pattern = re.compile(_alternation(keys)) if keys else None

    def occurs(self, data) -> bool:
        """Whether a key that changes text occurs in `data`: a substring search is far faster
        than the pattern, and most text holds none."""
        return any(key in data for key in self.changing)

    def sub(self, text):
        if not self.occurs(text):
            return text
        return self.pattern.sub(lambda found: self.table[found.group()], text)


def encodings(value: str) -> list[str]:
    """`value` and the forms it takes on its way out: percent-encoded (requests' and urllib's
    quote, with and without "/" kept; quote_plus, as in a query string or form body),
    JSON-escaped (json.dumps, ASCII only or not), and between the quotes of its repr and of
    its UTF-8 bytes' repr (`b'...'`, non-ASCII as \\x escapes), as a printed value shows it."""
    forms = [value, quote(value), quote(value, safe=""), quote_plus(value),
             json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1],
             repr(value)[1:-1], repr(value.encode())[2:-1]]
    return list(dict.fromkeys(forms))


def _reached(value):
    """What JSON writes for a value it does not know (json.dumps' default), as _all() sees
    it: a dataclass instance as its init fields, anything else as nothing."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.init}
    return None


def _pairs(secrets: Secrets) -> Iterable[tuple[str, str]]:
    return secrets.items() if isinstance(secrets, Mapping) else secrets


def _between_characters(data: bytes | bytearray, at: int, step: int, floor: int = 0) -> int:
    """`at`, moved by `step` (1 or -1) off UTF-8 continuation bytes: to where a character
    starts, at most 3 bytes away (further, the bytes are not UTF-8 and any place will do)."""
    for _ in range(3):
        if not floor < at < len(data) or data[at] & 0xC0 != 0x80:
            break
        at += step
    return at


def _alternation(keys: list):
    bar = "|" if isinstance(keys[0], str) else b"|"
    return bar.join(re.escape(key) for key in keys)
