"""Properties v3: definitions (read, create, update, archive, batches) and property groups; custom object
schemas (read only)."""
from __future__ import annotations

from hs_actions.portal import exceptions as exc
from hs_actions.portal.models import iso
from hs_actions.portal.responses import Request, Response, batch_response


def _definition(prop, archived_at: int | None = None) -> dict:
    body = prop.to_dict()
    if archived_at is not None:
        body.update(archived=True, archivedAt=iso(archived_at))
    return body


def list_properties(backend, request: Request) -> Response:
    object_type = request.params["object_type"]
    if request.flag("archived"):
        return Response(200, {"results": [_definition(p, at) for p, at in backend.archived_properties(object_type)]})
    return Response(200, {"results": [p.to_dict() for p in backend.properties(object_type)]})


def get_property(backend, request: Request) -> Response:
    p = request.params
    if request.flag("archived"):
        for prop, at in backend.archived_properties(p["object_type"]):
            if prop.name == p["property_name"]:
                return Response(200, _definition(prop, at))
    return Response(200, backend.property(p["object_type"], p["property_name"]).to_dict())


def create_property(backend, request: Request) -> Response:
    return Response(201, backend.create_property(request.params["object_type"], request.object()).to_dict())


def update_property(backend, request: Request) -> Response:
    p = request.params
    return Response(200, backend.update_property(p["object_type"], p["property_name"], request.object()).to_dict())


def archive_property(backend, request: Request) -> Response:
    backend.archive_property(request.params["object_type"], request.params["property_name"])
    return Response(204)


def _names(request: Request) -> list[str]:
    names = [entry.get("name") if isinstance(entry, dict) else None for entry in request.inputs()]
    if not all(isinstance(name, str) and name for name in names):
        raise exc.ValidationError(exc.INVALID_INPUT.format(detail='each input is {"name": "<property name>"}'))
    return names


def batch_read_properties(backend, request: Request) -> Response:
    archived = request.object().get("archived", False)
    if not isinstance(archived, bool):
        raise exc.ValidationError(exc.INVALID_INPUT.format(detail="archived must be true or false"))
    found, errors = backend.batch_read_properties(request.params["object_type"], _names(request), archived)
    return batch_response([_definition(p, at) for p, at in found], errors)


def batch_create_properties(backend, request: Request) -> Response:
    created, errors = backend.batch_create_properties(request.params["object_type"], request.inputs())
    return batch_response([p.to_dict() for p in created], errors, ok=201)


def batch_archive_properties(backend, request: Request) -> Response:
    backend.batch_archive_properties(request.params["object_type"], _names(request))
    return Response(204)


# ---- property groups ----------------------------------------------------------------------

def _group(group: dict) -> dict:
    return {"name": group["name"], "label": group["label"], "displayOrder": group["displayOrder"],
            "archived": group["archived"]}


def list_groups(backend, request: Request) -> Response:
    groups = [] if request.flag("archived") else backend.property_groups(request.params["object_type"])
    return Response(200, {"results": [_group(g) for g in groups]})


def get_group(backend, request: Request) -> Response:
    return Response(200, _group(backend.property_group(request.params["object_type"], request.params["group_name"])))


def create_group(backend, request: Request) -> Response:
    return Response(201, _group(backend.create_property_group(request.params["object_type"], request.object())))


def update_group(backend, request: Request) -> Response:
    p = request.params
    return Response(200, _group(backend.update_property_group(p["object_type"], p["group_name"], request.object())))


def archive_group(backend, request: Request) -> Response:
    backend.archive_property_group(request.params["object_type"], request.params["group_name"])
    return Response(204)


def list_schemas(backend, request: Request) -> Response:
    return Response(200, {"results": backend.custom_schemas()})


def get_schema(backend, request: Request) -> Response:
    return Response(200, backend.custom_schema(request.params["object_type"]))
