"""HubDB v3: tables and rows, published (`.../rows`) and draft (`.../rows/draft`, `.../draft`);
draft row writes (one and batch), publishing, resetting, unpublishing and cloning a table."""
from __future__ import annotations

import base64

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.hubdb import ROWS_LIMIT_DEFAULT, ROWS_LIMIT_MAX, TABLES_LIMIT_DEFAULT, TABLES_LIMIT_MAX
from hs_actions.portal.models import iso, parse_time
from hs_actions.portal.responses import API_BASE, Request, Response, batch_response, paging, reads
from hs_actions.portal.responses.shapes import ANY_OR_NULL, BOOLEAN, INTEGER, TEXT, MapOf, Required

# Query parameters of the rows routes that are not row filters.
_ROW_PARAMETERS = {"sort", "after", "limit", "offset", "properties", "archived", "portalId", "includeForeignIds"}
ROW_IDS = {"inputs": Required([TEXT])}   # the body of a rows batch read (HubSpot's BatchInputString)
# A row written (HubSpot's HubDbTableRowV3Request): a null value clears its cell. childTableId
# and displayIndex are read and ignored (child tables and manual order are not modelled).
ROW = {"path": TEXT, "name": TEXT, "childTableId": TEXT, "displayIndex": INTEGER, "values": MapOf(ANY_OR_NULL)}
ROWS = {"inputs": Required([ROW])}
ROW_UPDATES = {"inputs": Required([{**ROW, "id": Required(TEXT)}])}
TABLE_CLONE = {"newName": Required(TEXT), "newLabel": TEXT, "copyRows": BOOLEAN, "isHubspotDefined": BOOLEAN}


def _column(column: dict) -> dict:
    body = dict(column)
    if "options" in body:
        body["options"] = [{**o, "createdAt": iso(o["createdAt"]), "updatedAt": iso(o["updatedAt"])}
                           for o in body["options"]]
    return body


def _table(table: dict) -> dict:
    body = {"id": str(table["id"]), "name": table["name"], "label": table["label"],
            "columns": [_column(c) for c in table["columns"]], "published": table["published_at"] is not None,
            "deleted": False, "columnCount": len(table["columns"]), "rowCount": table["row_count"],
            "createdAt": iso(table["created"]), "updatedAt": iso(table["updated"]),
            "useForPages": table["useForPages"], "allowChildTables": False, "enableChildTablePages": False,
            "isOrderedManually": False, "dynamicMetaTags": {}, "allowPublicApiAccess": table["allowPublicApiAccess"]}
    if table["published_at"] is not None:
        body["publishedAt"] = iso(table["published_at"])
    return body


def _row(table: dict, row: dict) -> dict:
    body = {"id": str(row["id"]), "createdAt": iso(row["created"]), "updatedAt": iso(row["updated"]),
            "path": row["path"], "name": row["name"], "childTableId": "0", "values": row["values"]}
    if table["published_at"] is not None:
        body["publishedAt"] = iso(table["published_at"])
    return body


def _times(request: Request, name: str) -> dict:
    """{"at"|"after"|"before": ms} from createdAt/createdAfter/createdBefore (or updated...)."""
    bounds = {}
    for suffix, kind in (("At", "at"), ("After", "after"), ("Before", "before")):
        value = request.first(name + suffix)
        if value is not None:
            ms = parse_time(value)
            if ms is None:
                raise exc.InvalidInput(f"{name}{suffix} must be a datetime, not {value!r}")
            bounds[kind] = ms
    return bounds


def _list_tables(backend, request: Request, draft: bool) -> Response:
    tables, total, after = backend.hubdb_tables(
        draft, request.limit(TABLES_LIMIT_DEFAULT, TABLES_LIMIT_MAX), request.first("after"), request.listing("sort"),
        _times(request, "created"), _times(request, "updated"), request.flag("archived"))
    return Response(200, {"total": total, "results": [_table(t) for t in tables], **paging(request.path, after)})


def list_tables(backend, request: Request) -> Response:
    return _list_tables(backend, request, draft=False)


def list_draft_tables(backend, request: Request) -> Response:
    return _list_tables(backend, request, draft=True)


def get_table(backend, request: Request) -> Response:
    return Response(200, _table(backend.hubdb_table(request.params["table"], draft=False)))


def get_draft_table(backend, request: Request) -> Response:
    return Response(200, _table(backend.hubdb_table(request.params["table"], draft=True)))


def _rows(backend, request: Request, draft: bool) -> Response:
    filters = [(key, value) for key, values in request.query.items() if key not in _ROW_PARAMETERS for value in values]
    offset = request.first("offset")
    start = request.integer("offset", 0) if offset is not None else _after(request.first("after"))
    limit = request.limit(ROWS_LIMIT_DEFAULT, ROWS_LIMIT_MAX)
    table, rows, total = backend.hubdb_rows(request.params["table"], draft, filters, request.listing("sort") or [],
                                            limit, start, request.listing("properties"))
    results = [] if request.flag("archived") else [_row(table, r) for r in rows]
    body = {"total": 0 if request.flag("archived") else total, "results": results}
    more = start + limit < total and not request.flag("archived")
    if offset is not None:   # HubSpot's random-access answer to an offset; a cursor otherwise
        body["type"] = "RANDOM_ACCESS"
        if more:
            body["paging"] = {"next": {"offset": start + limit,
                                       "link": f"{API_BASE}{request.path}?offset={start + limit}"}}
        return Response(200, body)
    body["type"] = "STREAMING"
    return Response(200, {**body, **paging(request.path, _cursor(start + limit) if more else None)})


# HubDB's row cursors are the base64 of an offset (code in the wild builds them as
# btoa("0")); the portal sends them so and reads them back, or a plain offset.
def _cursor(offset: int) -> str:
    return base64.b64encode(str(offset).encode()).decode()


def _after(value) -> int:
    if value is None or value == "":
        return 0
    text = str(value)
    if not (text.isascii() and text.isdigit()):
        try:
            text = base64.b64decode(text, validate=True).decode()
        except ValueError:   # not base64, not ASCII ("²", "🙂"), or not UTF-8 once decoded
            text = ""
    if not (text.isascii() and text.isdigit()):
        raise exc.ValidationError(exc.AFTER_INVALID.format(value=value))
    return int(text)


def list_rows(backend, request: Request) -> Response:
    return _rows(backend, request, draft=False)


def list_draft_rows(backend, request: Request) -> Response:
    return _rows(backend, request, draft=True)


def get_row(backend, request: Request) -> Response:
    table, row = backend.hubdb_row(request.params["table"], request.params["row_id"], draft=False)
    return Response(200, _row(table, row))


def get_draft_row(backend, request: Request) -> Response:
    table, row = backend.hubdb_row(request.params["table"], request.params["row_id"], draft=True)
    return Response(200, _row(table, row))


def _batch_read(backend, request: Request, ids: list, draft: bool) -> Response:
    table, rows, errors = backend.hubdb_batch_rows(request.params["table"], ids, draft)
    return batch_response([_row(table, r) for r in rows], errors)


@reads(ROW_IDS)
def batch_read_rows(backend, request: Request, body: dict) -> Response:
    return _batch_read(backend, request, body["inputs"], draft=False)


@reads(ROW_IDS)
def batch_read_draft_rows(backend, request: Request, body: dict) -> Response:
    return _batch_read(backend, request, body["inputs"], draft=True)


# ---- writes ----------------------------------------------------------------------------------

@reads(ROW)
def create_row(backend, request: Request, body: dict) -> Response:
    table, rows = backend.hubdb_create_rows(request.params["table"], [body])
    return Response(201, _row(table, rows[0]))


def _write_row(backend, request: Request, body: dict, replace: bool) -> Response:
    table, rows, errors = backend.hubdb_update_rows(request.params["table"],
                                                    [{**body, "id": request.params["row_id"]}], replace)
    if errors:
        raise errors[0]
    return Response(200, _row(table, rows[0]))


@reads(ROW)
def update_draft_row(backend, request: Request, body: dict) -> Response:
    return _write_row(backend, request, body, replace=False)


@reads(ROW)
def replace_draft_row(backend, request: Request, body: dict) -> Response:
    return _write_row(backend, request, body, replace=True)


def purge_draft_row(backend, request: Request) -> Response:
    backend.hubdb_purge_rows(request.params["table"], [request.params["row_id"]])
    return Response(204, None)


@reads(None)
def clone_draft_row(backend, request: Request, _body) -> Response:
    table, rows, errors = backend.hubdb_clone_rows(request.params["table"], [request.params["row_id"]])
    if errors:
        raise errors[0]
    return Response(200, _row(table, rows[0]))


@reads(ROWS)
def batch_create_rows(backend, request: Request, body: dict) -> Response:
    table, rows = backend.hubdb_create_rows(request.params["table"], backend.check_batch(body["inputs"]))
    return batch_response([_row(table, r) for r in rows], [], ok=201)


@reads(ROW_UPDATES)
def batch_update_rows(backend, request: Request, body: dict) -> Response:
    table, rows, errors = backend.hubdb_update_rows(request.params["table"], backend.check_batch(body["inputs"]), False)
    return batch_response([_row(table, r) for r in rows], errors)


@reads(ROW_UPDATES)
def batch_replace_rows(backend, request: Request, body: dict) -> Response:
    table, rows, errors = backend.hubdb_update_rows(request.params["table"], backend.check_batch(body["inputs"]), True)
    return batch_response([_row(table, r) for r in rows], errors)


@reads(ROW_IDS)
def batch_purge_rows(backend, request: Request, body: dict) -> Response:
    backend.hubdb_purge_rows(request.params["table"], backend.check_batch(body["inputs"]))
    return Response(204, None)


@reads(ROW_IDS)
def batch_clone_rows(backend, request: Request, body: dict) -> Response:
    table, rows, errors = backend.hubdb_clone_rows(request.params["table"], backend.check_batch(body["inputs"]))
    return batch_response([_row(table, r) for r in rows], errors)


@reads(None)
def publish_table(backend, request: Request, _body) -> Response:
    return Response(200, _table(backend.hubdb_publish(request.params["table"])))


@reads(None)
def reset_draft_table(backend, request: Request, _body) -> Response:
    return Response(200, _table(backend.hubdb_reset_draft(request.params["table"])))


@reads(None)
def unpublish_table(backend, request: Request, _body) -> Response:
    return Response(200, _table(backend.hubdb_unpublish(request.params["table"])))


@reads(TABLE_CLONE)
def clone_table(backend, request: Request, body: dict) -> Response:
    return Response(200, _table(backend.hubdb_clone_table(request.params["table"], body["newName"],
                                                          body.get("newLabel"), body.get("copyRows", False))))


HUBDB_TABLES = "/cms/v3/hubdb/tables"
HUBDB_TABLE = HUBDB_TABLES + "/{table}"

ROUTES = [
    ("GET", HUBDB_TABLES, list_tables, "hubdb"),
    ("GET", HUBDB_TABLES + "/draft", list_draft_tables, "hubdb"),
    ("GET", HUBDB_TABLE, get_table, "hubdb"),
    ("GET", HUBDB_TABLE + "/draft", get_draft_table, "hubdb"),
    ("GET", HUBDB_TABLE + "/rows", list_rows, "hubdb"),
    ("GET", HUBDB_TABLE + "/rows/draft", list_draft_rows, "hubdb"),
    ("POST", HUBDB_TABLE + "/rows/batch/read", batch_read_rows, "hubdb"),
    ("POST", HUBDB_TABLE + "/rows/draft/batch/read", batch_read_draft_rows, "hubdb"),
    ("GET", HUBDB_TABLE + "/rows/{row_id}", get_row, "hubdb"),
    ("GET", HUBDB_TABLE + "/rows/{row_id}/draft", get_draft_row, "hubdb"),
    ("POST", HUBDB_TABLE + "/rows", create_row, "hubdbRowsWrite"),
    ("PATCH", HUBDB_TABLE + "/rows/{row_id}/draft", update_draft_row, "hubdbRowsWrite"),
    ("PUT", HUBDB_TABLE + "/rows/{row_id}/draft", replace_draft_row, "hubdbRowsWrite"),
    ("DELETE", HUBDB_TABLE + "/rows/{row_id}/draft", purge_draft_row, "hubdbRowsWrite"),
    ("POST", HUBDB_TABLE + "/rows/{row_id}/draft/clone", clone_draft_row, "hubdbRowsWrite"),
    ("POST", HUBDB_TABLE + "/rows/draft/batch/create", batch_create_rows, "hubdbRowsWrite"),
    ("POST", HUBDB_TABLE + "/rows/draft/batch/update", batch_update_rows, "hubdbRowsWrite"),
    ("POST", HUBDB_TABLE + "/rows/draft/batch/replace", batch_replace_rows, "hubdbRowsWrite"),
    ("POST", HUBDB_TABLE + "/rows/draft/batch/purge", batch_purge_rows, "hubdbRowsWrite"),
    ("POST", HUBDB_TABLE + "/rows/draft/batch/clone", batch_clone_rows, "hubdbRowsWrite"),
    ("POST", HUBDB_TABLE + "/draft/publish", publish_table, "hubdbPublish"),
    ("POST", HUBDB_TABLE + "/draft/reset", reset_draft_table, "hubdb"),
    ("POST", HUBDB_TABLE + "/unpublish", unpublish_table, "hubdb"),
    ("POST", HUBDB_TABLE + "/draft/clone", clone_table, "hubdb"),
]
