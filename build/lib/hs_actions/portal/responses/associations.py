"""Associations v4 (defaults, labelled, batches) and v3 (what hubspot-api-client 8.x calls)."""
from __future__ import annotations

from hs_actions.portal import exceptions as exc
from hs_actions.portal.responses import ONE, Request, Response, batch_response, paging, reads
from hs_actions.portal.responses.shapes import ANY, ASSOCIATION_TYPES, ID, TEXT, Required

V4_LIST_LIMIT_MAX = 500   # the v4 list's default page size, and the largest the portal takes
LINK = {"from": Required(ID), "to": Required(ID)}
V3_LINK = {**LINK, "type": Required(TEXT)}


def _default_result(from_id, to_id, kind) -> dict:
    return {"from": {"id": str(from_id)}, "to": {"id": str(to_id)}, "associationSpec": kind.spec()}


def list_associations(backend, request: Request) -> Response:
    p = request.params
    results, after = backend.associations(p["object_type"], p["object_id"], p["to_object_type"],
                                          request.limit(V4_LIST_LIMIT_MAX, V4_LIST_LIMIT_MAX), request.first("after"))
    return Response(200, {"results": results, **paging(request.path, after)})


@reads(None)
def associate_default(backend, request: Request, _body) -> Response:
    p = request.params
    links = backend.associate_default(p["object_type"], p["object_id"], p["to_object_type"], p["to_object_id"])
    return batch_response([_default_result(*link) for link in links], [])


@reads(ASSOCIATION_TYPES)
def associate(backend, request: Request, specs: list) -> Response:
    p = request.params
    labels = backend.associate(p["object_type"], p["object_id"], p["to_object_type"], p["to_object_id"], specs)
    return Response(201, labels)


def remove_associations(backend, request: Request) -> Response:
    p = request.params
    backend.remove_associations(p["object_type"], p["object_id"], p["to_object_type"], p["to_object_id"])
    return Response(204)


@reads({"inputs": Required([{**ID, "after": ANY}])})
def batch_read_associations(backend, request: Request, body: dict) -> Response:
    p = request.params

    def read(from_id, entry):
        found, after = backend.associations(p["object_type"], from_id, p["to_object_type"], 500, entry.get("after"))
        return found, paging(request.path, after)

    return _batch_read(backend, request, body["inputs"], read)


def _batch_read(backend, request: Request, inputs: list, read) -> Response:
    """read(from_id, input) -> (associated, extra keys) for every input of a batch read; an
    input whose record does not exist, or has no associations, becomes one of the 207's errors."""
    results, errors = [], []
    for entry in backend.check_batch(inputs):
        from_id = entry["id"]
        try:
            found, extra = read(from_id, entry)
        except exc.ObjectNotFound as error:
            errors.append(error)
            continue
        if not found:
            errors.append(_no_associations(backend, request.params, from_id))
            continue
        results.append({"from": {"id": from_id}, "to": found, **extra})
    return batch_response(results, errors)


def _no_associations(backend, params: dict, from_id: str) -> exc.PortalError:
    return exc.ObjectNotFound(
        exc.NO_ASSOCIATIONS.format(to_type=backend.object_type(params["to_object_type"]).singular,
                                   from_type=backend.object_type(params["object_type"]).singular, id=from_id),
        sub_category="crm.associations.NO_ASSOCIATIONS_FOUND", context={"fromObjectId": [from_id]})


@reads({"inputs": Required([{**LINK, "types": Required(ASSOCIATION_TYPES)}])})
def batch_create_associations(backend, request: Request, body: dict) -> Response:
    p = request.params
    results, errors = _each_link(backend, body["inputs"], lambda from_id, to_id, entry: backend.associate(
        p["object_type"], from_id, p["to_object_type"], to_id, entry.get("types")))
    return batch_response(results, errors, ok=201)


@reads({"inputs": Required([LINK])})
def batch_associate_default(backend, request: Request, body: dict) -> Response:
    p = request.params
    linked, errors = _each_link(backend, body["inputs"], lambda from_id, to_id, _entry: backend.associate_default(
        p["object_type"], from_id, p["to_object_type"], to_id))
    return batch_response([_default_result(*link) for links in linked for link in links], errors)


def _each_link(backend, inputs: list, link) -> tuple[list, list]:
    """link(from_id, to_id, input) for every batch input; an input naming a record that does
    not exist becomes one of the 207's errors instead of failing the batch."""
    results, errors = [], []
    for entry in backend.check_batch(inputs):
        try:
            results.append(link(entry["from"]["id"], entry["to"]["id"], entry))
        except exc.ObjectNotFound as error:
            errors.append(error)
    return results, errors


@reads({"inputs": Required([{"from": Required(ID), "to": Required([ID])}])})
def batch_archive_associations(backend, request: Request, body: dict) -> Response:
    p = request.params
    for entry in backend.check_batch(body["inputs"]):
        for to in entry["to"]:
            try:
                backend.remove_associations(p["object_type"], entry["from"]["id"], p["to_object_type"], to["id"])
            except exc.ObjectNotFound:
                pass
    return Response(204)


@reads({"inputs": Required([{**LINK, "types": Required(ASSOCIATION_TYPES)}])})
def batch_archive_labels(backend, request: Request, body: dict) -> Response:
    p = request.params
    for entry in backend.check_batch(body["inputs"]):
        try:
            backend.remove_associations(p["object_type"], entry["from"]["id"], p["to_object_type"],
                                        entry["to"]["id"], entry["types"])
        except exc.ObjectNotFound:
            pass
    return Response(204)


# ---- associations v3 (hubspot-api-client 8.x) -----------------------------------------------

def list_associations_v3(backend, request: Request) -> Response:
    p = request.params
    return Response(200, {"results": backend.associated_ids(p["object_type"], p["object_id"], p["to_object_type"])})


@reads(None)
def associate_v3(backend, request: Request, _body) -> Response:
    p = request.params
    kind = backend.association_type(p["object_type"], p["to_object_type"], p["association_type"])
    backend.link(kind, p["object_id"], p["to_object_id"])
    record = backend.get(p["object_type"], p["object_id"], associations=[p["to_object_type"]])
    return Response(200, record.to_dict())


def remove_association_v3(backend, request: Request) -> Response:
    p = request.params
    kind = backend.association_type(p["object_type"], p["to_object_type"], p["association_type"])
    backend.remove_associations(p["object_type"], p["object_id"], p["to_object_type"], p["to_object_id"], [kind.spec()])
    return Response(204)


def association_types_v3(backend, request: Request) -> Response:
    kinds = backend.association_types(request.params["object_type"], request.params["to_object_type"])
    return Response(200, {"results": [{"id": str(k.type_id), "name": k.v3_name} for k in kinds]})


@reads({"inputs": Required([ID])})
def batch_read_associations_v3(backend, request: Request, body: dict) -> Response:
    p = request.params
    return _batch_read(backend, request, body["inputs"], lambda from_id, _entry: (
        backend.associated_ids(p["object_type"], from_id, p["to_object_type"]), {}))


@reads({"inputs": Required([V3_LINK])})
def batch_create_associations_v3(backend, request: Request, body: dict) -> Response:
    p = request.params
    results, errors = [], []
    for entry in backend.check_batch(body["inputs"]):
        kind = backend.association_type(p["object_type"], p["to_object_type"], entry["type"])
        from_id, to_id = entry["from"]["id"], entry["to"]["id"]
        try:
            backend.link(kind, from_id, to_id)
        except exc.ObjectNotFound as error:
            errors.append(error)
            continue
        results.append({"from": {"id": from_id}, "to": {"id": to_id}, "type": kind.v3_name})
    return batch_response(results, errors, ok=201)


@reads({"inputs": Required([V3_LINK])})
def batch_archive_associations_v3(backend, request: Request, body: dict) -> Response:
    p = request.params
    for entry in backend.check_batch(body["inputs"]):
        kind = backend.association_type(p["object_type"], p["to_object_type"], entry["type"])
        try:
            backend.remove_associations(p["object_type"], entry["from"]["id"], p["to_object_type"],
                                        entry["to"]["id"], [kind.spec()])
        except exc.ObjectNotFound:
            pass
    return Response(204)


V4_ONE = "/crm/v4/objects/{object_type}/{object_id}/associations/{to_object_type}"
V4_BATCH = "/crm/v4/associations/{object_type}/{to_object_type}/batch"
V3_ONE = ONE + "/associations/{to_object_type}"
V3_PAIR = "/crm/v3/associations/{object_type}/{to_object_type}"
BOTH_READ, BOTH_WRITE = "read object_type, read to_object_type", "write object_type, write to_object_type"

ROUTES = [
    ("GET", V4_ONE, list_associations, BOTH_READ),
    ("PUT", "/crm/v4/objects/{object_type}/{object_id}/associations/default/{to_object_type}/{to_object_id}",
     associate_default, BOTH_WRITE),
    ("PUT", V4_ONE + "/{to_object_id}", associate, BOTH_WRITE),
    ("DELETE", V4_ONE + "/{to_object_id}", remove_associations, BOTH_WRITE),
    ("POST", V4_BATCH + "/read", batch_read_associations, BOTH_READ),
    ("POST", V4_BATCH + "/create", batch_create_associations, BOTH_WRITE),
    ("POST", V4_BATCH + "/associate/default", batch_associate_default, BOTH_WRITE),
    ("POST", V4_BATCH + "/archive", batch_archive_associations, BOTH_WRITE),
    ("POST", V4_BATCH + "/labels/archive", batch_archive_labels, BOTH_WRITE),
    ("GET", V3_ONE, list_associations_v3, BOTH_READ),
    ("PUT", V3_ONE + "/{to_object_id}/{association_type}", associate_v3, BOTH_WRITE),
    ("DELETE", V3_ONE + "/{to_object_id}/{association_type}", remove_association_v3, BOTH_WRITE),
    ("GET", V3_PAIR + "/types", association_types_v3, BOTH_READ),
    ("POST", V3_PAIR + "/batch/read", batch_read_associations_v3, BOTH_READ),
    ("POST", V3_PAIR + "/batch/create", batch_create_associations_v3, BOTH_WRITE),
    ("POST", V3_PAIR + "/batch/archive", batch_archive_associations_v3, BOTH_WRITE),
]
