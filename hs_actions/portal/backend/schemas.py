"""Custom object schemas, as the CRM schemas API reads them (`GET /crm/v3/schemas`).

Read only: custom objects come from seeds (`schemas`), which the registry (store.py) reads
back as object types. Ignores: creating, updating and archiving schemas, which the portal
does not model.
"""
from __future__ import annotations

import json
import re

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family
from hs_actions.portal.models import ObjectType, iso


class Schemas(Family):
    """Custom object types: their schemas, read, and seeded."""

    name = "schemas"
    REGISTRY_TABLES = ("schemas",)
    TABLES = {"schemas": "CREATE TABLE IF NOT EXISTS schemas (type_id TEXT PRIMARY KEY, body TEXT);"}
    SEED_KEY = "schemas"
    SEED_SHAPES = {
        "schemas": ('a list of custom object schemas, e.g. [{"name": "pets", "objectTypeId": "2-1", '
                    '"primaryDisplayProperty": "pet_name", "properties": [{"name": "pet_name", "type": "string", '
                    '"fieldType": "text"}]}]'),
        "schema": ('an object {"name": "pets", "objectTypeId": "2-<n>", "labels"?, "primaryDisplayProperty"?, '
                   '"associatedObjects"?: ["CONTACT", ...], "properties"?: [definition]}'),
        "objectTypeId": 'a custom object type id "2-<n>", e.g. "2-1"',
        "labels": 'an object {"singular": "Pet", "plural": "Pets"}',
        "associatedObjects": 'a list of object type names, e.g. ["CONTACT", "COMPANY"]',
    }

    def custom_schemas(self) -> list[dict]:
        return [self._schema(ot) for ot in self.backend.types.values() if ot.custom]

    def custom_schema(self, name: str) -> dict:
        ot = self.backend.object_type(name)
        if not ot.custom:
            raise exc.ObjectNotFound(exc.SCHEMA_NOT_FOUND.format(name=name))
        return self._schema(ot)

    def _schema(self, ot: ObjectType) -> dict:
        stamp = iso(0)
        associations = [{"id": str(kind.type_id), "name": kind.v3_name, "fromObjectTypeId": kind.from_type,
                         "toObjectTypeId": kind.to_type, "createdAt": stamp, "updatedAt": stamp}
                        for kind in self.backend.assoc_types.values() if kind.from_type == ot.type_id]
        return {"id": ot.type_id.split("-", 1)[1], "objectTypeId": ot.type_id, "name": ot.name,
                "fullyQualifiedName": f"p{self.backend.portal_id}_{ot.name}", "labels": ot.labels,
                "primaryDisplayProperty": ot.primary_display_property, "requiredProperties": [],
                "searchableProperties": ot.searchable_properties, "secondaryDisplayProperties": [],
                "properties": [p.to_dict() for p in self.backend.defs[ot.type_id].values() if not p.hubspot_defined],
                "associations": associations, "archived": False, "createdAt": stamp, "updatedAt": stamp}

    # ---- seeding ----------------------------------------------------------------------------

    @classmethod
    def check_seed(cls, check, data: dict) -> None:
        for i, schema in enumerate(check.need(data.get("schemas", []), list, "schemas", "schemas")):
            where = f"schemas[{i}]"
            check.need(schema, dict, where, "schema")
            check.text(schema, "name", where, "schema")
            if not isinstance(schema.get("objectTypeId"), str) or not re.fullmatch(r"2-\d+", schema["objectTypeId"]):
                check.fail(f"{where}.objectTypeId", "objectTypeId", schema.get("objectTypeId"))
            if "labels" in schema:
                check.need(schema["labels"], dict, f"{where}.labels", "labels")
            if "associatedObjects" in schema:
                listed = check.need(schema["associatedObjects"], list, f"{where}.associatedObjects",
                                    "associatedObjects")
                for j, name in enumerate(listed):
                    check.need(name, str, f"{where}.associatedObjects[{j}]", "associatedObjects")
            if "properties" in schema:
                check.definitions(schema["properties"], f"{where}.properties")

    # The seed's custom types join the registry before pipelines, labels and records name them.
    SEED_RELOADS_REGISTRY = True

    def seed_step(self, db, data: dict, stamp: int) -> int:
        schemas = data.get("schemas", [])
        # Custom objects may name each other in associatedObjects, in any order: every type of
        # the seed is known by its spellings before the first is added.
        seeded = {name: ot for ot in map(ObjectType.from_schema, schemas) for name in ot.names(self.backend.portal_id)}
        linked: set[frozenset] = set()
        for index, schema in enumerate(schemas):
            self.backend.seeding = (f"schemas[{index}]", schema["name"])
            self._add_schema(db, schema, seeded, linked)
        return len(schemas)

    def _add_schema(self, db, schema: dict, seeded: dict, linked: set) -> None:
        """A custom object type, with association types to the object types it names (standard
        ones, custom ones already in the portal, or others of the same seed). Two types that
        name each other get one pair of types, as HubSpot defines one association per pair."""
        ot = ObjectType.from_schema(schema)
        if ot.type_id in self.backend.types and not self.backend.types[ot.type_id].custom:
            raise exc.InvalidInput(f"{ot.type_id} is a standard object type")
        body = dict(schema)
        kinds = []
        next_type_id = int(db.execute("SELECT COALESCE(MAX(CAST(value AS INTEGER)), 1000) FROM meta "
                                      "WHERE key = 'next_association_type'").fetchone()[0])
        for target in schema.get("associatedObjects", []):
            other = seeded.get(str(target).lower()) or self.backend.object_type(target)
            if frozenset((ot.type_id, other.type_id)) in linked:
                continue
            linked.add(frozenset((ot.type_id, other.type_id)))
            forward, backward = next_type_id + 1, next_type_id + 2
            next_type_id = backward
            kinds.append(dict(from_type=ot.type_id, to_type=other.type_id, type_id=forward, inverse=backward,
                              label=None, category="USER_DEFINED", default=True,
                              v3_name=f"{ot.singular}_to_{other.singular}"))
            kinds.append(dict(from_type=other.type_id, to_type=ot.type_id, type_id=backward, inverse=forward,
                              label=None, category="USER_DEFINED", default=True,
                              v3_name=f"{other.singular}_to_{ot.singular}"))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('next_association_type', ?)", (next_type_id,))
        body["_associationTypes"] = kinds
        db.execute("INSERT OR REPLACE INTO schemas VALUES (?, ?)", (ot.type_id, json.dumps(body)))
        for spec in schema.get("properties", []):
            self.backend.save_definition(ot, {"hubspotDefined": False, **spec})
