"""GDPR delete: POST /crm/v3/objects/contacts/gdpr-delete."""
from __future__ import annotations

from hs_actions.portal.responses import OBJECT, Request, Response, reads
from hs_actions.portal.responses.shapes import TEXT, Required

GDPR_DELETE = {"objectId": Required(TEXT), "idProperty": TEXT}   # HubSpot's PublicGdprDeleteInput


@reads(GDPR_DELETE)
def gdpr_delete(backend, request: Request, body: dict) -> Response:
    backend.gdpr_delete(request.params["object_type"], body["objectId"], body.get("idProperty") or None)
    return Response(204)


ROUTES = [
    ("POST", OBJECT + "/gdpr-delete", gdpr_delete, "write object_type"),
]
