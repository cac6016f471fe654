"""Request handlers: parse the request, call the backend, serialise HubSpot's response.

Handlers never touch storage and never build error bodies: they raise the errors of
`exceptions`, and the server serialises them. Each takes (backend, request) and returns a
Response.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend import cursor
from hs_actions.portal.models import iso, now_ms

API_BASE = "https://api.hubapi.com"


@dataclass
class Request:
    method: str
    path: str
    params: dict
    query: dict[str, list[str]]
    body: bytes = b""

    def json(self):
        """The parsed body; HubSpot's 400 for a missing or malformed one."""
        if not self.body.strip():
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail="a JSON body is required"))
        try:
            return json.loads(self.body)
        except UnicodeDecodeError as error:
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail=str(error))) from None
        except json.JSONDecodeError as error:
            raise exc.ValidationError(exc.INVALID_JSON.format(
                line=error.lineno, column=error.colno, detail=error.msg)) from None

    def object(self) -> dict:
        body = self.json()
        if not isinstance(body, dict):
            raise exc.ValidationError(exc.INVALID_INPUT.format(
                detail=f"expected a JSON object, found {type(body).__name__}"))
        return body

    def inputs(self) -> list:
        inputs = self.object().get("inputs")
        if not isinstance(inputs, list):
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail="inputs must be a list"))
        return inputs

    def first(self, name: str, default=None):
        values = self.query.get(name)
        return values[0] if values else default

    def listing(self, name: str) -> list[str] | None:
        """A list parameter, sent repeated (a=1&a=2, as the client does) or comma-separated."""
        values = [v for item in self.query.get(name, []) for v in item.split(",") if v]
        return values or None

    def flag(self, name: str) -> bool:
        # The client sends Python's str(bool): archived=False
        return str(self.first(name, "false")).lower() == "true"

    def integer(self, name: str, default: int) -> int:
        value = self.first(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail=f"{name} must be an integer, not {value!r}")) from None


@dataclass
class Response:
    status: int
    body: object = None
    headers: dict = field(default_factory=dict)


def _paging(path: str, after) -> dict:
    if after is None:
        return {}
    return {"paging": {"next": {"after": str(after), "link": f"{API_BASE}{path}?after={after}"}}}


def _list_of(body: dict, key: str, kind) -> list:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, kind) for v in value):
        noun = {dict: "objects", str: "strings"}[kind]
        raise exc.ValidationError(exc.INVALID_INPUT.format(detail=f"{key} must be a list of {noun}"))
    return value


def _batch(results: list, errors: list, ok: int = 200) -> Response:
    stamp = iso(now_ms())
    body = {"status": "COMPLETE", "results": results, "startedAt": stamp, "completedAt": stamp}
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = [exc.batch_error(e) for e in errors]
        return Response(207, body)
    return Response(ok, body)


# ---- objects --------------------------------------------------------------------------------

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
    return Response(200, {"results": [r.to_dict() for r in records], **_paging(request.path, after)})


def create_object(backend, request: Request) -> Response:
    body = request.object()
    record = backend.create(request.params["object_type"], body.get("properties") or {},
                            _list_of(body, "associations", dict))
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
        request.params["object_type"], ids, _list_of(body, "properties", str) or None,
        _list_of(body, "propertiesWithHistory", str) or None, body.get("idProperty"), request.flag("archived"))
    return _batch([r.to_dict() for r in records], errors)


def batch_create(backend, request: Request) -> Response:
    records = backend.batch_create(request.params["object_type"], request.inputs())
    return _batch([r.to_dict() for r in records], [], ok=201)


def batch_update(backend, request: Request) -> Response:
    records, errors = backend.batch_update(request.params["object_type"], request.inputs())
    return _batch([r.to_dict() for r in records], errors)


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
        _list_of(body, "properties", str) or None, limit, after)
    result = {"total": total, "results": [r.to_dict() for r in records]}
    if next_after is not None:
        result["paging"] = {"next": {"after": str(next_after)}}
    return Response(200, result)


def batch_upsert(backend, request: Request) -> Response:
    done = backend.batch_upsert(request.params["object_type"], request.inputs())
    return _batch([{**record.to_dict(), "new": created} for record, created in done], [])


# ---- pipelines ------------------------------------------------------------------------------

_PIPELINE_STAMP = "2020-01-01T00:00:00.000Z"   # HubSpot's default pipelines predate every portal


def _stage(stage: dict, order: int) -> dict:
    return {"id": stage["id"], "label": stage["label"], "displayOrder": stage.get("displayOrder", order),
            "metadata": stage.get("metadata", {}), "createdAt": _PIPELINE_STAMP, "updatedAt": _PIPELINE_STAMP,
            "archived": False, "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT"}


def _pipeline(pipeline: dict, order: int) -> dict:
    return {"id": pipeline["id"], "label": pipeline["label"], "displayOrder": pipeline.get("displayOrder", order),
            "stages": [_stage(s, i) for i, s in enumerate(pipeline["stages"])],
            "createdAt": _PIPELINE_STAMP, "updatedAt": _PIPELINE_STAMP, "archived": False}


def list_pipelines(backend, request: Request) -> Response:
    return Response(200, {"results": [_pipeline(p, i) for i, p in
                                      enumerate(backend.pipeline_list(request.params["object_type"]))]})


def get_pipeline(backend, request: Request) -> Response:
    return Response(200, _pipeline(backend.pipeline(request.params["object_type"], request.params["pipeline_id"]), 0))


def list_stages(backend, request: Request) -> Response:
    pipeline = backend.pipeline(request.params["object_type"], request.params["pipeline_id"])
    return Response(200, {"results": [_stage(s, i) for i, s in enumerate(pipeline["stages"])]})


def get_stage(backend, request: Request) -> Response:
    p = request.params
    pipeline = backend.pipeline(p["object_type"], p["pipeline_id"])
    stage = backend.stage(p["object_type"], p["pipeline_id"], p["stage_id"])
    return Response(200, _stage(stage, pipeline["stages"].index(stage)))


# ---- properties -----------------------------------------------------------------------------

def list_properties(backend, request: Request) -> Response:
    return Response(200, {"results": [p.to_dict() for p in backend.properties(request.params["object_type"])]})


def get_property(backend, request: Request) -> Response:
    return Response(200, backend.property(request.params["object_type"], request.params["property_name"]).to_dict())


# ---- associations v4 ------------------------------------------------------------------------

def _default_result(from_id, to_id, kind) -> dict:
    return {"from": {"id": str(from_id)}, "to": {"id": str(to_id)}, "associationSpec": kind.spec()}


def list_associations(backend, request: Request) -> Response:
    p = request.params
    results, after = backend.associations(p["object_type"], p["object_id"], p["to_object_type"],
                                          request.integer("limit", 500), request.first("after"))
    return Response(200, {"results": results, **_paging(request.path, after)})


def associate_default(backend, request: Request) -> Response:
    p = request.params
    links = backend.associate_default(p["object_type"], p["object_id"], p["to_object_type"], p["to_object_id"])
    return _batch([_default_result(*link) for link in links], [])


def associate(backend, request: Request) -> Response:
    p = request.params
    specs = request.json()
    if not isinstance(specs, list):
        raise exc.ValidationError(exc.INVALID_INPUT.format(detail="expected a list of association types"))
    labels = backend.associate(p["object_type"], p["object_id"], p["to_object_type"], p["to_object_id"], specs)
    return Response(201, labels)


def remove_associations(backend, request: Request) -> Response:
    p = request.params
    backend.remove_associations(p["object_type"], p["object_id"], p["to_object_type"], p["to_object_id"])
    return Response(204)


def association_labels(backend, request: Request) -> Response:
    kinds = backend.association_types(request.params["object_type"], request.params["to_object_type"])
    return Response(200, {"results": [k.with_label() for k in kinds]})


def _id_of(value) -> str:
    if not isinstance(value, dict) or value.get("id") is None:
        raise exc.ValidationError(exc.INVALID_INPUT.format(detail="expected {\"id\": ...}"))
    return str(value["id"])


def batch_read_associations(backend, request: Request) -> Response:
    p = request.params

    def read(from_id, entry):
        found, after = backend.associations(p["object_type"], from_id, p["to_object_type"], 500, entry.get("after"))
        return found, _paging(request.path, after)

    return _batch_read(backend, request, read)


def _batch_read(backend, request: Request, read) -> Response:
    """read(from_id, input) -> (associated, extra keys) for every input of a batch read; an
    input whose record does not exist, or has no associations, becomes one of the 207's errors."""
    results, errors = [], []
    for entry in backend.check_batch(request.inputs()):
        from_id = _id_of(entry)
        try:
            found, extra = read(from_id, entry)
        except exc.ObjectNotFound as error:
            errors.append(error)
            continue
        if not found:
            errors.append(_no_associations(backend, request.params, from_id))
            continue
        results.append({"from": {"id": from_id}, "to": found, **extra})
    return _batch(results, errors)


def _no_associations(backend, params: dict, from_id: str) -> exc.PortalError:
    return exc.ObjectNotFound(
        exc.NO_ASSOCIATIONS.format(to_type=backend.object_type(params["to_object_type"]).singular,
                                   from_type=backend.object_type(params["object_type"]).singular, id=from_id),
        sub_category="crm.associations.NO_ASSOCIATIONS_FOUND", context={"fromObjectId": [from_id]})


def batch_create_associations(backend, request: Request) -> Response:
    p = request.params
    results, errors = _each_link(backend, request, lambda from_id, to_id, entry: backend.associate(
        p["object_type"], from_id, p["to_object_type"], to_id, entry.get("types")))
    return _batch(results, errors, ok=201)


def batch_associate_default(backend, request: Request) -> Response:
    p = request.params
    linked, errors = _each_link(backend, request, lambda from_id, to_id, _entry: backend.associate_default(
        p["object_type"], from_id, p["to_object_type"], to_id))
    return _batch([_default_result(*link) for links in linked for link in links], errors)


def _each_link(backend, request: Request, link) -> tuple[list, list]:
    """link(from_id, to_id, input) for every batch input; an input naming a record that does
    not exist becomes one of the 207's errors instead of failing the batch."""
    results, errors = [], []
    for entry in backend.check_batch(request.inputs()):
        if not isinstance(entry, dict):
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail="each input must be an object"))
        try:
            results.append(link(_id_of(entry.get("from")), _id_of(entry.get("to")), entry))
        except exc.ObjectNotFound as error:
            errors.append(error)
    return results, errors


def batch_archive_associations(backend, request: Request) -> Response:
    p = request.params
    for entry in backend.check_batch(request.inputs()):
        if not isinstance(entry, dict) or not isinstance(entry.get("to"), list):
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail="each input needs from and a list to"))
        for to in entry["to"]:
            try:
                backend.remove_associations(p["object_type"], _id_of(entry.get("from")), p["to_object_type"], _id_of(to))
            except exc.ObjectNotFound:
                pass
    return Response(204)


def batch_archive_labels(backend, request: Request) -> Response:
    p = request.params
    for entry in backend.check_batch(request.inputs()):
        if not isinstance(entry, dict) or not isinstance(entry.get("types"), list):
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail="each input needs from, to and types"))
        try:
            backend.remove_associations(p["object_type"], _id_of(entry.get("from")), p["to_object_type"],
                                        _id_of(entry.get("to")), entry["types"])
        except exc.ObjectNotFound:
            pass
    return Response(204)


# ---- associations v3 (hubspot-api-client 8.x) -----------------------------------------------

def list_associations_v3(backend, request: Request) -> Response:
    p = request.params
    return Response(200, {"results": backend.associated_ids(p["object_type"], p["object_id"], p["to_object_type"])})


def associate_v3(backend, request: Request) -> Response:
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


def batch_read_associations_v3(backend, request: Request) -> Response:
    p = request.params
    return _batch_read(backend, request, lambda from_id, _entry: (
        backend.associated_ids(p["object_type"], from_id, p["to_object_type"]), {}))


def batch_create_associations_v3(backend, request: Request) -> Response:
    p = request.params
    results, errors = [], []
    for entry in backend.check_batch(request.inputs()):
        if not isinstance(entry, dict):
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail="each input must be an object"))
        kind = backend.association_type(p["object_type"], p["to_object_type"], str(entry.get("type")))
        from_id, to_id = _id_of(entry.get("from")), _id_of(entry.get("to"))
        try:
            backend.link(kind, from_id, to_id)
        except exc.ObjectNotFound as error:
            errors.append(error)
            continue
        results.append({"from": {"id": from_id}, "to": {"id": to_id}, "type": kind.v3_name})
    return _batch(results, errors, ok=201)


def batch_archive_associations_v3(backend, request: Request) -> Response:
    p = request.params
    for entry in backend.check_batch(request.inputs()):
        if not isinstance(entry, dict):
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail="each input must be an object"))
        kind = backend.association_type(p["object_type"], p["to_object_type"], str(entry.get("type")))
        try:
            backend.remove_associations(p["object_type"], _id_of(entry.get("from")), p["to_object_type"],
                                        _id_of(entry.get("to")), [kind.spec()])
        except exc.ObjectNotFound:
            pass
    return Response(204)


# ---- owners and workflow callbacks ----------------------------------------------------------

def list_owners(backend, request: Request) -> Response:
    owners, after = backend.owners(request.first("email"), request.first("after"),
                                   request.integer("limit", 100), request.flag("archived"))
    return Response(200, {"results": [o.to_dict() for o in owners], **_paging(request.path, after)})


def get_owner(backend, request: Request) -> Response:
    owner = backend.owner(request.params["owner_id"], request.first("idProperty", "id"), request.flag("archived"))
    return Response(200, owner.to_dict())


def complete_callback(backend, request: Request) -> Response:
    backend.complete_callback(request.params["callback_id"], request.json())
    return Response(204)
