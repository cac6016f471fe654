"""Property definitions and property groups written through the API, with HubSpot's checks
(data/property_rules.json). Definitions land in the table property_defs, which the registry
(store.py) reads, so a created property can be written to at once."""
from __future__ import annotations

import json
import re

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family
from hs_actions.portal.models import ObjectType, PropertyDef, load, now_ms

RULES = load("property_rules.json")
_CREATE_FIELDS = ("name", "label", "type", "fieldType", "groupName")
_DEFINITION = '{"name": "shoe_size", "type": "number", "fieldType": "number"}'   # an example, for seed errors
_UPDATE_FIELDS = ("label", "type", "fieldType", "groupName", "description", "options", "displayOrder", "hidden",
                  "formField", "calculationFormula")


class Properties(Family):
    """Read, create, update and archive properties; list, create, update and archive property groups."""

    name = "properties"
    REGISTRY_TABLES = ("property_defs",)
    TABLES = {
        "property_defs": "CREATE TABLE IF NOT EXISTS property_defs (otype TEXT, name TEXT, body TEXT, "
                         "PRIMARY KEY (otype, name));",
        "property_groups": "CREATE TABLE IF NOT EXISTS property_groups (otype TEXT, name TEXT, body TEXT, "
                           "PRIMARY KEY (otype, name));",
        "archived_properties": "CREATE TABLE IF NOT EXISTS archived_properties (otype TEXT, name TEXT, body TEXT, "
                               "at INTEGER, PRIMARY KEY (otype, name));",
    }

    SEED_KEY = "properties"
    SEED_SHAPES = {
        "properties": ('an object of lists of property definitions by object type, e.g. {"contacts": ['
                       + _DEFINITION + ']}'),
        "definitions": 'a list of property definitions, e.g. [' + _DEFINITION + ']',
        "definition": 'a property definition, an object such as ' + _DEFINITION,
    }

    # ---- properties -------------------------------------------------------------------------

    def properties(self, object_type: str) -> list[PropertyDef]:
        return list(self.backend.defs[self.backend.object_type(object_type).type_id].values())

    def property_names(self, object_type: str) -> set[str] | None:
        """Names of the properties `object_type` has (any spelling: CONTACT, contacts, 0-1,
        2-123), seeded and pulled ones included; None for a type this portal does not model."""
        try:
            return {p.name for p in self.properties(object_type)}
        except exc.PortalError:
            return None

    def property(self, object_type: str, name: str) -> PropertyDef:
        ot = self.backend.object_type(object_type)
        prop = self.backend.defs[ot.type_id].get(name)
        if prop is None:
            raise exc.PropertyNotFound(name=name, object_type=ot.name)
        return prop

    def create_property(self, object_type: str, spec) -> PropertyDef:
        """A custom property; 400 for what HubSpot refuses, 409 when the name is taken."""
        ot = self.backend.object_type(object_type)
        with self.backend.write():
            body = self._checked_new_property(ot, spec, set())
            self.save_definition(ot, body)
        self.backend.load_registry()
        return self.backend.defs[ot.type_id][body["name"]]

    def update_property(self, object_type: str, name: str, changes) -> PropertyDef:
        """Change a property's definition: only the given fields; options are replaced whole.
        Ignores: values already stored are not re-checked against a new type or options."""
        ot = self.backend.object_type(object_type)
        prop = self.property(object_type, name)
        if not isinstance(changes, dict):
            raise exc.InvalidInput("expected a JSON object")
        if prop.read_only_definition:
            raise exc.ValidationError(exc.PROPERTY_READ_ONLY_DEFINITION.format(name=name, object_type=ot.name))
        unknown = sorted(set(changes) - set(_UPDATE_FIELDS))
        if unknown:
            raise exc.ValidationError(exc.PROPERTY_FIELDS_UNKNOWN.format(fields=", ".join(unknown),
                                                                         allowed=", ".join(_UPDATE_FIELDS)))
        body = {**_body(prop), **{k: v for k, v in changes.items() if k != "calculationFormula"}}
        with self.backend.write():
            self._check_definition(ot, body, is_new=False)
            self.save_definition(ot, body)
        self.backend.load_registry()
        return self.backend.defs[ot.type_id][name]

    def archive_property(self, object_type: str, name: str) -> None:
        """Archive a custom property: its definition and its values leave the records."""
        ot = self.backend.object_type(object_type)
        prop = self.property(object_type, name)
        with self.backend.write():
            self._archive_property(ot, prop)
        self.backend.load_registry()

    def _archive_property(self, ot: ObjectType, prop: PropertyDef) -> None:
        if not prop.archivable:
            raise exc.ValidationError(exc.PROPERTY_NOT_ARCHIVABLE.format(name=prop.name, object_type=ot.name))
        self.conn.execute("INSERT OR REPLACE INTO archived_properties VALUES (?, ?, ?, ?)",
                          (ot.type_id, prop.name, json.dumps(_body(prop)), now_ms()))
        self.conn.execute("DELETE FROM property_defs WHERE otype = ? AND name = ?", (ot.type_id, prop.name))
        self.conn.execute("DELETE FROM pv WHERE otype = ? AND name = ?", (ot.type_id, prop.name))

    def archived_properties(self, object_type: str) -> list[tuple[PropertyDef, int]]:
        """[(definition, archived at)] of the type's archived properties."""
        ot = self.backend.object_type(object_type)
        with self.lock:
            rows = self.conn.execute("SELECT body, at FROM archived_properties WHERE otype = ? ORDER BY name",
                                     (ot.type_id,)).fetchall()
        return [(PropertyDef.from_data(json.loads(body)), at) for body, at in rows]

    def batch_read_properties(self, object_type: str, names: list, archived: bool = False):
        """([(definition, archived at or None)], errors): a name not found is one of the 207's errors."""
        listed = {p.name: (p, at) for p, at in self.archived_properties(object_type)} if archived else \
            {p.name: (p, None) for p in self.properties(object_type)}
        found, errors = [], []
        for name in dict.fromkeys(self.backend.check_batch(names)):
            if name in listed:
                found.append(listed[name])
            else:
                errors.append(exc.PropertyNotFound(
                    name=name, object_type=self.backend.object_type(object_type).name, context={"name": [str(name)]}))
        return found, errors

    def batch_create_properties(self, object_type: str, specs: list):
        """(definitions, errors): each input is created or refused on its own (HubSpot's 207)."""
        ot = self.backend.object_type(object_type)
        created, errors = [], []
        with self.backend.write():
            taken: set[str] = set()
            for spec in self.backend.check_batch(specs):
                try:
                    body = self._checked_new_property(ot, spec, taken)
                except exc.PortalError as error:
                    errors.append(error)
                    continue
                self.save_definition(ot, body)
                taken.add(body["name"])
                created.append(body["name"])
        self.backend.load_registry()
        return [self.backend.defs[ot.type_id][name] for name in created], errors

    def batch_archive_properties(self, object_type: str, names: list) -> None:
        """Archive each named property; unknown names are ignored, a HubSpot-defined one fails the batch."""
        ot = self.backend.object_type(object_type)
        defs = self.backend.defs[ot.type_id]
        chosen = [defs[name] for name in self.backend.check_batch(names) if name in defs]
        with self.backend.write():
            for prop in chosen:
                self._archive_property(ot, prop)
        self.backend.load_registry()

    def _checked_new_property(self, ot: ObjectType, spec, taken: set[str]) -> dict:
        if not isinstance(spec, dict):
            raise exc.InvalidInput("a property definition is a JSON object")
        missing = [field for field in _CREATE_FIELDS if not isinstance(spec.get(field), str) or not spec[field]]
        if missing:
            raise exc.ValidationError(exc.PROPERTY_FIELDS_MISSING.format(fields=", ".join(missing)))
        name = spec["name"]
        if name in self.backend.defs[ot.type_id] or name in taken:
            raise exc.PortalConflict(exc.PROPERTY_EXISTS.format(name=name, object_type=ot.name))
        if self.conn.execute("SELECT 1 FROM archived_properties WHERE otype = ? AND name = ?",
                             (ot.type_id, name)).fetchone():
            raise exc.PortalConflict(exc.PROPERTY_EXISTS_ARCHIVED.format(name=name, object_type=ot.name))
        body = {key: spec[key] for key in ("name", "label", "type", "fieldType", "groupName", "description", "options",
                                           "displayOrder", "hasUniqueValue", "hidden", "formField",
                                           "externalOptions", "referencedObjectType") if key in spec}
        body.update(hubspotDefined=False, createdAt=now_ms())
        if body["fieldType"] == "calculation_equation":
            body.update(calculated=True, readOnlyValue=True)
        self._check_definition(ot, body, is_new=True)
        return body

    def _check_definition(self, ot: ObjectType, body: dict, is_new: bool) -> None:
        """HubSpot's 400s for a definition: name, type with fieldType, group, options, unique values."""
        name = body["name"]
        if is_new and (len(name) > RULES["maxNameLength"] or not re.fullmatch(RULES["name"], name)):
            raise exc.ValidationError(exc.PROPERTY_NAME_INVALID.format(name=name, maximum=RULES["maxNameLength"]))
        kind, field_type = body.get("type"), body.get("fieldType")
        if kind not in RULES["fieldTypes"]:
            raise exc.ValidationError(exc.PROPERTY_TYPE_INVALID.format(
                type=kind, allowed=", ".join(RULES["fieldTypes"])))
        if field_type not in RULES["fieldTypes"][kind]:
            raise exc.ValidationError(exc.PROPERTY_FIELD_TYPE_INVALID.format(
                field_type=field_type, type=kind, allowed=", ".join(RULES["fieldTypes"][kind])))
        groups = {g["name"] for g in self.property_groups(ot.name)}
        if body.get("groupName") not in groups:
            raise exc.ValidationError(exc.PROPERTY_GROUP_UNKNOWN.format(group=body.get("groupName"),
                                                                        object_type=ot.name))
        options = body.get("options")
        if kind == "bool" and not options:
            body["options"] = options = RULES["boolOptions"]
        if options not in (None, []):
            if kind not in ("enumeration", "bool"):
                raise exc.ValidationError(exc.PROPERTY_OPTIONS_UNEXPECTED.format(type=kind))
            if not isinstance(options, list) or not all(
                    isinstance(o, dict) and isinstance(o.get("label"), str) and isinstance(o.get("value"), str)
                    for o in options):
                raise exc.InvalidInput('options must be a list of {"label": ..., "value": ...} objects with string values')
            values = [o["value"] for o in options]
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise exc.ValidationError(exc.PROPERTY_OPTIONS_REPEATED.format(values=", ".join(repeated)))
        if body.get("hasUniqueValue"):
            if field_type not in RULES["uniqueValueFieldTypes"]:
                raise exc.ValidationError(exc.PROPERTY_UNIQUE_FIELD_TYPE.format(
                    field_type=field_type, allowed=", ".join(RULES["uniqueValueFieldTypes"])))
            unique = [p for p in self.backend.defs[ot.type_id].values() if p.has_unique_value and p.name != name]
            if is_new and len(unique) >= RULES["maxUniqueValueProperties"]:
                raise exc.ValidationError(exc.PROPERTY_UNIQUE_LIMIT.format(
                    maximum=RULES["maxUniqueValueProperties"], object_type=ot.name))

    def save_definition(self, ot: ObjectType, body: dict) -> None:
        """Store a definition (inside the caller's transaction); the registry has it once reloaded."""
        self.conn.execute("INSERT OR REPLACE INTO property_defs VALUES (?, ?, ?)",
                          (ot.type_id, body["name"], json.dumps(body)))

    # ---- property groups --------------------------------------------------------------------

    def property_groups(self, object_type: str) -> list[dict]:
        """The type's groups: those its properties name (HubSpot's labels) and those created."""
        ot = self.backend.object_type(object_type)
        with self.lock:
            stored = {name: json.loads(body) for name, body in self.conn.execute(
                "SELECT name, body FROM property_groups WHERE otype = ?", (ot.type_id,))}
        groups: dict[str, dict] = {}
        for prop in self.backend.defs[ot.type_id].values():
            if prop.group_name not in groups:
                groups[prop.group_name] = {"name": prop.group_name,
                                           "label": RULES["groupLabels"].get(prop.group_name, prop.group_name),
                                           "displayOrder": len(groups), "hubspotDefined": prop.hubspot_defined}
            elif prop.hubspot_defined:
                groups[prop.group_name]["hubspotDefined"] = True
        for name, body in stored.items():
            groups[name] = {**groups.get(name, {"hubspotDefined": False}), **body}
        return [{**g, "archived": False} for g in groups.values()]

    def property_group(self, object_type: str, name: str) -> dict:
        for group in self.property_groups(object_type):
            if group["name"] == name:
                return group
        raise exc.ObjectNotFound(exc.PROPERTY_GROUP_NOT_FOUND.format(
            name=name, object_type=self.backend.object_type(object_type).name))

    def create_property_group(self, object_type: str, spec) -> dict:
        ot = self.backend.object_type(object_type)
        if not isinstance(spec, dict):
            raise exc.InvalidInput("expected a JSON object")
        missing = [f for f in ("name", "label") if not isinstance(spec.get(f), str) or not spec[f]]
        if missing:
            raise exc.ValidationError(exc.PROPERTY_GROUP_FIELDS_MISSING.format(fields=", ".join(missing)))
        name = spec["name"]
        if len(name) > RULES["maxNameLength"] or not re.fullmatch(RULES["name"], name):
            raise exc.ValidationError(exc.PROPERTY_NAME_INVALID.format(name=name, maximum=RULES["maxNameLength"]))
        if any(g["name"] == name for g in self.property_groups(object_type)):
            raise exc.PortalConflict(exc.PROPERTY_GROUP_EXISTS.format(name=name, object_type=ot.name))
        body = {"name": name, "label": spec["label"], "hubspotDefined": False,
                "displayOrder": _integer(spec.get("displayOrder", -1), "displayOrder")}
        with self.backend.write() as db:
            db.execute("INSERT INTO property_groups VALUES (?, ?, ?)", (ot.type_id, name, json.dumps(body)))
        return self.property_group(object_type, name)

    def update_property_group(self, object_type: str, name: str, changes) -> dict:
        ot = self.backend.object_type(object_type)
        group = self.property_group(object_type, name)
        if not isinstance(changes, dict):
            raise exc.InvalidInput("expected a JSON object")
        unknown = sorted(set(changes) - {"label", "displayOrder"})
        if unknown:
            raise exc.ValidationError(exc.PROPERTY_FIELDS_UNKNOWN.format(fields=", ".join(unknown),
                                                                         allowed="label, displayOrder"))
        body = {k: group[k] for k in ("name", "label", "displayOrder", "hubspotDefined")}
        if "label" in changes:
            if not isinstance(changes["label"], str) or not changes["label"]:
                raise exc.ValidationError(exc.PROPERTY_GROUP_FIELDS_MISSING.format(fields="label"))
            body["label"] = changes["label"]
        if "displayOrder" in changes:
            body["displayOrder"] = _integer(changes["displayOrder"], "displayOrder")
        with self.backend.write() as db:
            db.execute("INSERT OR REPLACE INTO property_groups VALUES (?, ?, ?)", (ot.type_id, name, json.dumps(body)))
        return self.property_group(object_type, name)

    def archive_property_group(self, object_type: str, name: str) -> None:
        """Archive a created group; HubSpot's own groups, and groups that hold properties, stay."""
        ot = self.backend.object_type(object_type)
        group = self.property_group(object_type, name)
        if group["hubspotDefined"]:
            raise exc.ValidationError(exc.PROPERTY_GROUP_NOT_ARCHIVABLE.format(name=name, object_type=ot.name))
        held = sorted(p.name for p in self.backend.defs[ot.type_id].values() if p.group_name == name)
        if held:
            raise exc.ValidationError(exc.PROPERTY_GROUP_NOT_EMPTY.format(
                name=name, count=len(held), names=", ".join(held[:10])))
        with self.backend.write() as db:
            db.execute("DELETE FROM property_groups WHERE otype = ? AND name = ?", (ot.type_id, name))

    # ---- seeding ----------------------------------------------------------------------------

    @classmethod
    def check_seed(cls, check, data: dict) -> None:
        for object_type, listed in check.need(data.get("properties", {}), dict, "properties", "properties").items():
            check.definitions(listed, f"properties.{object_type}")

    def seed_step(self, db, data: dict, stamp: int) -> int:
        """Definitions in HubSpot's property shape, for any type (its extra properties)."""
        count = 0
        for object_type, specs in data.get("properties", {}).items():
            self.backend.seeding = (f"properties.{object_type}", object_type)
            ot = self.backend.object_type(object_type)
            for spec in specs:
                self.save_definition(ot, {"hubspotDefined": False, **spec})
                count += 1
        return count


def _body(prop: PropertyDef) -> dict:
    """A definition in the shape the registry loads (PropertyDef.from_data)."""
    return {"name": prop.name, "label": prop.label, "type": prop.type, "fieldType": prop.field_type,
            "groupName": prop.group_name, "description": prop.description, "options": prop.options,
            "displayOrder": prop.display_order, "hasUniqueValue": prop.has_unique_value, "hidden": prop.hidden,
            "hubspotDefined": prop.hubspot_defined, "calculated": prop.calculated,
            "externalOptions": prop.external_options, "formField": prop.form_field,
            "readOnlyValue": prop.read_only_value, "readOnlyDefinition": prop.read_only_definition,
            "archivable": prop.archivable, "referencedObjectType": prop.referenced_object_type,
            "createdAt": prop.created_at, "valueFormat": prop.value_format}


def _integer(value, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise exc.InvalidInput(f"{name} must be an integer, not {value!r}")
    return value
