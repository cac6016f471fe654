"""GDPR delete: POST /crm/v3/objects/contacts/gdpr-delete."""
from __future__ import annotations

from hs_actions.portal import exceptions as exc
from hs_actions.portal.responses import Request, Response


def gdpr_delete(backend, request: Request) -> Response:
    body = request.object()
    object_id, id_property = body.get("objectId"), body.get("idProperty")
    if not isinstance(object_id, (str, int)) or isinstance(object_id, bool) or not str(object_id).strip():
        raise exc.ValidationError(exc.INVALID_INPUT.format(detail="objectId is required"))
    if id_property is not None and not isinstance(id_property, str):
        raise exc.ValidationError(exc.INVALID_INPUT.format(detail="idProperty must be a property name"))
    backend.gdpr_delete(request.params["object_type"], object_id, id_property or None)
    return Response(204)
