"""Objects v3: get, list, create, update, archive and batches, for every object type."""
from __future__ import annotations

import re

from hs_actions.portal.backend.objects import LIST_LIMIT_MAX
from hs_actions.portal.responses import OBJECT, ONE, Request, Response, batch_response, paging, reads
from hs_actions.portal.responses.shapes import ANY, ASSOCIATION_TYPES, ID, TEXT, MapOf, Required

# Values are checked by each property's type (backend). A null value is ignored, neither set nor
# cleared: HubSpot answers an update with {"hs_next_step": null} 200 and leaves the value as it
# was (HubSpot/hubspot-api-nodejs#324; a HubSpot maintainer: clear with ""). Create and the batch
# calls take the same properties map; that they read null alike is inferred, not confirmed.
PROPERTIES = MapOf(ANY, null_absent=True)
# From the 2026-09 date version on, CRM writes enforce the account's required properties
# (backend/requirements.py); /crm/v3 and earlier versions do not.
_DATED = re.compile(r"/crm/objects/(\d{4}-\d{2})")
REQUIRED_FROM = "2026-09"


def _enforces_required(request: Request) -> bool:
    """Whether this write is on a path whose API version enforces the account's required properties."""
    dated = _DATED.match(request.path)
    return bool(dated and dated.group(1) >= REQUIRED_FROM)


def _check_required(backend, request: Request, inputs: list[dict], creating: bool) -> None:
    if _enforces_required(request):
        for entry in inputs:
            backend.check_account_required(request.params["object_type"], entry.get("properties", {}), creating)
RECORD = {"properties": PROPERTIES,
          "associations": [{"to": Required(ID), "types": Required(ASSOCIATION_TYPES)}]}


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
    _check_required(backend, request, [body], creating=True)
    record = backend.create(request.params["object_type"], body.get("properties", {}), body.get("associations"))
    return Response(201, record.to_dict())


@reads({"properties": PROPERTIES})
def update_object(backend, request: Request, body: dict) -> Response:
    _check_required(backend, request, [body], creating=False)
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
    _check_required(backend, request, body["inputs"], creating=True)
    records = backend.batch_create(request.params["object_type"], body["inputs"])
    return batch_response([r.to_dict() for r in records], [], ok=201)


@reads({"inputs": Required([{"id": Required(TEXT), "idProperty": TEXT, "properties": PROPERTIES}])})
def batch_update(backend, request: Request, body: dict) -> Response:
    _check_required(backend, request, body["inputs"], creating=False)
    records, errors = backend.batch_update(request.params["object_type"], body["inputs"])
    return batch_response([r.to_dict() for r in records], errors)


@reads({"inputs": Required([ID])})
def batch_archive(backend, request: Request, body: dict) -> Response:
    backend.batch_archive(request.params["object_type"], [i["id"] for i in body["inputs"]])
    return Response(204)


@reads({"inputs": Required([{"id": Required(TEXT), "idProperty": Required(TEXT), "properties": PROPERTIES}])})
def batch_upsert(backend, request: Request, body: dict) -> Response:
    # Whether each input creates or updates is known only in the backend, which checks it there.
    done = backend.batch_upsert(request.params["object_type"], body["inputs"], _enforces_required(request))
    return batch_response([{**record.to_dict(), "new": created} for record, created in done], [])


ROUTES = [
    ("GET", OBJECT, list_objects, "read object_type"),
    ("POST", OBJECT, create_object, "write object_type"),
    ("POST", OBJECT + "/batch/read", batch_read, "read object_type"),
    ("POST", OBJECT + "/batch/create", batch_create, "write object_type"),
    ("POST", OBJECT + "/batch/update", batch_update, "write object_type"),
    ("POST", OBJECT + "/batch/archive", batch_archive, "write object_type"),
    ("POST", OBJECT + "/batch/upsert", batch_upsert, "write object_type"),
    ("GET", ONE, get_object, "read object_type"),
    ("PATCH", ONE, update_object, "write object_type"),
    ("DELETE", ONE, archive_object, "write object_type"),
]
