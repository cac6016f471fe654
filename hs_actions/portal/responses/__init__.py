"""Request handlers: parse the request, call the backend, serialise HubSpot's response.

Handlers never touch storage and never build error bodies: they raise the errors of
`exceptions`, and the server serialises them. Each is called with (backend, request) and
returns a Response; one that takes a body declares its shape with `@reads(shape)` and gets
the body read by it (`shapes`) as a third argument. One module per family of routes
(objects, search, properties, associations, owners...; see backend/__init__.py), each with
the rows of the route table that reach it (`ROUTES`, composed in urls.py); this one holds what
they share: the request, the response, the paths of objects, page sizes, paging and batch bodies.
"""
from __future__ import annotations

import functools
import json
import re
import sys
from dataclasses import dataclass, field

from hs_actions.portal import exceptions as exc
from hs_actions.portal.models import iso, now_ms
from hs_actions.portal.responses import shapes

API_BASE = "https://api.hubapi.com"
# The paths of objects v3, which the objects, search, merge and GDPR families all serve under.
OBJECT = "/crm/v3/objects/{object_type}"
ONE = OBJECT + "/{object_id}"
JSON_DEPTH_MAX = 64
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass
class Request:
    method: str
    path: str
    params: dict
    query: dict[str, list[str]]
    body: bytes = b""
    content_type: str | None = None

    def json(self):
        """The parsed body; HubSpot's 400 for a missing or malformed one (see `_check_json`), its
        415 for a body said to be another media type. No Content-Type is read as JSON (code that
        posts json.dumps(...) as data sends none), the lenient reading of a case no source shows."""
        if self.content_type is not None and not _is_json(self.content_type):
            raise exc.UnsupportedMediaType(self.content_type)
        if not self.body.strip():
            raise exc.InvalidInput("a JSON body is required")
        try:
            value = json.loads(self.body)
        except json.JSONDecodeError as error:
            raise exc.ValidationError(exc.INVALID_JSON.format(
                line=error.lineno, column=error.colno, detail=error.msg)) from None
        except RecursionError:
            raise exc.InvalidInput(exc.JSON_TOO_DEEP.format(
                maximum=JSON_DEPTH_MAX)) from None
        except UnicodeDecodeError as error:
            raise exc.InvalidInput(str(error)) from None
        except ValueError:   # a number of more digits than Python converts
            raise exc.InvalidInput(exc.NUMBER_TOO_LONG.format(
                maximum=sys.get_int_max_str_digits())) from None
        _check_json(value)
        return value

    def read(self, shape):
        """The body as `shape` declares it (see `shapes`): typed fields, or a 400 naming the field."""
        return shapes.read(shape, self.json())

    def first(self, name: str, default=None):
        values = self.query.get(name)
        return values[0] if values else default

    def listing(self, name: str) -> list[str] | None:
        """A list parameter, sent repeated (a=1&a=2, as the client does) or comma-separated."""
        values = [v for item in self.query.get(name, []) for v in item.split(",") if v]
        return values or None

    def flag(self, name: str) -> bool:
        """A boolean parameter: true or false in any case (the client sends Python's str(bool),
        archived=False); anything else is the 400 a body's boolean of another kind gets."""
        value = self.first(name)
        if value is None:
            return False
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise _wrong_parameter(name, shapes.BOOLEAN.expected, value)
        return lowered == "true"

    def choice(self, name: str, enum: shapes.Enum, default: str | None = None) -> str | None:
        """An enumerated parameter, checked as the same enum in a body is (a 400 naming the value)."""
        value = self.first(name)
        if value is None:
            return default
        if value not in enum.values:
            raise _wrong_parameter(name, enum.expected, value)
        return value

    def integer(self, name: str, default: int) -> int:
        value = self.first(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise exc.InvalidInput(f"{name} must be an integer, not {value!r}") from None

    def limit(self, default: int, maximum: int) -> int:
        """The `limit` query parameter of a list route, checked as every list route checks it."""
        return page_limit(self.integer("limit", default), maximum)


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _wrong_parameter(name: str, expected: str, value: str) -> exc.ValidationError:
    # A body's field of the wrong kind says the same, without "Invalid input JSON" (shapes.wrong).
    return exc.ValidationError(exc.FIELD_TYPE.format(path=name, expected=expected, found=shapes.shown(value)))


def page_limit(limit: int, maximum: int, minimum: int = 1) -> int:
    """A page size within HubSpot's range for the route; 400 otherwise (one rule for every list)."""
    if not minimum <= limit <= maximum:
        raise exc.ValidationError(exc.LIMIT_OUT_OF_RANGE.format(minimum=minimum, maximum=maximum, value=limit))
    return limit


def reads(shape):
    """Declares the body a handler takes: the handler gets it read by `shape` as a third
    argument (None: the route takes no body and ignores one). `handler.body` is the shape."""
    def declare(handler):
        @functools.wraps(handler)
        def checked(backend, request: Request) -> Response:
            return handler(backend, request, None if shape is None else request.read(shape))
        checked.body = shape
        return checked
    return declare


def _check_json(value) -> None:
    """400 for what Python's JSON reader lets through but the portal cannot take: a string
    with a lone UTF-16 surrogate ("\\ud800"; not text, and SQLite stores UTF-8), and nesting
    deeper than JSON_DEPTH_MAX (no request needs it; it would exhaust the stack of what writes
    it back). Both are the portal's choices: what HubSpot does with them is not published."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > JSON_DEPTH_MAX:
            raise exc.InvalidInput(exc.JSON_TOO_DEEP.format(maximum=JSON_DEPTH_MAX))
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise exc.InvalidInput(exc.LONE_SURROGATE.format(
                    text=shapes.shown(item)))
        elif isinstance(item, dict):
            stack.extend((part, depth + 1) for pair in item.items() for part in pair)
        elif isinstance(item, list):
            stack.extend((part, depth + 1) for part in item)


@dataclass
class Response:
    status: int
    body: object = None
    headers: dict = field(default_factory=dict)


def paging(path: str, after) -> dict:
    if after is None:
        return {}
    return {"paging": {"next": {"after": str(after), "link": f"{API_BASE}{path}?after={after}"}}}


def batch_response(results: list, errors: list, ok: int = 200) -> Response:
    stamp = iso(now_ms())
    body = {"status": "COMPLETE", "results": results, "startedAt": stamp, "completedAt": stamp}
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = [exc.batch_error(e) for e in errors]
        return Response(207, body)
    return Response(ok, body)
