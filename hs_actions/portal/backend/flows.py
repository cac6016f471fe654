"""Workflows (Automation v4 flows): stored as HubSpot's v4 JSON, revised on every update.

A flow's body is kept exactly as written, apart from the fields HubSpot owns (id, revisionId,
createdAt, updatedAt, nextAvailableActionId), so what a client reads back is what it wrote.
The portal checks what the toolkit depends on: the flow's `type` against its object type
(CONTACT_FLOW for contacts, PLATFORM_FLOW for the rest; hubspot-api-python issue 498), the
revision an update is based on, crmObjectCreationStatus (COMPLETE before an update is taken),
and the shape of CUSTOM_CODE actions. Other action types are
stored as given, not validated. Ignores: enrollment, scheduling and the actions' execution.
"""
from __future__ import annotations

import json

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family
from hs_actions.portal.backend.store import cursor
from hs_actions.portal.models import id_number, iso, load, now_ms, parse_time

FLOWS_LIMIT_MAX = 100
_FIRST_FLOW_ID = 100_000_001                # HubSpot's flow ids are large numbers, sent as strings
_OWNED = ("id", "revisionId", "createdAt", "updatedAt", "nextAvailableActionId")
# HubSpot's own: a flow being created (its objects made in the background) is not COMPLETE yet,
# and refuses updates until it is. A seed may give another value; an update never changes it.
COMPLETE = "COMPLETE"
_LISTED = ("flowType", "isEnabled", "name", "objectTypeId", "uuid")


class Flows(Family):
    """GET/POST /automation/v4/flows, GET/PUT/DELETE /automation/v4/flows/{id}, batch read."""

    name = "flows"
    SEED_KEY = "flows"
    SEED_SHAPES = {
        "flows": ('a list of workflows in HubSpot\'s Automation v4 JSON, e.g. [{"type": "CONTACT_FLOW", '
                  '"objectTypeId": "0-1", "actions": [...]}]'),
        "flow": ('a workflow in HubSpot\'s Automation v4 JSON: {"id"?, "revisionId"?, "type", "objectTypeId", '
                 '"name", "actions": [...]}'),
    }
    TABLES = {"flows": "CREATE TABLE IF NOT EXISTS flows (id INTEGER PRIMARY KEY, revision INTEGER, created INTEGER, "
                       "updated INTEGER, body TEXT);"}

    def flows(self, limit: int = FLOWS_LIMIT_MAX, after: str | None = None) -> tuple[list[dict], str | None]:
        """A page of flow listings in id order, and the `after` of the next page."""
        start = cursor(after)
        with self.lock:
            rows = self.conn.execute("SELECT id, revision, created, updated, body FROM flows WHERE id > ? "
                                     "ORDER BY id LIMIT ?", (start, limit + 1)).fetchall()
        listed = [_listing(_flow(*row)) for row in rows[:limit]]
        return listed, (str(rows[limit - 1][0]) if len(rows) > limit else None)

    def flow(self, flow_id) -> dict:
        with self.lock:
            return _flow(*self._flow_row(flow_id))

    def batch_read_flows(self, flow_ids: list) -> tuple[list[dict], list[exc.PortalError]]:
        found, errors = [], []
        with self.lock:
            for flow_id in flow_ids:
                try:
                    found.append(_flow(*self._flow_row(flow_id)))
                except exc.ObjectNotFound as error:
                    errors.append(error)
        return found, errors

    def create_flow(self, body: dict) -> dict:
        """POST: a new flow at revision 1."""
        self._check_request(body, body.get("objectTypeId"), "requiredOnCreate")
        with self.backend.write():
            return self._insert_flow(body)

    def update_flow(self, flow_id, body: dict) -> dict:
        """PUT: the whole flow, based on the revision the client read (409 when another update
        came in between). objectTypeId and flowType cannot change and are kept."""
        with self.backend.write() as db:
            flow_id, revision, created, _updated, stored = self._flow_row(flow_id)
            stored = json.loads(stored)
            self._check_request(body, stored["objectTypeId"], "requiredOnUpdate", sent=stored)
            ready = stored.get("crmObjectCreationStatus", COMPLETE)
            if ready != COMPLETE:
                raise exc.ValidationError(exc.FLOW_INVALID.format(
                    field="crmObjectCreationStatus", problem=f"is {ready}: a flow is updated once it is {COMPLETE}"))
            based_on = body.get("revisionId")
            if str(based_on) != str(revision):
                raise exc.PortalConflict(exc.FLOW_STALE_REVISION.format(id=flow_id, given=based_on, current=revision),
                                   context={"revisionId": [str(revision)]})
            kept = {k: stored[k] for k in ("objectTypeId", "flowType", "crmObjectCreationStatus") if k in stored}
            new = {**_writable(body), **kept}
            db.execute("UPDATE flows SET revision = ?, updated = ?, body = ? WHERE id = ?",
                       (revision + 1, now_ms(), json.dumps(new), flow_id))
            return _flow(*self._flow_row(flow_id))

    def store_flow_unchecked(self, body: dict) -> dict:
        """A flow stored without check_flow's rules: what HubSpot may hold and send though its API
        would refuse it now (made in its UI, by an older version). For tests of what a client
        does with a flow it reads; the API never stores one this way."""
        with self.backend.write():
            return self._insert_flow(body, int(body["id"]) if body.get("id") is not None else None,
                                     int(body.get("revisionId") or 1))

    def _check_request(self, body: dict, object_type_id, required: str, sent: dict | None = None) -> None:
        """A POST or PUT as HubSpot's spec has it (data/flows.json `fields`): the fields the request
        requires, none it does not know, an object type that exists; then check_flow's rules.
        Seeds skip the first two: a pulled flow may carry fields a newer HubSpot added. A PUT may
        also send back any field of the flow as it was `sent` (read): HubSpot's PUT replaces the
        whole flow, so a client returns what it read, fields newer than the spec included."""
        fields = load("flows.json")["fields"]
        unknown = [key for key in body if key not in fields["known"] and key not in (sent or {})]
        if unknown:
            raise exc.ValidationError(exc.FLOW_INVALID.format(
                field=", ".join(unknown), problem="not a field of a flow (HubSpot's Automation v4 spec)"))
        missing = [key for key in fields[required] if key not in body]
        if missing:
            raise exc.ValidationError(exc.FLOW_INVALID.format(field=", ".join(missing), problem="required"))
        self._check_object_type(object_type_id)
        check_flow(body, object_type_id)

    def _check_object_type(self, object_type_id) -> None:
        if isinstance(object_type_id, str) and object_type_id and object_type_id not in self.backend.types:
            raise exc.ValidationError(exc.FLOW_INVALID.format(
                field="objectTypeId", problem=f"{object_type_id!r} is not an object type id of this portal "
                                              "(0-1 for contacts, 0-3 for deals, 2-<n> for a custom object...)"))

    def delete_flow(self, flow_id) -> None:
        with self.backend.write() as db:
            db.execute("DELETE FROM flows WHERE id = ?", (self._flow_row(flow_id)[0],))

    def _insert_flow(self, body: dict, flow_id: int | None = None, revision: int = 1,
                     created: int | None = None, updated: int | None = None) -> dict:
        if flow_id is None:
            row = self.conn.execute("SELECT MAX(id) FROM flows").fetchone()
            flow_id = max((row[0] or 0) + 1, _FIRST_FLOW_ID)
        stamp = now_ms()
        self.conn.execute("INSERT INTO flows VALUES (?, ?, ?, ?, ?)",
                          (flow_id, revision, created or stamp, updated or created or stamp,
                           json.dumps(_writable(body))))
        return _flow(*self._flow_row(flow_id))

    def _flow_row(self, flow_id) -> tuple:
        text = str(flow_id).strip()
        number = id_number(text)
        row = None if number is None else self.conn.execute(
            "SELECT id, revision, created, updated, body FROM flows WHERE id = ?", (number,)).fetchone()
        if row is None:
            raise exc.ObjectNotFound(exc.FLOW_NOT_FOUND.format(id=text), context={"flowId": [text]})
        return row

    # ---- seeding ----------------------------------------------------------------------------

    @classmethod
    def check_seed(cls, check, data: dict) -> None:
        for i, flow in enumerate(check.need(data.get("flows", []), list, "flows", "flows")):
            where = f"flows[{i}]"
            check.need(flow, dict, where, "flow")
            check.ident(flow, "id", where, "flow", required=False)
            check.ident(flow, "revisionId", where, "flow", required=False)
            for key in ("createdAt", "updatedAt"):
                check.time(flow, key, where)

    def seed_step(self, db, data: dict, stamp: int) -> int:
        """Flows keep their ids, revisions and timestamps."""
        for index, flow in enumerate(data.get("flows", [])):
            self.backend.seeding = (f"flows[{index}]", "flows")
            self._check_object_type(flow.get("objectTypeId"))
            check_flow(flow, flow.get("objectTypeId"))
            flow_id = int(flow["id"]) if flow.get("id") is not None else None
            if flow_id is not None and db.execute("SELECT 1 FROM flows WHERE id = ?", (flow_id,)).fetchone():
                raise exc.PortalConflict(exc.SEED_FLOW_EXISTS.format(id=flow_id))
            self._insert_flow(flow, flow_id, int(flow.get("revisionId") or 1),
                              parse_time(flow["createdAt"]) if flow.get("createdAt") else None,
                              parse_time(flow["updatedAt"]) if flow.get("updatedAt") else None)
        return len(data.get("flows", []))


def _writable(body: dict) -> dict:
    return {k: v for k, v in body.items() if k not in _OWNED}


def _flow(flow_id: int, revision: int, created: int, updated: int, body: str) -> dict:
    flow = json.loads(body)
    action_ids = [id_number(str(a.get("actionId", ""))) for a in flow.get("actions", []) if isinstance(a, dict)]
    flow.setdefault("crmObjectCreationStatus", COMPLETE)
    return {"id": str(flow_id), "revisionId": str(revision), "createdAt": iso(created), "updatedAt": iso(updated),
            "nextAvailableActionId": str(max((n for n in action_ids if n is not None), default=0) + 1), **flow}


def _listing(flow: dict) -> dict:
    return {"id": flow["id"], "revisionId": flow["revisionId"], "createdAt": flow["createdAt"],
            "updatedAt": flow["updatedAt"], **{k: flow[k] for k in _LISTED if k in flow}}


def check_flow(body, object_type_id) -> None:
    """HubSpot's 400s for the parts of a flow the toolkit writes."""
    def fail(field: str, problem: str):
        raise exc.ValidationError(exc.FLOW_INVALID.format(field=field, problem=problem))

    if not isinstance(body, dict):
        fail("(body)", "a flow is a JSON object")
    if not isinstance(object_type_id, str) or not object_type_id:
        fail("objectTypeId", "required: the object type the flow enrolls, e.g. \"0-1\"")
    expected = "CONTACT_FLOW" if object_type_id == "0-1" else "PLATFORM_FLOW"
    if body.get("type") != expected:
        fail("type", f"must be {expected} for objectTypeId {object_type_id}, not {body.get('type')!r}")
    actions = body.get("actions")
    if not isinstance(actions, list):
        fail("actions", "required: a list of actions")
    ids = set()
    for index, action in enumerate(actions):
        where = f"actions[{index}]"
        if not isinstance(action, dict) or not isinstance(action.get("actionId"), str):
            fail(where, "each action is an object with an actionId string")
        if action["actionId"] in ids:
            fail(f"{where}.actionId", f"{action['actionId']!r} is used twice")
        ids.add(action["actionId"])
        if action.get("type") == "CUSTOM_CODE":
            _check_custom_code(action, where, fail)


def _check_custom_code(action: dict, where: str, fail) -> None:
    runtimes = load("flows.json")["runtimes"]
    if action.get("runtime") not in runtimes:
        fail(f"{where}.runtime", f"must be one of {', '.join(runtimes)}, not {action.get('runtime')!r}")
    if not isinstance(action.get("sourceCode"), str):
        fail(f"{where}.sourceCode", "required: the code, a string")
    names = action.get("secretNames")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        fail(f"{where}.secretNames", "required: a list of secret names")
    fields = action.get("inputFields")
    if not isinstance(fields, list):
        fail(f"{where}.inputFields", "required: a list of {name, value}")
    for i, field in enumerate(fields):
        if (not isinstance(field, dict) or not isinstance(field.get("name"), str)
                or not isinstance(field.get("value"), dict) or not isinstance(field["value"].get("type"), str)):
            fail(f"{where}.inputFields[{i}]", "each input field is {\"name\": ..., \"value\": {\"type\": ..., ...}}")
    outputs = action.get("outputFields")
    if not isinstance(outputs, list):
        fail(f"{where}.outputFields", "required: a list of {name, type}")
    for i, field in enumerate(outputs):
        if not isinstance(field, dict) or not isinstance(field.get("name"), str) or not isinstance(field.get("type"), str):
            fail(f"{where}.outputFields[{i}]", "each output field is {\"name\": ..., \"type\": ...}")
