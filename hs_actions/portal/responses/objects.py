"""Objects v3: get, list, create, update, archive, batches and search, for every object type."""
from __future__ import annotations

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend import cursor
from hs_actions.portal.responses import Request, Response, batch_response, list_of, paging


def get_object(backend, request: Request) -> Response:
    record = backend.get(request.params["object_type"], request.params["object_id"],
                         request.listing("properties"), request.listing("propertiesWithHistory"),
                         request.listing("associations"), request.flag("archived"), request.first("idProperty"))
    return Response(200, record.to_dict())


def list_objects(backend, request: Request) -> Response:
    records, after = backend.list(request.params["object_type"], request.integer("limit", 10),
                                  request.first("after"), request.listing("properties"),
                                  request.listing("propertiesWithHistory"), request.listing("associations"),
                                  request.flag("archived"))
    return Response(200, {"results": [r.to_dict() for r in records], **paging(request.path, after)})


def create_object(backend, request: Request) -> Response:
    body = request.object()
    record = backend.create(request.params["object_type"], body.get("properties") or {},
                            list_of(body, "associations", dict))
    return Response(201, record.to_dict())


def update_object(backend, request: Request) -> Response:
    body = request.object()
    record = backend.update(request.params["object_type"], request.params["object_id"],
                            body.get("properties") or {}, request.first("idProperty"))
    return Response(200, record.to_dict())


def archive_object(backend, request: Request) -> Response:
    backend.archive(request.params["object_type"], request.params["object_id"])
    return Response(204)


def batch_read(backend, request: Request) -> Response:
    body = request.object()
    ids = [i.get("id") if isinstance(i, dict) else None for i in backend.check_batch(request.inputs())]
    if any(i is None for i in ids):
        raise exc.ValidationError(exc.INVALID_INPUT.format(detail="each input needs an id"))
    records, errors = backend.batch_read(
        request.params["object_type"], ids, list_of(body, "properties", str) or None,
        list_of(body, "propertiesWithHistory", str) or None, body.get("idProperty"), request.flag("archived"))
    return batch_response([r.to_dict() for r in records], errors)


def batch_create(backend, request: Request) -> Response:
    records = backend.batch_create(request.params["object_type"], request.inputs())
    return batch_response([r.to_dict() for r in records], [], ok=201)


def batch_update(backend, request: Request) -> Response:
    records, errors = backend.batch_update(request.params["object_type"], request.inputs())
    return batch_response([r.to_dict() for r in records], errors)


def batch_archive(backend, request: Request) -> Response:
    inputs = backend.check_batch(request.inputs())
    backend.batch_archive(request.params["object_type"], [i.get("id") if isinstance(i, dict) else i for i in inputs])
    return Response(204)


def search(backend, request: Request) -> Response:
    body = request.object()
    limit, after = body.get("limit", 10), body.get("after", 0)
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise exc.ValidationError(exc.INVALID_INPUT.format(detail=f"limit must be an integer, not {limit!r}"))
    after = cursor(after, search=True)
    query = body.get("query")
    if query is not None and not isinstance(query, str):
        raise exc.ValidationError(exc.INVALID_INPUT.format(detail="query must be a string"))
    total, records, next_after = backend.search(
        request.params["object_type"], body.get("filterGroups") or [], body.get("sorts") or [], query,
        list_of(body, "properties", str) or None, limit, after)
    result = {"total": total, "results": [r.to_dict() for r in records]}
    if next_after is not None:
        result["paging"] = {"next": {"after": str(next_after)}}
    return Response(200, result)


def batch_upsert(backend, request: Request) -> Response:
    done = backend.batch_upsert(request.params["object_type"], request.inputs())
    return batch_response([{**record.to_dict(), "new": created} for record, created in done], [])
