"""Seed data: what `Portal.seed` and `hs-actions portal seed` load, checked for shape first."""
from __future__ import annotations

import json
import re

from hs_actions.core.text import json_value
from hs_actions.core.errors import SeedError
from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.flows import check_flow
from hs_actions.portal.models import ObjectType, Owner, all_scopes, now_ms, parse_time

# The keys a seed file may have (see Backend.seed); "comment" documents the file.
SEED_KEYS = ("schemas", "properties", "pipelines", "labels", "owners", "records", "associations", "hubdb", "lists",
             "tokens", "flows", "comment")


class Seeding:
    """Loading seed data in one transaction."""

    # ---- seeding ----------------------------------------------------------------------------

    def seed(self, data: dict) -> dict:
        """Load seed data (data/seed_default.json is an example); every key is optional:

            schemas:      [{name, objectTypeId: "2-<n>", labels, primaryDisplayProperty,
                            associatedObjects: ["CONTACT", ...], properties: [definition]}]
            properties:   {object type: [definition]}   extra properties of any type
            owners:       [{id, email, firstName, lastName, userId, teams, archived}]
            records:      {object type: [{id?, createdAt?, updatedAt?, archived?, properties}]}
            associations: [{from: "contacts/1", to: "companies/2", types?: [{associationCategory,
                            associationTypeId}]}]             (no types: the default type)
            tokens:       [{token, scopes, name?}]
            labels:       association labels: [{from, to, label, inverseLabel?, name?, typeId?,
                            inverseTypeId?}]   (type ids kept: code may name them)
            flows:        [workflow in HubSpot's Automation v4 JSON (id?, revisionId?, createdAt?,
                            updatedAt? kept)]
            pipelines:    {object type: [{id, label, stages: [{id, label, metadata}]}]}
            hubdb:        [{id?, name, label?, published?, columns: [{name, type, label?, options?}],
                            rows: [{id?, path?, name?, values}], draftRows?}]
            lists:        [{id?, name, objectType?, processingType?, members?: [record id]}]

        A definition is HubSpot's property shape (name, label, type, fieldType, options...).
        Records keep their given ids and timestamps; values go through the API's validation,
        read-only properties allowed. Returns counts of what was added.

        All or nothing: one transaction, so a seed that fails (an unknown key or scope, an id
        that exists, an invalid value) adds nothing, not even the types it defines. Every
        failure is a SeedError (hs_actions.core.errors) naming the entry: a wrong shape says the shape
        expected; an unknown property or object type says where a seed declares one.
        """
        if not isinstance(data, dict):
            raise SeedError(exc.SEED_REFUSED.format(detail=exc.SEED_NOT_AN_OBJECT.format(
                known=", ".join(SEED_KEYS), found=json_value(data))))
        unknown = sorted(set(data) - set(SEED_KEYS))
        if unknown:
            raise SeedError(exc.SEED_REFUSED.format(detail=exc.SEED_UNKNOWN_KEYS.format(
                keys=", ".join(map(repr, unknown)), known=", ".join(SEED_KEYS))))
        _check_seed_shape(data)
        self._seeding = None
        try:
            with self._write() as db:
                return self._seed(db, data)
        except exc.PortalError as error:
            raise SeedError(exc.SEED_REFUSED.format(detail=self._seed_detail(error))) from None
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            # A shape _check_seed_shape does not know of: still a SeedError naming the entry.
            detail = exc.SEED_UNREADABLE.format(kind=type(error).__name__, detail=error)
            where = self._seeding[0] if self._seeding else None
            raise SeedError(exc.SEED_REFUSED.format(
                detail=detail + (exc.SEED_AT.format(where=where) if where else ""))) from None
        finally:
            self._seeding = None
            # The registry is read from the tables: after a rollback it must forget the
            # types the failed seed defined; after a commit it already has them.
            self._load_registry()

    def _seed_detail(self, error: exc.PortalError) -> str:
        """A refusal's message, the seed entry it came from, and how to declare what was missing."""
        detail = error.message
        if self._seeding:
            where, object_type = self._seeding
            detail += exc.SEED_AT.format(where=where)
            missing = [e["context"]["propertyName"][0] for e in error.errors or ()
                       if e.get("code") == "PROPERTY_DOESNT_EXIST"]
            if missing:
                detail += exc.SEED_UNKNOWN_PROPERTY_HINT.format(object_type=object_type, name=missing[0])
            elif error.message.startswith(exc.UNKNOWN_OBJECT_TYPE.format(name="")):
                detail += exc.SEED_UNKNOWN_TYPE_HINT.format(
                    name=error.message[len(exc.UNKNOWN_OBJECT_TYPE.format(name="")):])
        return detail

    def _seed(self, db, data: dict) -> dict:
        """seed() inside its transaction."""
        counts = {"schemas": 0, "properties": 0, "pipelines": 0, "labels": 0, "owners": 0, "records": 0, "associations": 0,
                  "hubdb": 0, "lists": 0, "tokens": 0, "flows": 0}
        for index, schema in enumerate(data.get("schemas", [])):
            self._seeding = (f"schemas[{index}]", schema["name"])
            self._add_schema(schema)
            counts["schemas"] += 1
        for object_type, specs in data.get("properties", {}).items():
            self._seeding = (f"properties.{object_type}", object_type)
            ot = self.object_type(object_type)
            for spec in specs:
                db.execute("INSERT OR REPLACE INTO property_defs VALUES (?, ?, ?)",
                           (ot.type_id, spec["name"], json.dumps({"hubspotDefined": False, **spec})))
                counts["properties"] += 1
        for object_type, listed in data.get("pipelines", {}).items():
            self._seeding = (f"pipelines.{object_type}", object_type)
            ot = self.object_type(object_type)
            for pipeline in listed:
                db.execute("INSERT OR REPLACE INTO pipelines VALUES (?, ?, ?)",
                           (ot.type_id, pipeline["id"], json.dumps(pipeline)))
                counts["pipelines"] += 1
        self._load_registry()
        for index, spec in enumerate(data.get("labels", [])):
            self._seeding = (f"labels[{index}]", spec["from"])
            ft, tt = self.object_type(spec["from"]), self.object_type(spec["to"])
            ids = (int(spec["typeId"]), int(spec["inverseTypeId"])) if spec.get("typeId") is not None else None
            self._add_label(db, ft, tt, spec["label"], spec.get("name") or spec["label"].lower().replace(" ", "_"),
                            spec.get("inverseLabel") or spec["label"], ids)
            counts["labels"] += 1
        # Records are validated against the types and properties just added: the registry
        # reads them back from this (still open) transaction.
        self._load_registry()
        stamp = now_ms()
        for index, spec in enumerate(data.get("owners", [])):
            self._seeding = (f"owners[{index}]", "owners")
            owner = Owner.from_data(spec, stamp)
            db.execute("INSERT OR REPLACE INTO owners VALUES (?, ?, ?)",
                       (owner.id, owner.email, json.dumps(owner.__dict__)))
            counts["owners"] += 1
        for object_type, records in data.get("records", {}).items():
            self._seeding = (f"records.{object_type}", object_type)
            ot = self.object_type(object_type)
            for index, spec in enumerate(records):
                self._seeding = (f"records.{object_type}[{index}]", object_type)
                created = parse_time(spec["createdAt"]) if spec.get("createdAt") else None
                updated = parse_time(spec["updatedAt"]) if spec.get("updatedAt") else None
                oid = int(spec["id"]) if spec.get("id") is not None else None
                if oid is not None and db.execute("SELECT 1 FROM objects WHERE otype = ? AND id = ?",
                                                  (ot.type_id, oid)).fetchone():
                    raise exc.Conflict(exc.SEED_RECORD_EXISTS.format(object_type=object_type, id=oid))
                oid = self._insert(ot, spec.get("properties", {}), source=spec.get("sourceType", "IMPORT"),
                                   oid=oid, created=created, system=True, updated=updated)
                if spec.get("archived"):
                    self._archive(ot, oid)
                counts["records"] += 1
        for index, link in enumerate(data.get("associations", [])):
            self._seeding = (f"associations[{index}]", link["from"].split("/")[0])
            from_name, from_id = link["from"].split("/")
            to_name, to_id = link["to"].split("/")
            ft, fid, tt, tid = self._pair(from_name, from_id, to_name, to_id)
            kinds = ([self._assoc_type(ft.type_id, tt.type_id, t["associationTypeId"],
                                       t.get("associationCategory", "HUBSPOT_DEFINED")) for t in link["types"]]
                     if link.get("types") else [self._default_type(ft.type_id, tt.type_id)])
            for kind in kinds:
                self._link(kind, fid, tid)
            counts["associations"] += 1
        counts["hubdb"] = self._seed_hubdb(data.get("hubdb", []), stamp)
        counts["lists"] = self._seed_lists(data.get("lists", []), stamp)
        known = all_scopes()
        self._seeding = None   # a token's refusal names its entry itself
        for index, spec in enumerate(data.get("tokens", [])):
            scopes = spec["scopes"]
            unknown = [scope for scope in scopes if scope not in known]
            if unknown:
                # A token with a misspelt scope would only fail later, as a 403 in some run.
                raise exc.ValidationError(exc.SEED_UNKNOWN_SCOPES.format(
                    index=index, scopes=", ".join(map(repr, unknown)), known=", ".join(known)))
            db.execute("INSERT OR REPLACE INTO tokens VALUES (?, ?, ?, NULL)",
                       (spec["token"], spec.get("name", ""), json.dumps(spec["scopes"])))
            counts["tokens"] += 1
        for index, flow in enumerate(data.get("flows", [])):
            self._seeding = (f"flows[{index}]", "flows")
            check_flow(flow, flow.get("objectTypeId"))
            flow_id = int(flow["id"]) if flow.get("id") is not None else None
            if flow_id is not None and db.execute("SELECT 1 FROM flows WHERE id = ?", (flow_id,)).fetchone():
                raise exc.Conflict(exc.SEED_FLOW_EXISTS.format(id=flow_id))
            self._insert_flow(flow, flow_id, int(flow.get("revisionId") or 1),
                              parse_time(flow["createdAt"]) if flow.get("createdAt") else None,
                              parse_time(flow["updatedAt"]) if flow.get("updatedAt") else None)
            counts["flows"] += 1
        return counts

    def _add_schema(self, schema: dict) -> None:
        """A custom object type, with association types to the standard objects it names."""
        ot = ObjectType.from_schema(schema)
        if ot.type_id in self.types and not self.types[ot.type_id].custom:
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail=f"{ot.type_id} is a standard object type"))
        body = dict(schema)
        kinds = []
        next_type_id = int(self.conn.execute("SELECT COALESCE(MAX(CAST(value AS INTEGER)), 1000) FROM meta "
                                             "WHERE key = 'next_association_type'").fetchone()[0])
        for target in schema.get("associatedObjects", []):
            other = self.object_type(target)
            forward, backward = next_type_id + 1, next_type_id + 2
            next_type_id = backward
            kinds.append(dict(from_type=ot.type_id, to_type=other.type_id, type_id=forward, inverse=backward,
                              label=None, category="USER_DEFINED", default=True,
                              v3_name=f"{ot.singular}_to_{other.singular}"))
            kinds.append(dict(from_type=other.type_id, to_type=ot.type_id, type_id=backward, inverse=forward,
                              label=None, category="USER_DEFINED", default=True,
                              v3_name=f"{other.singular}_to_{ot.singular}"))
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('next_association_type', ?)", (next_type_id,))
        body["_associationTypes"] = kinds
        self.conn.execute("INSERT OR REPLACE INTO schemas VALUES (?, ?)", (ot.type_id, json.dumps(body)))
        for spec in schema.get("properties", []):
            self.conn.execute("INSERT OR REPLACE INTO property_defs VALUES (?, ?, ?)",
                              (ot.type_id, spec["name"], json.dumps({"hubspotDefined": False, **spec})))


# ---- the shape of a seed ----------------------------------------------------------------------

_DEFINITION = '{"name": "shoe_size", "type": "number", "fieldType": "number"}'
_SEED_SHAPES = {
    "schemas": ('a list of custom object schemas, e.g. [{"name": "pets", "objectTypeId": "2-1", '
                '"primaryDisplayProperty": "pet_name", "properties": [' + _DEFINITION.replace("shoe_size", "pet_name")
                .replace('"number"', '"string"', 1).replace('"number"', '"text"') + ']}]'),
    "schema": ('an object {"name": "pets", "objectTypeId": "2-<n>", "labels"?, "primaryDisplayProperty"?, '
               '"associatedObjects"?: ["CONTACT", ...], "properties"?: [definition]}'),
    "properties": 'an object of lists of property definitions by object type, e.g. {"contacts": [' + _DEFINITION + ']}',
    "definitions": 'a list of property definitions, e.g. [' + _DEFINITION + ']',
    "definition": 'a property definition, an object such as ' + _DEFINITION,
    "pipelines": ('an object of lists of pipelines by object type, e.g. {"deals": [{"id": "renewals", '
                  '"label": "Renewals", "stages": [{"id": "won", "label": "Won", "metadata": {"isClosed": "true"}}]}]}'),
    "pipeline": 'an object {"id": "renewals", "label": "Renewals", "stages": [{"id": "won", "label": "Won"}]}',
    "stage": 'an object {"id": "won", "label": "Won", "metadata"?: {...}}',
    "stages": 'a list of stages, e.g. [{"id": "won", "label": "Won", "metadata": {"isClosed": "true"}}]',
    "owners": 'a list of owners, e.g. [{"id": "101", "email": "o@example.com", "firstName": "O", "lastName": "W"}]',
    "owner": 'an object {"id": "101", "email"?, "firstName"?, "lastName"?, "userId"?, "teams"?, "archived"?}',
    "records": ('an object of lists of records by object type, e.g. {"contacts": [{"id": "1", '
                '"properties": {"email": "ada@example.com"}}]}'),
    "recordlist": 'a list of records, e.g. [{"id": "1", "properties": {"email": "ada@example.com"}}]',
    "record": 'an object {"id"?, "createdAt"?, "updatedAt"?, "archived"?, "properties": {"name": "value"}}',
    "associations": 'a list of associations, e.g. [{"from": "contacts/1", "to": "companies/2"}]',
    "association": ('an object {"from": "contacts/1", "to": "companies/2", "types"?: '
                    '[{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]}'),
    "end": 'a string "<object type>/<id>", e.g. "contacts/1"',
    "types": 'a list such as [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]',
    "tokens": 'a list of tokens, e.g. [{"token": "pat-local", "scopes": ["crm.objects.contacts.read"]}]',
    "associationlabels": 'a list of association labels, e.g. [{"from": "contacts", "to": "companies", "label": "Manager"}]',
    "associationlabel": ('an object {"from": "contacts", "to": "companies", "label": "Manager", "inverseLabel"?, "name"?, '
              '"typeId"?: 1001, "inverseTypeId"?: 1002}'),
    "text": "a non-empty string",
    "id": 'an id: a number, or a string of digits such as "101"',
    "typeId": "an association type id, a number such as 1",
    "objectTypeId": 'a custom object type id "2-<n>", e.g. "2-1"',
    "labels": 'an object {"singular": "Pet", "plural": "Pets"}',
    "associatedObjects": 'a list of object type names, e.g. ["CONTACT", "COMPANY"]',
    "values": 'an object of property values, e.g. {"email": "ada@example.com"}',
    "time": 'a datetime: ISO 8601 such as "2024-05-01T09:00:00Z", or epoch milliseconds',
    "scopes": 'a list of scope names, e.g. ["crm.objects.contacts.read"]',
    "token": 'an object {"token": "pat-local", "scopes": ["crm.objects.contacts.read"], "name"?}',
    "flows": 'a list of workflows in HubSpot\'s Automation v4 JSON, e.g. [{"type": "CONTACT_FLOW", "objectTypeId": "0-1", "actions": [...]}]',
    "flow": 'a workflow in HubSpot\'s Automation v4 JSON: {"id"?, "revisionId"?, "type", "objectTypeId", "name", "actions": [...]}',
    "hubdb": ('a list of HubDB tables, e.g. [{"name": "territories", "columns": [{"name": "state", "type": "TEXT"}], '
              '"rows": [{"values": {"state": "CA"}}]}]'),
    "table": ('an object {"id"?, "name": "territories", "label"?, "published"?: true, "columns": [{"name", "type", '
              '"label"?, "options"?}], "rows": [{"id"?, "path"?, "name"?, "values": {...}}], "draftRows"?: [...]}'),
    "columns": 'a list of columns, e.g. [{"name": "state", "type": "TEXT"}, {"name": "tier", "type": "SELECT", "options": ["A", "B"]}]',
    "column": 'an object {"name": "state", "type": "TEXT", "label"?, "options"?: ["A", "B"]}',
    "rows": 'a list of rows, e.g. [{"values": {"state": "CA"}}]',
    "row": 'an object {"id"?, "path"?, "name"?, "values": {"column": value}}',
    "lists": ('a list of lists, e.g. [{"name": "VIP", "objectType": "contacts", "processingType": "MANUAL", '
              '"members": ["1", "2"]}]'),
    "list": 'an object {"id"?, "name": "VIP", "objectType"?: "contacts", "processingType"?: "MANUAL", "members"?: [ids]}',
    "members": 'a list of record ids, e.g. ["1", "2"]',
    "flag": "true or false",
}




def _check_seed_shape(data: dict) -> None:
    """SeedError naming the first entry that is not of a seed's shape, and the shape expected:
    checked before anything is written, so a wrong shape never reaches the rules of the API."""

    def fail(where: str, shape: str, value):
        raise SeedError(exc.SEED_REFUSED.format(detail=exc.SEED_SHAPE.format(
            where=where, expected=_SEED_SHAPES[shape], found=json_value(value))))

    def need(value, kind, where: str, shape: str):
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            fail(where, shape, value)
        return value

    def text(entry: dict, key: str, where: str, shape: str, required: bool = True):
        if key in entry or required:
            value = entry.get(key)
            if not isinstance(value, str) or not value:
                fail(f"{where}.{key}", "text", value)

    def ident(entry: dict, key: str, where: str, shape: str, required: bool = True):
        if key in entry or required:
            value = entry.get(key)
            if not (isinstance(value, str) and value.strip().isdigit()) and \
                    not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
                fail(f"{where}.{key}", "typeId" if key == "associationTypeId" else "id", value)

    def definitions(listed, where: str):
        for i, spec in enumerate(need(listed, list, where, "definitions")):
            need(spec, dict, f"{where}[{i}]", "definition")
            text(spec, "name", f"{where}[{i}]", "definition")

    for i, schema in enumerate(need(data.get("schemas", []), list, "schemas", "schemas")):
        where = f"schemas[{i}]"
        need(schema, dict, where, "schema")
        text(schema, "name", where, "schema")
        if not isinstance(schema.get("objectTypeId"), str) or not re.fullmatch(r"2-\d+", schema["objectTypeId"]):
            fail(f"{where}.objectTypeId", "objectTypeId", schema.get("objectTypeId"))
        if "labels" in schema:
            need(schema["labels"], dict, f"{where}.labels", "labels")
        if "associatedObjects" in schema:
            listed = need(schema["associatedObjects"], list, f"{where}.associatedObjects", "associatedObjects")
            for j, name in enumerate(listed):
                need(name, str, f"{where}.associatedObjects[{j}]", "associatedObjects")
        if "properties" in schema:
            definitions(schema["properties"], f"{where}.properties")
    for object_type, listed in need(data.get("properties", {}), dict, "properties", "properties").items():
        definitions(listed, f"properties.{object_type}")
    for object_type, listed in need(data.get("pipelines", {}), dict, "pipelines", "pipelines").items():
        for i, pipeline in enumerate(need(listed, list, f"pipelines.{object_type}", "pipelines")):
            where = f"pipelines.{object_type}[{i}]"
            need(pipeline, dict, where, "pipeline")
            text(pipeline, "id", where, "pipeline")
            text(pipeline, "label", where, "pipeline")
            for j, stage in enumerate(need(pipeline.get("stages"), list, f"{where}.stages", "stages")):
                need(stage, dict, f"{where}.stages[{j}]", "stage")
                text(stage, "id", f"{where}.stages[{j}]", "stage")
                text(stage, "label", f"{where}.stages[{j}]", "stage")
    for i, owner in enumerate(need(data.get("owners", []), list, "owners", "owners")):
        need(owner, dict, f"owners[{i}]", "owner")
        ident(owner, "id", f"owners[{i}]", "owner")
        if "email" in owner:
            need(owner["email"], str, f"owners[{i}].email", "text")
    for object_type, listed in need(data.get("records", {}), dict, "records", "records").items():
        for i, record in enumerate(need(listed, list, f"records.{object_type}", "recordlist")):
            where = f"records.{object_type}[{i}]"
            need(record, dict, where, "record")
            ident(record, "id", where, "record", required=False)
            if "properties" in record:
                need(record["properties"], dict, f"{where}.properties", "values")
            for key in ("createdAt", "updatedAt"):
                if record.get(key) is not None and (isinstance(record[key], bool) or parse_time(record[key]) is None):
                    fail(f"{where}.{key}", "time", record[key])
    for i, link in enumerate(need(data.get("associations", []), list, "associations", "associations")):
        where = f"associations[{i}]"
        need(link, dict, where, "association")
        for end in ("from", "to"):
            value = link.get(end)
            if not isinstance(value, str) or not re.fullmatch(r"[^/\s]+/[^/\s]+", value):
                fail(f"{where}.{end}", "end", value)
        if link.get("types") is not None:
            for j, kind in enumerate(need(link["types"], list, f"{where}.types", "types")):
                need(kind, dict, f"{where}.types[{j}]", "types")
                ident(kind, "associationTypeId", f"{where}.types[{j}]", "types")
    for i, table in enumerate(need(data.get("hubdb", []), list, "hubdb", "hubdb")):
        where = f"hubdb[{i}]"
        need(table, dict, where, "table")
        text(table, "name", where, "table")
        text(table, "label", where, "table", required=False)
        ident(table, "id", where, "table", required=False)
        for key in ("published", "allowPublicApiAccess", "useForPages"):
            if key in table:
                need(table[key], bool, f"{where}.{key}", "flag")
        for j, column in enumerate(need(table.get("columns"), list, f"{where}.columns", "columns")):
            need(column, dict, f"{where}.columns[{j}]", "column")
            text(column, "name", f"{where}.columns[{j}]", "column")
            text(column, "type", f"{where}.columns[{j}]", "column")
            if "options" in column:
                for k, option in enumerate(need(column["options"], list, f"{where}.columns[{j}].options", "column")):
                    if not (isinstance(option, str) and option) and not (isinstance(option, dict) and
                                                                          isinstance(option.get("name"), str)):
                        fail(f"{where}.columns[{j}].options[{k}]", "column", option)
        for key in ("rows", "draftRows"):
            for j, row in enumerate(need(table.get(key, []), list, f"{where}.{key}", "rows")):
                need(row, dict, f"{where}.{key}[{j}]", "row")
                ident(row, "id", f"{where}.{key}[{j}]", "row", required=False)
                need(row.get("values", {}), dict, f"{where}.{key}[{j}].values", "row")
    for i, crm_list in enumerate(need(data.get("lists", []), list, "lists", "lists")):
        where = f"lists[{i}]"
        need(crm_list, dict, where, "list")
        text(crm_list, "name", where, "list")
        ident(crm_list, "id", where, "list", required=False)
        for key in ("objectType", "processingType"):
            text(crm_list, key, where, "list", required=False)
        for j, member in enumerate(need(crm_list.get("members", []), list, f"{where}.members", "members")):
            if not (isinstance(member, str) and member.strip().isdigit()) and \
                    not (isinstance(member, int) and not isinstance(member, bool) and member >= 0):
                fail(f"{where}.members[{j}]", "id", member)
    for i, spec in enumerate(need(data.get("labels", []), list, "labels", "associationlabels")):
        where = f"labels[{i}]"
        need(spec, dict, where, "associationlabel")
        for key in ("from", "to", "label"):
            text(spec, key, where, "associationlabel")
        if ("typeId" in spec) != ("inverseTypeId" in spec):
            fail(f"{where}.typeId", "associationlabel", spec)
        for key in ("typeId", "inverseTypeId"):
            ident(spec, key, where, "associationlabel", required=False)
    for i, token in enumerate(need(data.get("tokens", []), list, "tokens", "tokens")):
        where = f"tokens[{i}]"
        need(token, dict, where, "token")
        text(token, "token", where, "token")
        for j, scope in enumerate(need(token.get("scopes"), list, f"{where}.scopes", "scopes")):
            need(scope, str, f"{where}.scopes[{j}]", "scopes")
    for i, flow in enumerate(need(data.get("flows", []), list, "flows", "flows")):
        where = f"flows[{i}]"
        need(flow, dict, where, "flow")
        ident(flow, "id", where, "flow", required=False)
        ident(flow, "revisionId", where, "flow", required=False)
        for key in ("createdAt", "updatedAt"):
            if flow.get(key) is not None and (isinstance(flow[key], bool) or parse_time(flow[key]) is None):
                fail(f"{where}.{key}", "time", flow[key])
