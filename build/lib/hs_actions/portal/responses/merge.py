"""Record merge: POST /crm/v3/objects/{type}/merge."""
from __future__ import annotations

from hs_actions.portal.responses import OBJECT, Request, Response, reads
from hs_actions.portal.responses.shapes import TEXT, Required

MERGE = {"primaryObjectId": Required(TEXT), "objectIdToMerge": Required(TEXT)}   # HubSpot's PublicMergeInput


@reads(MERGE)
def merge(backend, request: Request, body: dict) -> Response:
    record = backend.merge(request.params["object_type"], body["primaryObjectId"], body["objectIdToMerge"])
    return Response(200, record.to_dict())


ROUTES = [
    ("POST", OBJECT + "/merge", merge, "write object_type"),
]
