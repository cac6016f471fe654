"""Pipelines v3: pipelines of deals, tickets and custom objects, and their stages: read and written."""
from __future__ import annotations

from hs_actions.portal.models import iso
from hs_actions.portal.responses import Request, Response, reads
from hs_actions.portal.responses.shapes import BOOLEAN, INTEGER, TEXT, MapOf, Required

# HubSpot's PipelineStageInput, PipelineInput and their patch forms (hubspot-api-client models).
STAGE = {"label": Required(TEXT), "displayOrder": INTEGER, "metadata": MapOf(TEXT)}
PIPELINE_BODY = {"label": Required(TEXT), "displayOrder": INTEGER, "stages": Required([STAGE])}
PIPELINE_PATCH = {"label": TEXT, "displayOrder": INTEGER, "archived": BOOLEAN}
STAGE_PATCH = {"label": TEXT, "displayOrder": INTEGER, "metadata": MapOf(TEXT), "archived": BOOLEAN}

_PIPELINE_STAMP = "2020-01-01T00:00:00.000Z"   # HubSpot's default pipelines predate every portal


def _stamps(item: dict, archived: bool = False) -> dict:
    created, updated = item.get("createdAt"), item.get("updatedAt")
    return {"createdAt": iso(created) if created else _PIPELINE_STAMP,
            "updatedAt": iso(updated) if updated else _PIPELINE_STAMP, "archived": archived}


def _stage(stage: dict, order: int, archived: bool = False) -> dict:
    return {"id": stage["id"], "label": stage["label"], "displayOrder": stage.get("displayOrder", order),
            "metadata": stage.get("metadata", {}), **_stamps(stage, archived),
            "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT"}


def _pipeline(pipeline: dict, order: int, archived: bool = False) -> dict:
    return {"id": pipeline["id"], "label": pipeline["label"], "displayOrder": pipeline.get("displayOrder", order),
            "stages": [_stage(s, i) for i, s in enumerate(pipeline["stages"])], **_stamps(pipeline, archived)}


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


@reads(PIPELINE_BODY)
def create_pipeline(backend, request: Request, body: dict) -> Response:
    return Response(201, _pipeline(backend.create_pipeline(request.params["object_type"], body), 0))


def _update_pipeline(backend, request: Request, body: dict, replace: bool) -> Response:
    p = request.params
    before = backend.pipeline(p["object_type"], p["pipeline_id"])
    after = backend.update_pipeline(p["object_type"], p["pipeline_id"], body, replace)
    return Response(200, _pipeline(before, 0, archived=True) if after is None else _pipeline(after, 0))


@reads(PIPELINE_PATCH)
def update_pipeline(backend, request: Request, body: dict) -> Response:
    return _update_pipeline(backend, request, body, replace=False)


@reads(PIPELINE_BODY)
def replace_pipeline(backend, request: Request, body: dict) -> Response:
    return _update_pipeline(backend, request, body, replace=True)


def archive_pipeline(backend, request: Request) -> Response:
    backend.archive_pipeline(request.params["object_type"], request.params["pipeline_id"])
    return Response(204, None)


@reads(STAGE)
def create_stage(backend, request: Request, body: dict) -> Response:
    stage = backend.create_stage(request.params["object_type"], request.params["pipeline_id"], body)
    return Response(201, _stage(stage, stage["displayOrder"]))


def _update_stage(backend, request: Request, body: dict, replace: bool) -> Response:
    p = request.params
    before = backend.stage(p["object_type"], p["pipeline_id"], p["stage_id"])
    after = backend.update_stage(p["object_type"], p["pipeline_id"], p["stage_id"], body, replace)
    return Response(200, _stage(before, 0, archived=True) if after is None else _stage(after, after["displayOrder"]))


@reads(STAGE_PATCH)
def update_stage(backend, request: Request, body: dict) -> Response:
    return _update_stage(backend, request, body, replace=False)


@reads(STAGE)
def replace_stage(backend, request: Request, body: dict) -> Response:
    return _update_stage(backend, request, body, replace=True)


def archive_stage(backend, request: Request) -> Response:
    p = request.params
    backend.archive_stage(p["object_type"], p["pipeline_id"], p["stage_id"])
    return Response(204, None)


PIPELINE = "/crm/v3/pipelines/{object_type}/{pipeline_id}"

ROUTES = [
    ("GET", "/crm/v3/pipelines/{object_type}", list_pipelines, "read object_type"),
    ("GET", PIPELINE, get_pipeline, "read object_type"),
    ("GET", PIPELINE + "/stages", list_stages, "read object_type"),
    ("GET", PIPELINE + "/stages/{stage_id}", get_stage, "read object_type"),
    ("POST", "/crm/v3/pipelines/{object_type}", create_pipeline, "write object_type"),
    ("PATCH", PIPELINE, update_pipeline, "write object_type"),
    ("PUT", PIPELINE, replace_pipeline, "write object_type"),
    ("DELETE", PIPELINE, archive_pipeline, "write object_type"),
    ("POST", PIPELINE + "/stages", create_stage, "write object_type"),
    ("PATCH", PIPELINE + "/stages/{stage_id}", update_stage, "write object_type"),
    ("PUT", PIPELINE + "/stages/{stage_id}", replace_stage, "write object_type"),
    ("DELETE", PIPELINE + "/stages/{stage_id}", archive_stage, "write object_type"),
]
