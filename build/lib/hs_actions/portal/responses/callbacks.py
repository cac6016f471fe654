"""Workflow callbacks: completing an action that waited, one at a time or in a batch."""
from __future__ import annotations

from hs_actions.portal.responses import Request, Response, reads
from hs_actions.portal.responses.shapes import ANY, TEXT, MapOf, Required

CALLBACK_COMPLETION = {"outputFields": Required(MapOf(ANY)), "failureReasonType": TEXT, "typedOutputs": ANY,
                       "requestContext": ANY}
CALLBACK_COMPLETIONS = {"inputs": Required([{"callbackId": Required(TEXT), **CALLBACK_COMPLETION}])}


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


ROUTES = [
    ("POST", "/automation/v4/actions/callbacks/{callback_id}/complete", complete_callback, "callbacks"),
    ("POST", "/automation/v4/actions/callbacks/complete", complete_callbacks, "callbacks"),
]
