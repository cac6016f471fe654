"""Pipelines, owners and workflow callbacks."""
from __future__ import annotations

from hs_actions.portal.backend.account import OWNERS_LIMIT_MAX
from hs_actions.portal.responses import Request, Response, paging, reads
from hs_actions.portal.responses.shapes import ANY, TEXT, MapOf, Required

CALLBACK_COMPLETION = {"outputFields": Required(MapOf(ANY)), "failureReasonType": TEXT, "typedOutputs": ANY,
                       "requestContext": ANY}
CALLBACK_COMPLETIONS = {"inputs": Required([{"callbackId": Required(TEXT), **CALLBACK_COMPLETION}])}


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



def list_owners(backend, request: Request) -> Response:
    owners, after = backend.owners(request.first("email"), request.first("after"),
                                   request.limit(100, OWNERS_LIMIT_MAX), request.flag("archived"))
    return Response(200, {"results": [o.to_dict() for o in owners], **paging(request.path, after)})


def get_owner(backend, request: Request) -> Response:
    owner = backend.owner(request.params["owner_id"], request.first("idProperty", "id"), request.flag("archived"))
    return Response(200, owner.to_dict())


@reads(CALLBACK_COMPLETION)
def complete_callback(backend, request: Request, body: dict) -> Response:
    backend.complete_callback(request.params["callback_id"], body)
    return Response(204)


@reads(CALLBACK_COMPLETIONS)
def complete_callbacks(backend, request: Request, body: dict) -> Response:
    """POST /automation/v4/actions/callbacks/complete: {inputs: [{callbackId, outputFields}]}."""
    backend.complete_callbacks([(entry["callbackId"], {k: v for k, v in entry.items() if k != "callbackId"})
                                for entry in backend.check_batch(body["inputs"])])
    return Response(204)
