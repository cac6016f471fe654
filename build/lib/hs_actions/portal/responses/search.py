"""Search: POST /crm/v3/objects/{objectType}/search, its body read and its page answered."""
from __future__ import annotations

from hs_actions.portal.backend import cursor
from hs_actions.portal.backend.search import SEARCH_LIMIT_MAX
from hs_actions.portal.responses import OBJECT, Request, Response, page_limit, reads
from hs_actions.portal.responses.shapes import ANY, INTEGER, SCALAR, TEXT, Enum, OneOf, Required

FILTER = {"propertyName": Required(TEXT), "operator": TEXT, "value": SCALAR, "highValue": SCALAR,
          "values": [SCALAR]}
SEARCH = {"filterGroups": [{"filters": Required([FILTER])}],
          "sorts": [OneOf(TEXT, {"propertyName": Required(TEXT), "direction": Enum("ASCENDING", "DESCENDING")})],
          "query": TEXT, "properties": [TEXT], "limit": INTEGER, "after": ANY}


@reads(SEARCH)
def search(backend, request: Request, body: dict) -> Response:
    limit = page_limit(body.get("limit", 10), SEARCH_LIMIT_MAX, minimum=0)
    total, records, next_after = backend.search(
        request.params["object_type"], body.get("filterGroups", []), body.get("sorts", []), body.get("query"),
        body.get("properties") or None, limit, cursor(body.get("after", 0), search=True))
    result = {"total": total, "results": [r.to_dict() for r in records]}
    if next_after is not None:
        result["paging"] = {"next": {"after": str(next_after)}}
    return Response(200, result)


ROUTES = [
    ("POST", OBJECT + "/search", search, "read object_type"),
]
