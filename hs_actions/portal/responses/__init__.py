"""Request handlers: parse the request, call the backend, serialise HubSpot's response.

Handlers never touch storage and never build error bodies: they raise the errors of
`exceptions`, and the server serialises them. Each takes (backend, request) and returns a
Response. One module per family of routes (objects, properties, associations, account);
this one holds what they share: the request, the response, paging and batch bodies.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from hs_actions.portal import exceptions as exc
from hs_actions.portal.models import iso, now_ms


API_BASE = "https://api.hubapi.com"


@dataclass
class Request:
    method: str
    path: str
    params: dict
    query: dict[str, list[str]]
    body: bytes = b""

    def json(self):
        """The parsed body; HubSpot's 400 for a missing or malformed one."""
        if not self.body.strip():
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail="a JSON body is required"))
        try:
            return json.loads(self.body)
        except UnicodeDecodeError as error:
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail=str(error))) from None
        except json.JSONDecodeError as error:
            raise exc.ValidationError(exc.INVALID_JSON.format(
                line=error.lineno, column=error.colno, detail=error.msg)) from None

    def object(self) -> dict:
        body = self.json()
        if not isinstance(body, dict):
            raise exc.ValidationError(exc.INVALID_INPUT.format(
                detail=f"expected a JSON object, found {type(body).__name__}"))
        return body

    def inputs(self) -> list:
        inputs = self.object().get("inputs")
        if not isinstance(inputs, list):
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail="inputs must be a list"))
        return inputs

    def first(self, name: str, default=None):
        values = self.query.get(name)
        return values[0] if values else default

    def listing(self, name: str) -> list[str] | None:
        """A list parameter, sent repeated (a=1&a=2, as the client does) or comma-separated."""
        values = [v for item in self.query.get(name, []) for v in item.split(",") if v]
        return values or None

    def flag(self, name: str) -> bool:
        # The client sends Python's str(bool): archived=False
        return str(self.first(name, "false")).lower() == "true"

    def integer(self, name: str, default: int) -> int:
        value = self.first(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail=f"{name} must be an integer, not {value!r}")) from None


@dataclass
class Response:
    status: int
    body: object = None
    headers: dict = field(default_factory=dict)


def paging(path: str, after) -> dict:
    if after is None:
        return {}
    return {"paging": {"next": {"after": str(after), "link": f"{API_BASE}{path}?after={after}"}}}


def list_of(body: dict, key: str, kind) -> list:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, kind) for v in value):
        noun = {dict: "objects", str: "strings"}[kind]
        raise exc.ValidationError(exc.INVALID_INPUT.format(detail=f"{key} must be a list of {noun}"))
    return value


def batch_response(results: list, errors: list, ok: int = 200) -> Response:
    stamp = iso(now_ms())
    body = {"status": "COMPLETE", "results": results, "startedAt": stamp, "completedAt": stamp}
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = [exc.batch_error(e) for e in errors]
        return Response(207, body)
    return Response(ok, body)
