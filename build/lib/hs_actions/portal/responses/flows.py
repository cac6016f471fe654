"""Automation v4 flows: list, get, create, update, delete and batch read workflows."""
from __future__ import annotations

from hs_actions.portal.backend.flows import FLOWS_LIMIT_MAX
from hs_actions.portal.responses import Request, Response, batch_response, paging, reads
from hs_actions.portal.responses.shapes import BOOLEAN, INTEGER, TEXT, Enum, MapOf, Open, Required

# A flow (HubSpot's ApiContactFlow/ApiPlatformFlow create and put requests) is stored as written,
# so its body is Open: the keys below are read by their JSON types, every other key (enrollment,
# the fields of each action type) is kept as sent. What a flow must hold, and the fields of a
# CUSTOM_CODE action, are check_flow's rules (backend/flows.py).
OBJECT = Open({})   # an object of HubSpot's many kinds (data sources, time windows...), kept as sent
FLOW = Open({"type": Enum("CONTACT_FLOW", "PLATFORM_FLOW"), "objectTypeId": TEXT, "revisionId": TEXT,
             "flowType": Enum("ACTION_SET", "UNKNOWN", "WORKFLOW"), "name": TEXT, "description": TEXT,
             "uuid": TEXT, "isEnabled": BOOLEAN, "canEnrollFromSalesforce": BOOLEAN, "startActionId": TEXT,
             "actions": [Open({"actionId": TEXT, "type": TEXT})], "customProperties": MapOf(TEXT),
             "dataSources": [OBJECT], "blockedDates": [OBJECT], "timeWindows": [OBJECT],
             "suppressionListIds": [INTEGER]})
BATCH_READ = {"inputs": Required([{"flowId": Required(TEXT), "type": Required(Enum("FLOW_ID"))}])}   # ApiFlowBatchInput


def list_flows(backend, request: Request) -> Response:
    listed, after = backend.flows(request.limit(FLOWS_LIMIT_MAX, FLOWS_LIMIT_MAX), request.first("after"))
    return Response(200, {"results": listed, **paging(request.path, after)})


def get_flow(backend, request: Request) -> Response:
    return Response(200, backend.flow(request.params["flow_id"]))


@reads(FLOW)
def create_flow(backend, request: Request, body: dict) -> Response:
    return Response(201, backend.create_flow(body))


@reads(FLOW)
def update_flow(backend, request: Request, body: dict) -> Response:
    return Response(200, backend.update_flow(request.params["flow_id"], body))


def delete_flow(backend, request: Request) -> Response:
    backend.delete_flow(request.params["flow_id"])
    return Response(204)


@reads(BATCH_READ)
def batch_read_flows(backend, request: Request, body: dict) -> Response:
    found, errors = backend.batch_read_flows([entry["flowId"] for entry in backend.check_batch(body["inputs"])])
    return batch_response(found, errors)


FLOWS = "/automation/v4/flows"

ROUTES = [
    ("GET", FLOWS, list_flows, "automation"),
    ("POST", FLOWS, create_flow, "automation"),
    ("POST", FLOWS + "/batch/read", batch_read_flows, "automation"),
    ("GET", FLOWS + "/{flow_id}", get_flow, "automation"),
    ("PUT", FLOWS + "/{flow_id}", update_flow, "automation"),
    ("DELETE", FLOWS + "/{flow_id}", delete_flow, "automation"),
]
