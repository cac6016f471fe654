"""Pipelines v3: deal and ticket pipelines and their stages, read only."""
from __future__ import annotations

from hs_actions.portal.responses import Request, Response

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


PIPELINE = "/crm/v3/pipelines/{object_type}/{pipeline_id}"

ROUTES = [
    ("GET", "/crm/v3/pipelines/{object_type}", list_pipelines, "read object_type"),
    ("GET", PIPELINE, get_pipeline, "read object_type"),
    ("GET", PIPELINE + "/stages", list_stages, "read object_type"),
    ("GET", PIPELINE + "/stages/{stage_id}", get_stage, "read object_type"),
]
