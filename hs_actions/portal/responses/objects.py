"""Objects v3: get, list, create, update, archive, batches and search, for every object type."""
from __future__ import annotations

from hs_actions.portal.backend import cursor
from hs_actions.portal.backend.records import LIST_LIMIT_MAX
from hs_actions.portal.backend.search import SEARCH_LIMIT_MAX
from hs_actions.portal.responses import Request, Response, batch_response, page_limit, paging, reads
from hs_actions.portal.responses.shapes import (ANY, ASSOCIATION_TYPES, ID, INTEGER, SCALAR, TEXT, Enum, MapOf,
                                                OneOf, Required)

PROPERTIES = MapOf(ANY)   # values are checked by each property's type (backend)
RECORD = {"properties": PROPERTIES,
          "associations": [{"to": Required(ID), "types": Required(ASSOCIATION_TYPES)}]}
FILTER = {"propertyName": Required(TEXT), "operator": TEXT, "value": SCALAR, "highValue": SCALAR,
          "values": [SCALAR]}
SEARCH = {"filterGroups": [{"filters": Required([FILTER])}],
          "sorts": [OneOf(TEXT, {"propertyName": Required(TEXT), "direction": Enum("ASCENDING", "DESCENDING")})],
          "query": TEXT, "properties": [TEXT], "limit": INTEGER, "after": ANY}


def get_object(backend, request: Request) -> Response:
    record = backend.get(request.params["object_type"], request.params["object_id"],
                         request.listing("properties"), request.listing("propertiesWithHistory"),
                         request.listing("associations"), request.flag("archived"), request.first("idProperty"))
    return Response(200, record.to_dict())


def list_objects(backend, request: Request) -> Response:
    records, after = backend.list(request.params["object_type"], request.limit(10, LIST_LIMIT_MAX),
                                  request.first("after"), request.listing("properties"),
                                  request.listing("propertiesWithHistory"), request.listing("associations"),
                                  request.flag("archived"))
    return Response(200, {"results": [r.to_dict() for r in records], **paging(request.path, after)})


@reads(RECORD)
def create_object(backend, request: Request, body: dict) -> Response:
    record = backend.create(request.params["object_type"], body.get("properties", {}), body.get("associations"))
    return Response(201, record.to_dict())


@reads({"properties": PROPERTIES})
def update_object(backend, request: Request, body: dict) -> Response:
    record = backend.update(request.params["object_type"], request.params["object_id"],
                            body.get("properties", {}), request.first("idProperty"))
    return Response(200, record.to_dict())


def archive_object(backend, request: Request) -> Response:
    backend.archive(request.params["object_type"], request.params["object_id"])
    return Response(204)


@reads({"inputs": Required([ID]), "properties": [TEXT], "propertiesWithHistory": [TEXT], "idProperty": TEXT})
def batch_read(backend, request: Request, body: dict) -> Response:
    records, errors = backend.batch_read(
        request.params["object_type"], [i["id"] for i in body["inputs"]], body.get("properties") or None,
        body.get("propertiesWithHistory") or None, body.get("idProperty"), request.flag("archived"))
    return batch_response([r.to_dict() for r in records], errors)


@reads({"inputs": Required([RECORD])})
def batch_create(backend, request: Request, body: dict) -> Response:
    records = backend.batch_create(request.params["object_type"], body["inputs"])
    return batch_response([r.to_dict() for r in records], [], ok=201)


@reads({"inputs": Required([{"id": Required(TEXT), "idProperty": TEXT, "properties": PROPERTIES}])})
def batch_update(backend, request: Request, body: dict) -> Response:
    records, errors = backend.batch_update(request.params["object_type"], body["inputs"])
    return batch_response([r.to_dict() for r in records], errors)


@reads({"inputs": Required([ID])})
def batch_archive(backend, request: Request, body: dict) -> Response:
    backend.batch_archive(request.params["object_type"], [i["id"] for i in body["inputs"]])
    return Response(204)


@reads(SEARCH)
def search(backend, request: Request, body: dict) -> Response:
    limit = page_limit(body.get("limit", 10), SEARCH_LIMIT_MAX, minimum=0)
    total, records, next_after = backend.search(
        request.params["object_type"], body.get("filterGroups", []), body.get("sorts", []), body.get("query"),
        body.get("properties") or None, limit, cursor(body.get("after", 0), search=True))
    result = {"total": total, "results": [r.to_dict() for r in records]}
    if next_after is not None:
        result["paging"] = {"next": {"after": str(next_after)}}
    return Response(200, result)


@reads({"inputs": Required([{"id": Required(TEXT), "idProperty": Required(TEXT), "properties": PROPERTIES}])})
def batch_upsert(backend, request: Request, body: dict) -> Response:
    done = backend.batch_upsert(request.params["object_type"], body["inputs"])
    return batch_response([{**record.to_dict(), "new": created} for record, created in done], [])
