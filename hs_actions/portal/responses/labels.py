"""Association labels v4: create, rename and delete USER_DEFINED labels between two object types."""
from __future__ import annotations

from hs_actions.portal.responses import Request, Response


def create_label(backend, request: Request) -> Response:
    p = request.params
    kinds = backend.create_association_label(p["object_type"], p["to_object_type"], request.json())
    return Response(200, {"results": [k.with_label() for k in kinds]})


def update_label(backend, request: Request) -> Response:
    backend.update_association_label(request.params["object_type"], request.params["to_object_type"], request.json())
    return Response(204)


def delete_label(backend, request: Request) -> Response:
    p = request.params
    backend.delete_association_label(p["object_type"], p["to_object_type"], p["association_type_id"])
    return Response(204)
