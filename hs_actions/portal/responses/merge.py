"""Record merge: POST /crm/v3/objects/{type}/merge."""
from __future__ import annotations

from hs_actions.portal import exceptions as exc
from hs_actions.portal.responses import Request, Response


def merge(backend, request: Request) -> Response:
    body = request.object()
    ids = [body.get("primaryObjectId"), body.get("objectIdToMerge")]
    if not all(isinstance(i, (str, int)) and not isinstance(i, bool) and str(i).strip() for i in ids):
        raise exc.ValidationError(exc.INVALID_INPUT.format(
            detail="primaryObjectId and objectIdToMerge are both required, as record ids"))
    record = backend.merge(request.params["object_type"], *ids)
    return Response(200, record.to_dict())
