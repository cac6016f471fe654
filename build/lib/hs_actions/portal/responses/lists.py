"""Lists v3 basics: a list by id or name, several by id, memberships read, added and removed."""
from __future__ import annotations

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.lists import MEMBERSHIPS_LIMIT_DEFAULT, MEMBERSHIPS_LIMIT_MAX
from hs_actions.portal.models import iso
from hs_actions.portal.responses import Request, Response, paging, reads
from hs_actions.portal.responses.shapes import TEXT, Required

RECORD_IDS = [TEXT]   # the body of memberships/add and /remove: a JSON list of record ids
CHANGE = {"recordIdsToAdd": Required(RECORD_IDS), "recordIdsToRemove": Required(RECORD_IDS)}   # MembershipChangeRequest


def _list(found: dict) -> dict:
    return {"listId": str(found["id"]), "listVersion": found["version"], "name": found["name"],
            "objectTypeId": found["otype"], "processingType": found["processing_type"],
            "processingStatus": "COMPLETE", "size": found["size"], "createdAt": iso(found["created"]),
            "updatedAt": iso(found["updated"]), "filtersUpdatedAt": iso(found["created"])}


def get_list(backend, request: Request) -> Response:
    return Response(200, {"list": _list(backend.crm_list(request.params["list_id"]))})


def get_list_by_name(backend, request: Request) -> Response:
    p = request.params
    return Response(200, {"list": _list(backend.crm_list_by_name(p["object_type_id"], p["list_name"]))})


def get_lists(backend, request: Request) -> Response:
    return Response(200, {"lists": [_list(found) for found in backend.crm_lists(request.listing("listIds") or [])]})


def _memberships(backend, request: Request, join_order: bool) -> Response:
    if request.first("before") is not None:
        raise exc.InvalidInput("paging backwards with before is not modelled by the local portal; page with after")
    members, total, after = backend.list_memberships(
        request.params["list_id"], request.limit(MEMBERSHIPS_LIMIT_DEFAULT, MEMBERSHIPS_LIMIT_MAX),
        request.first("after"), join_order)
    return Response(200, {"results": [{"recordId": str(oid), "membershipTimestamp": iso(added)}
                                      for oid, added in members], "total": total, **paging(request.path, after)})


def memberships(backend, request: Request) -> Response:
    return _memberships(backend, request, join_order=False)


def memberships_join_order(backend, request: Request) -> Response:
    return _memberships(backend, request, join_order=True)


def _changed(added: list, removed: list, missing: list) -> Response:
    # HubSpot's field is spelt recordsIdsAdded (sic), as its spec and clients spell it.
    return Response(200, {"recordsIdsAdded": added, "recordIdsRemoved": removed, "recordIdsMissing": missing})


@reads(RECORD_IDS)
def add_members(backend, request: Request, ids: list) -> Response:
    return _changed(*backend.change_memberships(request.params["list_id"], ids, []))


@reads(RECORD_IDS)
def remove_members(backend, request: Request, ids: list) -> Response:
    return _changed(*backend.change_memberships(request.params["list_id"], [], ids))


@reads(CHANGE)
def add_and_remove_members(backend, request: Request, body: dict) -> Response:
    return _changed(*backend.change_memberships(request.params["list_id"], body["recordIdsToAdd"],
                                                body["recordIdsToRemove"]))


def record_memberships(backend, request: Request) -> Response:
    p = request.params
    found = backend.record_memberships(p["object_type_id"], p["record_id"])
    return Response(200, {"results": [{"listId": str(crm_list["id"]), "listVersion": crm_list["version"],
                                       "firstAddedTimestamp": iso(added), "lastAddedTimestamp": iso(added)}
                                      for crm_list, added in found], "total": len(found)})


LIST = "/crm/v3/lists/{list_id}"

ROUTES = [
    ("GET", "/crm/v3/lists", get_lists, "listsRead"),
    ("GET", "/crm/v3/lists/", get_lists, "listsRead"),
    ("GET", "/crm/v3/lists/object-type-id/{object_type_id}/name/{list_name}", get_list_by_name, "listsRead"),
    ("GET", "/crm/v3/lists/records/{object_type_id}/{record_id}/memberships", record_memberships, "listsRead"),
    ("GET", LIST, get_list, "listsRead"),
    ("GET", LIST + "/memberships", memberships, "listsRead"),
    ("GET", LIST + "/memberships/join-order", memberships_join_order, "listsRead"),
    ("PUT", LIST + "/memberships/add", add_members, "listsRead, listsWrite"),
    ("PUT", LIST + "/memberships/remove", remove_members, "listsRead, listsWrite"),
    ("PUT", LIST + "/memberships/add-and-remove", add_and_remove_members, "listsRead, listsWrite"),
]
