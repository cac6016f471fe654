"""Properties v3 (the definitions of an object type's properties) and custom object schemas."""
from __future__ import annotations

from hs_actions.portal.responses import Request, Response


def list_properties(backend, request: Request) -> Response:
    return Response(200, {"results": [p.to_dict() for p in backend.properties(request.params["object_type"])]})


def get_property(backend, request: Request) -> Response:
    return Response(200, backend.property(request.params["object_type"], request.params["property_name"]).to_dict())


def list_schemas(backend, request: Request) -> Response:
    return Response(200, {"results": backend.custom_schemas()})


def get_schema(backend, request: Request) -> Response:
    return Response(200, backend.custom_schema(request.params["object_type"]))
