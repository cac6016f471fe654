"""Association labels v4: list the types between two object types; create, rename and delete
USER_DEFINED labels."""
from __future__ import annotations

from hs_actions.portal.responses import Request, Response, reads
from hs_actions.portal.responses.shapes import INTEGER, TEXT, Required

# HubSpot's PublicAssociationDefinitionCreateRequest and ...UpdateRequest; that labels are
# non-empty is the backend's rule.
CREATE = {"label": TEXT, "name": TEXT, "inverseLabel": TEXT}
UPDATE = {"associationTypeId": Required(INTEGER), "label": TEXT, "inverseLabel": TEXT}


def association_labels(backend, request: Request) -> Response:
    kinds = backend.association_types(request.params["object_type"], request.params["to_object_type"])
    return Response(200, {"results": [k.with_label() for k in kinds]})


@reads(CREATE)
def create_label(backend, request: Request, body: dict) -> Response:
    p = request.params
    kinds = backend.create_association_label(p["object_type"], p["to_object_type"], body)
    return Response(200, {"results": [k.with_label() for k in kinds]})


@reads(UPDATE)
def update_label(backend, request: Request, body: dict) -> Response:
    backend.update_association_label(request.params["object_type"], request.params["to_object_type"], body)
    return Response(204)


def delete_label(backend, request: Request) -> Response:
    p = request.params
    backend.delete_association_label(p["object_type"], p["to_object_type"], p["association_type_id"])
    return Response(204)


V4_LABELS = "/crm/v4/associations/{object_type}/{to_object_type}/labels"

ROUTES = [
    ("GET", V4_LABELS, association_labels, "read object_type, read to_object_type"),
    ("POST", V4_LABELS, create_label, "write object_type, write to_object_type"),
    ("PUT", V4_LABELS, update_label, "write object_type, write to_object_type"),
    ("DELETE", V4_LABELS + "/{association_type_id}", delete_label, "write object_type, write to_object_type"),
]
