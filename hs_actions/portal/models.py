"""Plain records of the portal and the data they are built from; no SQL, no HTTP.

Object types, property definitions, association types and rate-limit tiers are data files in
`data/`; this module turns them into records with `to_dict()` in HubSpot's wire shape.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

from hs_actions.portal import exceptions as exc

DATA = Path(__file__).with_name("data")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@cache
def load(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def default_record(object_type: str) -> dict | None:
    """The first record of an object type (HubSpot's name, CONTACT, or the API's, contacts) in
    the default seed: what sample events name, so that a run finds it. None for a type the seed
    has none of (a custom object's, or one the portal does not model)."""
    spec = next((s for s in load("object_types.json")["standard"] if object_type in (s["hubspotName"], s["name"])), None)
    records = load("seed_default.json")["records"].get(spec["name"] if spec else object_type) or []
    return records[0] if records else None


def property_rows(object_type: str) -> list[dict]:
    """The property catalogue of a standard object type (data/properties/<name>.json), then the
    rows of the files it includes (the engagement properties activities share) it lacks."""
    data = load(f"properties/{object_type}.json")
    rows = data["properties"]
    for shared in data.get("include", []):
        own = {row["name"] for row in rows}
        rows = rows + [row for row in load(f"properties/{shared}.json")["properties"] if row["name"] not in own]
    return rows


def all_scopes() -> list[str]:
    """Every scope some route of the portal can ask for (or takes in place of one): a token
    with these can call anything."""
    data = load("object_types.json")
    scopes = {s for spec in data["standard"] for s in spec["scopes"].values()}
    scopes |= {s for spec in data["standard"] for alts in spec.get("scopeAlternatives", {}).values() for s in alts}
    scopes |= set(data["custom"]["scopes"].values()) | set(data["fixedScopes"].values())
    scopes |= {s for kind, alts in data["fixedScopeAlternatives"].items() if kind != "comment" for s in alts}
    return sorted(scopes)


# ---- time: HubSpot sends ISO 8601 with milliseconds and accepts epoch milliseconds ----------

def iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    moment = datetime.fromtimestamp(ms // 1000, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def parse_time(value: str) -> int | None:
    """Epoch milliseconds of an epoch-ms string, an ISO 8601 datetime or a date; None if neither."""
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int((moment - EPOCH).total_seconds() * 1000)


def id_number(text: str) -> int | None:
    """The id that `text` (a record, list, flow, HubDB table or row, or association type id) stands
    for; None when it is not ASCII digits ("²" is a digit to str.isdigit, not to int) or is past
    SQLite's 64-bit integers, which no id reaches. What None means (404, a name) is the caller's."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) >= 2**63:
        return None
    return int(text)


def now_ms() -> int:
    return int(time.time() * 1000)


def day(ms: int) -> str:
    return datetime.fromtimestamp(ms // 1000, timezone.utc).strftime("%Y-%m-%d")


# ---- object types ---------------------------------------------------------------------------

@dataclass
class ObjectType:
    type_id: str                       # 0-1, 2-1001
    name: str                          # contacts, pets
    singular: str
    hubspot_name: str                  # CONTACT, as in a workflow event's objectType
    created_property: str
    modified_property: str
    default_properties: list[str]
    searchable_properties: list[str]
    unique_properties: list[str]
    scopes: dict[str, str]             # read / write / schema -> the scope HubSpot asks for
    custom: bool = False
    required: list[list[str]] = field(default_factory=list)   # on create, one of each group
    scope_alternatives: dict[str, list[str]] = field(default_factory=dict)   # scope -> others HubSpot takes instead
    labels: dict = field(default_factory=dict)
    primary_display_property: str | None = None

    def names(self, portal_id: int) -> set[str]:
        """Every spelling HubSpot accepts for this type in a URL."""
        spelled = {self.type_id, self.name, self.singular, self.hubspot_name.lower()}
        if self.custom:
            spelled |= {f"p_{self.name}", f"p{portal_id}_{self.name}"}
        return {n.lower() for n in spelled}

    @classmethod
    def standard(cls, spec: dict) -> "ObjectType":
        return cls(spec["objectTypeId"], spec["name"], spec["singular"], spec["hubspotName"],
                   spec["createdProperty"], spec["modifiedProperty"], spec["defaultProperties"],
                   spec["searchableProperties"], spec["uniqueProperties"], spec["scopes"],
                   required=spec.get("requiredProperties", []),
                   scope_alternatives=spec.get("scopeAlternatives", {}))

    def grants(self, scope: str, granted) -> bool:
        """Whether a token with `granted` scopes has `scope` or a scope HubSpot takes in its place."""
        return scope in granted or any(alt in granted for alt in self.scope_alternatives.get(scope, ()))

    def missing_required(self, values: dict) -> list[str]:
        """The first property of each required group that `values` leaves unset (HubSpot's
        "Some required properties were not set")."""
        return [group[0] for group in self.required
                if not any(values.get(name) not in (None, "") for name in group)]

    @classmethod
    def from_schema(cls, schema: dict) -> "ObjectType":
        """A custom object type from a seed's `schemas` entry (HubSpot's schema shape)."""
        base = load("object_types.json")["custom"]
        name = schema["name"]
        labels = schema.get("labels") or {"singular": name, "plural": name}
        display = schema.get("primaryDisplayProperty")
        return cls(schema["objectTypeId"], name, labels.get("singular", name).lower(), name.upper(),
                   base["createdProperty"], base["modifiedProperty"],
                   base["defaultProperties"] + ([display] if display else []),
                   schema.get("searchableProperties", [display] if display else []),
                   [p["name"] for p in schema.get("properties", []) if p.get("hasUniqueValue")],
                   base["scopes"], custom=True, labels=labels, primary_display_property=display)


# ---- property definitions -------------------------------------------------------------------

@dataclass
class PropertyDef:
    name: str
    label: str
    type: str                          # string number enumeration datetime date bool
    field_type: str
    group_name: str
    description: str = ""
    options: list[dict] = field(default_factory=list)
    display_order: int = -1
    has_unique_value: bool = False
    hidden: bool = False
    hubspot_defined: bool = True
    calculated: bool = False
    external_options: bool = False
    form_field: bool = False
    read_only_value: bool = False
    read_only_definition: bool = True
    archivable: bool = False
    referenced_object_type: str | None = None
    created_at: int = 0
    value_format: str | None = None    # "email": values must be email addresses (not sent)
    computed: str | None = None        # the rule by which the portal computes the value (not sent)
    any_option: bool = False           # an enumeration whose options no source lists (not sent)

    @classmethod
    def from_data(cls, spec: dict, option_table: dict | None = None, order: int = -1) -> "PropertyDef":
        options = spec.get("options", [])
        if isinstance(options, str):  # a name in the shared option table
            options = option_table[options]
        # Data files list options as [label, value] pairs; seeds in HubSpot's {label, value} shape.
        options = [{"label": o[0], "value": o[1]} if isinstance(o, (list, tuple)) else o for o in options]
        options = [{"label": o["label"], "value": o["value"], "description": o.get("description", ""),
                    "displayOrder": o.get("displayOrder", i), "hidden": o.get("hidden", False)}
                   for i, o in enumerate(options)]
        hubspot_defined = spec.get("hubspotDefined", True)
        return cls(spec["name"], spec.get("label", spec["name"]), spec.get("type", "string"),
                   spec.get("fieldType", "text"), spec.get("groupName", "objectinformation"),
                   spec.get("description", ""), options, spec.get("displayOrder", order),
                   spec.get("hasUniqueValue", False), spec.get("hidden", False), hubspot_defined,
                   spec.get("calculated", False), spec.get("externalOptions", False),
                   spec.get("formField", False), spec.get("readOnlyValue", False),
                   spec.get("readOnlyDefinition", hubspot_defined), spec.get("archivable", not hubspot_defined),
                   spec.get("referencedObjectType"), spec.get("createdAt", 0), value_format=spec.get("valueFormat"),
                   computed=spec.get("computed"), any_option=spec.get("anyOption", False))

    def option_values(self) -> list[str]:
        return [o["value"] for o in self.options]

    def to_dict(self) -> dict:
        stamp = iso(self.created_at)
        body = {
            "name": self.name, "label": self.label, "type": self.type, "fieldType": self.field_type,
            "description": self.description, "groupName": self.group_name, "options": self.options,
            "displayOrder": self.display_order, "calculated": self.calculated,
            "externalOptions": self.external_options, "hasUniqueValue": self.has_unique_value,
            "hidden": self.hidden, "hubspotDefined": self.hubspot_defined,
            "modificationMetadata": {"archivable": self.archivable,
                                     "readOnlyDefinition": self.read_only_definition,
                                     "readOnlyValue": self.read_only_value},
            "formField": self.form_field, "createdAt": stamp, "updatedAt": stamp, "archived": False,
        }
        if self.referenced_object_type:
            body["referencedObjectType"] = self.referenced_object_type
        return body

    def encode(self, raw) -> tuple[str, str, float | None]:
        """(stored value, folded value for comparison, number for ordering) of a written value.

        Raises a one-entry list of HubSpot's property-error dicts (see `property_errors`) when
        HubSpot would refuse the value. Empty strings are returned as-is: they clear a value.
        """
        if isinstance(raw, bool):
            raw = "true" if raw else "false"
        elif isinstance(raw, (int, float)):
            raw = repr(raw) if isinstance(raw, float) else str(raw)
        elif raw is None:
            raw = ""
        elif not isinstance(raw, str):
            raise InvalidValue(self.name, "INVALID_INPUT", exc.INVALID_INPUT.format(
                detail=f"property {self.name} must be a string, not {type(raw).__name__}"))
        value = raw.strip() if self.type != "string" else raw
        if value == "":
            return "", "", None
        if self.type == "number":
            try:
                number = float(value)
            except ValueError:
                raise InvalidValue(self.name, "INVALID_NUMBER",
                                   exc.INVALID_NUMBER.format(value=raw, name=self.name)) from None
            if number != number or number in (float("inf"), float("-inf")):
                raise InvalidValue(self.name, "INVALID_NUMBER", exc.INVALID_NUMBER.format(value=raw, name=self.name))
            return value, value, number
        if self.type == "datetime":
            ms = parse_time(value)
            if ms is None:
                raise InvalidValue(self.name, "INVALID_DATETIME", exc.INVALID_DATETIME.format(value=raw, name=self.name))
            return iso(ms), str(ms), float(ms)
        if self.type == "date":
            ms = parse_time(value)
            if ms is None or ms % 86_400_000:
                raise InvalidValue(self.name, "INVALID_DATE", exc.INVALID_DATE.format(value=raw, name=self.name))
            return day(ms), str(ms), float(ms)
        if self.type == "bool":
            if value.lower() not in ("true", "false"):
                raise InvalidValue(self.name, "INVALID_BOOLEAN", exc.INVALID_BOOL.format(value=raw, name=self.name))
            return value.lower(), value.lower(), None
        if self.value_format == "email" and not is_email(value):
            raise InvalidValue(self.name, "INVALID_EMAIL", exc.INVALID_EMAIL.format(value=raw))
        if self.type == "enumeration" and not self.external_options and not self.any_option:
            allowed = self.option_values()
            for part in value.split(";"):
                if part not in allowed:
                    listing = "[" + ", ".join(allowed) + "]"
                    raise InvalidValue(self.name, "INVALID_OPTION",
                                       exc.INVALID_OPTION.format(value=part, allowed=listing))
        return value, value.lower(), None


# An email address as HubSpot accepts one on a contact: RFC 5322's dot-atom local part (no
# quoted local parts, which HubSpot refuses), "@", and a domain of two or more labels whose
# last (the top-level domain) is letters or an IDN "xn--" label. HubSpot also requires the
# TLD to be in IANA's list; the portal does not check that (reserved test domains such as
# .example and .test, which IANA does not list, stay usable locally).
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[^\W_](?:[^\W_]|-)*(?<!-)"
_EMAIL = re.compile(rf"{_ATEXT}+(?:\.{_ATEXT}+)*@(?:{_LABEL}\.)+(?:[^\W\d_]{{2,}}|[Xx][Nn]--[A-Za-z0-9-]+)")


def is_email(value: str) -> bool:
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        return False
    return len(value.rsplit("@", 1)[0]) <= 64 and all(len(label) <= 63 for label in value.rsplit("@", 1)[1].split("."))


class InvalidValue(Exception):
    def __init__(self, name: str, code: str, message: str):
        super().__init__(message)
        self.name, self.code, self.message = name, code, message

    def to_dict(self) -> dict:
        return {"isValid": False, "message": self.message, "error": self.code, "name": self.name,
                "localizedErrorMessage": self.message}


def property_errors(problems: list[InvalidValue]) -> exc.ValidationError:
    """HubSpot's 400 for refused property values: the list is JSON inside the message."""
    details = json.dumps([p.to_dict() for p in problems], separators=(",", ":"))
    return exc.ValidationError(
        exc.PROPERTY_VALUES_INVALID.format(details=details),
        errors=[{"message": p.message, "code": p.code, "context": {"propertyName": [p.name]}}
                for p in problems])


# ---- association types ----------------------------------------------------------------------

@dataclass(frozen=True)
class AssociationType:
    from_type: str                     # object type id, e.g. 0-1
    to_type: str
    type_id: int
    inverse: int
    label: str | None
    category: str = "HUBSPOT_DEFINED"
    default: bool = False
    v3_name: str = ""

    def spec(self) -> dict:
        return {"associationCategory": self.category, "associationTypeId": self.type_id}

    def with_label(self) -> dict:
        return {"category": self.category, "typeId": self.type_id, "label": self.label}


# ---- records --------------------------------------------------------------------------------

@dataclass
class Record:
    object_type: str
    id: int
    properties: dict[str, str | None]
    created_at: int
    updated_at: int
    archived: bool = False
    archived_at: int | None = None
    history: dict[str, list[dict]] | None = None
    associations: dict[str, dict] | None = None

    def to_dict(self) -> dict:
        # HubSpot sends property names in alphabetical order.
        body = {"id": str(self.id), "properties": dict(sorted(self.properties.items())), "createdAt": iso(self.created_at),
                "updatedAt": iso(self.updated_at), "archived": self.archived}
        if self.archived:
            body["archivedAt"] = iso(self.archived_at)
        if self.history is not None:
            body["propertiesWithHistory"] = self.history
        if self.associations:
            body["associations"] = self.associations
        return body


@dataclass
class Owner:
    id: str
    email: str
    first_name: str
    last_name: str
    user_id: int | None
    created_at: int
    updated_at: int
    archived: bool = False
    teams: list[dict] = field(default_factory=list)
    type: str = "PERSON"

    @classmethod
    def from_data(cls, spec: dict, now: int) -> "Owner":
        return cls(str(spec["id"]), spec.get("email", ""), spec.get("firstName", ""),
                   spec.get("lastName", ""), spec.get("userId"), parse_time(spec.get("createdAt", now)),
                   parse_time(spec.get("updatedAt", now)), spec.get("archived", False),
                   spec.get("teams", []), spec.get("type", "PERSON"))

    def to_dict(self) -> dict:
        body = {"id": self.id, "email": self.email, "firstName": self.first_name, "lastName": self.last_name,
                "userId": self.user_id, "userIdIncludingInactive": self.user_id, "type": self.type,
                "createdAt": iso(self.created_at), "updatedAt": iso(self.updated_at),
                "archived": self.archived, "teams": self.teams}
        return body


@dataclass
class Token:
    token: str
    name: str
    scopes: list[str]
    revoked_at: int | None = None
