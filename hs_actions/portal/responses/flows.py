"""Automation v4 flows: list, get, create, update, delete and batch read workflows."""
from __future__ import annotations

from hs_actions.portal import exceptions as exc
from hs_actions.portal.responses import Request, Response, batch_response, paging


def list_flows(backend, request: Request) -> Response:
    listed, after = backend.flows(request.integer("limit", 100), request.first("after"))
    return Response(200, {"results": listed, **paging(request.path, after)})


def get_flow(backend, request: Request) -> Response:
    return Response(200, backend.flow(request.params["flow_id"]))


def create_flow(backend, request: Request) -> Response:
    return Response(201, backend.create_flow(request.object()))


def update_flow(backend, request: Request) -> Response:
    return Response(200, backend.update_flow(request.params["flow_id"], request.object()))


def delete_flow(backend, request: Request) -> Response:
    backend.delete_flow(request.params["flow_id"])
    return Response(204)


def batch_read_flows(backend, request: Request) -> Response:
    ids = []
    for entry in backend.check_batch(request.inputs()):
        if not isinstance(entry, dict) or not isinstance(entry.get("flowId"), (str, int)):
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail='each input is {"flowId": "...", "type": "FLOW_ID"}'))
        ids.append(entry["flowId"])
    found, errors = backend.batch_read_flows(ids)
    return batch_response(found, errors)
