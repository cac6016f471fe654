"""Owners v3: the owners of the account, listed and by id."""
from __future__ import annotations

from hs_actions.portal.backend.owners import OWNERS_LIMIT_MAX
from hs_actions.portal.responses import Request, Response, paging
from hs_actions.portal.responses.shapes import Enum

# HubSpot's owners spec: idProperty is id (the default) or userId, case and all.
ID_PROPERTY = Enum("id", "userId")


def list_owners(backend, request: Request) -> Response:
    owners, after = backend.owners(request.first("email"), request.first("after"),
                                   request.limit(100, OWNERS_LIMIT_MAX), request.flag("archived"))
    return Response(200, {"results": [o.to_dict() for o in owners], **paging(request.path, after)})


def get_owner(backend, request: Request) -> Response:
    owner = backend.owner(request.params["owner_id"], request.choice("idProperty", ID_PROPERTY, "id"), request.flag("archived"))
    return Response(200, owner.to_dict())


ROUTES = [
    ("GET", "/crm/v3/owners/", list_owners, "owners"),
    ("GET", "/crm/v3/owners", list_owners, "owners"),
    ("GET", "/crm/v3/owners/{owner_id}", get_owner, "owners"),
]
