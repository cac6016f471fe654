"""Custom object schemas, read only: GET /crm/v3/schemas and /crm/v3/schemas/{objectType}."""
from __future__ import annotations

from hs_actions.portal.responses import Request, Response


def list_schemas(backend, request: Request) -> Response:
    return Response(200, {"results": backend.custom_schemas()})


def get_schema(backend, request: Request) -> Response:
    return Response(200, backend.custom_schema(request.params["object_type"]))


ROUTES = [
    ("GET", "/crm/v3/schemas", list_schemas, "schemas"),
    ("GET", "/crm/v3/schemas/{object_type}", get_schema, "schemas"),
]
