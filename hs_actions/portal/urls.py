"""The portal's route table, as data: method, path pattern, handler, scopes needed.

`{name}` in a path matches one segment and reaches the handler as a parameter. The scope
column says what access the route needs: "read object_type" is the read scope of the object
type in the `object_type` parameter (from data/object_types.json); a bare word such as
"owners" is a fixed scope. Several entries, comma-separated, are all required.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import unquote

from hs_actions.portal import exceptions as exc
from hs_actions.portal.responses import (account, associations, flows, gdpr, hubdb, labels, lists, merge, objects,
                                         properties)
from hs_actions.portal.models import load

OBJECT = "/crm/v3/objects/{object_type}"
ONE = OBJECT + "/{object_id}"
V4_ONE = "/crm/v4/objects/{object_type}/{object_id}/associations/{to_object_type}"
V4_BATCH = "/crm/v4/associations/{object_type}/{to_object_type}/batch"
V4_LABELS = "/crm/v4/associations/{object_type}/{to_object_type}/labels"
V3_ONE = ONE + "/associations/{to_object_type}"
V3_PAIR = "/crm/v3/associations/{object_type}/{to_object_type}"
PROPERTIES = "/crm/v3/properties/{object_type}"
GROUPS = PROPERTIES + "/groups"
HUBDB_TABLES = "/cms/v3/hubdb/tables"
HUBDB_TABLE = HUBDB_TABLES + "/{table}"
LIST = "/crm/v3/lists/{list_id}"

# Earlier rows win: a fixed segment (".../groups", ".../tables/draft") comes before the
# parameter it would otherwise match.
ROUTES = [
    ("GET", OBJECT, objects.list_objects, "read object_type"),
    ("POST", OBJECT, objects.create_object, "write object_type"),
    ("POST", OBJECT + "/search", objects.search, "read object_type"),
    ("POST", OBJECT + "/merge", merge.merge, "write object_type"),
    ("POST", OBJECT + "/gdpr-delete", gdpr.gdpr_delete, "write object_type"),
    ("POST", OBJECT + "/batch/read", objects.batch_read, "read object_type"),
    ("POST", OBJECT + "/batch/create", objects.batch_create, "write object_type"),
    ("POST", OBJECT + "/batch/update", objects.batch_update, "write object_type"),
    ("POST", OBJECT + "/batch/archive", objects.batch_archive, "write object_type"),
    ("POST", OBJECT + "/batch/upsert", objects.batch_upsert, "write object_type"),
    ("GET", ONE, objects.get_object, "read object_type"),
    ("PATCH", ONE, objects.update_object, "write object_type"),
    ("DELETE", ONE, objects.archive_object, "write object_type"),
    ("GET", GROUPS, properties.list_groups, "schema object_type"),
    ("POST", GROUPS, properties.create_group, "schemaWrite object_type"),
    ("GET", GROUPS + "/{group_name}", properties.get_group, "schema object_type"),
    ("PATCH", GROUPS + "/{group_name}", properties.update_group, "schemaWrite object_type"),
    ("DELETE", GROUPS + "/{group_name}", properties.archive_group, "schemaWrite object_type"),
    ("GET", PROPERTIES, properties.list_properties, "schema object_type"),
    ("POST", PROPERTIES, properties.create_property, "schemaWrite object_type"),
    ("POST", PROPERTIES + "/batch/read", properties.batch_read_properties, "schema object_type"),
    ("POST", PROPERTIES + "/batch/create", properties.batch_create_properties, "schemaWrite object_type"),
    ("POST", PROPERTIES + "/batch/archive", properties.batch_archive_properties, "schemaWrite object_type"),
    ("GET", PROPERTIES + "/{property_name}", properties.get_property, "schema object_type"),
    ("PATCH", PROPERTIES + "/{property_name}", properties.update_property, "schemaWrite object_type"),
    ("DELETE", PROPERTIES + "/{property_name}", properties.archive_property, "schemaWrite object_type"),
    ("GET", "/crm/v3/schemas", properties.list_schemas, "schemas"),
    ("GET", "/crm/v3/schemas/{object_type}", properties.get_schema, "schemas"),
    ("GET", V4_ONE, associations.list_associations, "read object_type, read to_object_type"),
    ("PUT", "/crm/v4/objects/{object_type}/{object_id}/associations/default/{to_object_type}/{to_object_id}",
     associations.associate_default, "write object_type, write to_object_type"),
    ("PUT", V4_ONE + "/{to_object_id}", associations.associate, "write object_type, write to_object_type"),
    ("DELETE", V4_ONE + "/{to_object_id}", associations.remove_associations, "write object_type, write to_object_type"),
    ("GET", V4_LABELS, associations.association_labels, "read object_type, read to_object_type"),
    ("POST", V4_LABELS, labels.create_label, "write object_type, write to_object_type"),
    ("PUT", V4_LABELS, labels.update_label, "write object_type, write to_object_type"),
    ("DELETE", V4_LABELS + "/{association_type_id}", labels.delete_label, "write object_type, write to_object_type"),
    ("POST", V4_BATCH + "/read", associations.batch_read_associations, "read object_type, read to_object_type"),
    ("POST", V4_BATCH + "/create", associations.batch_create_associations, "write object_type, write to_object_type"),
    ("POST", V4_BATCH + "/associate/default", associations.batch_associate_default, "write object_type, write to_object_type"),
    ("POST", V4_BATCH + "/archive", associations.batch_archive_associations, "write object_type, write to_object_type"),
    ("POST", V4_BATCH + "/labels/archive", associations.batch_archive_labels, "write object_type, write to_object_type"),
    ("GET", V3_ONE, associations.list_associations_v3, "read object_type, read to_object_type"),
    ("PUT", V3_ONE + "/{to_object_id}/{association_type}", associations.associate_v3, "write object_type, write to_object_type"),
    ("DELETE", V3_ONE + "/{to_object_id}/{association_type}", associations.remove_association_v3,
     "write object_type, write to_object_type"),
    ("GET", V3_PAIR + "/types", associations.association_types_v3, "read object_type, read to_object_type"),
    ("POST", V3_PAIR + "/batch/read", associations.batch_read_associations_v3, "read object_type, read to_object_type"),
    ("POST", V3_PAIR + "/batch/create", associations.batch_create_associations_v3, "write object_type, write to_object_type"),
    ("POST", V3_PAIR + "/batch/archive", associations.batch_archive_associations_v3, "write object_type, write to_object_type"),
    ("GET", "/crm/v3/pipelines/{object_type}", account.list_pipelines, "read object_type"),
    ("GET", "/crm/v3/pipelines/{object_type}/{pipeline_id}", account.get_pipeline, "read object_type"),
    ("GET", "/crm/v3/pipelines/{object_type}/{pipeline_id}/stages", account.list_stages, "read object_type"),
    ("GET", "/crm/v3/pipelines/{object_type}/{pipeline_id}/stages/{stage_id}", account.get_stage, "read object_type"),
    ("GET", "/crm/v3/owners/", account.list_owners, "owners"),
    ("GET", "/crm/v3/owners", account.list_owners, "owners"),
    ("GET", "/crm/v3/owners/{owner_id}", account.get_owner, "owners"),
    ("POST", "/automation/v4/actions/callbacks/{callback_id}/complete", account.complete_callback, "callbacks"),
    ("GET", "/automation/v4/flows", flows.list_flows, "automation"),
    ("POST", "/automation/v4/flows", flows.create_flow, "automation"),
    ("POST", "/automation/v4/flows/batch/read", flows.batch_read_flows, "automation"),
    ("GET", "/automation/v4/flows/{flow_id}", flows.get_flow, "automation"),
    ("PUT", "/automation/v4/flows/{flow_id}", flows.update_flow, "automation"),
    ("DELETE", "/automation/v4/flows/{flow_id}", flows.delete_flow, "automation"),
    ("POST", "/automation/v4/actions/callbacks/complete", account.complete_callbacks, "callbacks"),
    ("GET", HUBDB_TABLES, hubdb.list_tables, "hubdb"),
    ("GET", HUBDB_TABLES + "/draft", hubdb.list_draft_tables, "hubdb"),
    ("GET", HUBDB_TABLE, hubdb.get_table, "hubdb"),
    ("GET", HUBDB_TABLE + "/draft", hubdb.get_draft_table, "hubdb"),
    ("GET", HUBDB_TABLE + "/rows", hubdb.list_rows, "hubdb"),
    ("GET", HUBDB_TABLE + "/rows/draft", hubdb.list_draft_rows, "hubdb"),
    ("POST", HUBDB_TABLE + "/rows/batch/read", hubdb.batch_read_rows, "hubdb"),
    ("POST", HUBDB_TABLE + "/rows/draft/batch/read", hubdb.batch_read_draft_rows, "hubdb"),
    ("GET", HUBDB_TABLE + "/rows/{row_id}", hubdb.get_row, "hubdb"),
    ("GET", HUBDB_TABLE + "/rows/{row_id}/draft", hubdb.get_draft_row, "hubdb"),
    ("GET", "/crm/v3/lists", lists.get_lists, "listsRead"),
    ("GET", "/crm/v3/lists/", lists.get_lists, "listsRead"),
    ("GET", "/crm/v3/lists/object-type-id/{object_type_id}/name/{list_name}", lists.get_list_by_name, "listsRead"),
    ("GET", "/crm/v3/lists/records/{object_type_id}/{record_id}/memberships", lists.record_memberships, "listsRead"),
    ("GET", LIST, lists.get_list, "listsRead"),
    ("GET", LIST + "/memberships", lists.memberships, "listsRead"),
    ("GET", LIST + "/memberships/join-order", lists.memberships_join_order, "listsRead"),
    ("PUT", LIST + "/memberships/add", lists.add_members, "listsRead, listsWrite"),
    ("PUT", LIST + "/memberships/remove", lists.remove_members, "listsRead, listsWrite"),
    ("PUT", LIST + "/memberships/add-and-remove", lists.add_and_remove_members, "listsRead, listsWrite"),
]

# Date-versioned paths of HubSpot's current reference (/crm/objects/2026-03/contacts, and the
# same for each family that has 2025-09, 2026-03 or 2026-09 specs) reach the routes above:
# (dated prefix, prefix served), first match wins. Also the spec's own alternative spellings
# of two v3/v4 prefixes. {date} is a version such as 2026-03 (or 2026-09-beta); each {} is one
# segment, carried over. Record associations on dated paths are v4's.
DATED = [
    ("/crm/objects/{date}/{}/{}/associations/", "/crm/v4/objects/{}/{}/associations/"),
    ("/crm/objects/{date}/", "/crm/v3/objects/"),
    ("/crm/objects/v3/", "/crm/v3/objects/"),
    ("/crm/associations/{date}/", "/crm/v4/associations/"),
    ("/crm/associations/v4/", "/crm/v4/associations/"),
    ("/crm/properties/{date}/", "/crm/v3/properties/"),
    ("/crm/owners/{date}", "/crm/v3/owners"),
    ("/crm/pipelines/{date}/", "/crm/v3/pipelines/"),
    ("/crm/lists/{date}", "/crm/v3/lists"),
    ("/cms/hubdb/{date}/", "/cms/v3/hubdb/"),
    ("/automation/actions/callbacks/{date}/", "/automation/v4/actions/callbacks/"),
]
DATE = r"20\d\d-\d\d(?:-beta)?"


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern
    handler: Callable
    access: tuple[tuple[str, str | None], ...]    # (kind, parameter) or (fixed scope name, None)
    template: str

    @property
    def is_search(self) -> bool:
        return self.template.endswith("/search")

    def scopes(self, params: dict, object_type) -> list[str]:
        """The scopes this call needs; object_type(name) resolves a type (400 if unknown)."""
        return list(dict.fromkeys(scope for scope, _ in self._access(params, object_type)))

    def missing(self, granted, params: dict, object_type) -> list[str]:
        """The needed scopes that `granted` lacks, counting the scopes a type takes in place of one
        (line items take e-commerce for crm.objects.line_items.read)."""
        return list(dict.fromkeys(scope for scope, ot in self._access(params, object_type)
                                  if not (ot.grants(scope, granted) if ot else scope in granted)))

    def _access(self, params: dict, object_type):
        fixed = load("object_types.json")["fixedScopes"]
        for kind, param in self.access:
            if param is None:
                yield fixed[kind], None
            else:
                ot = object_type(params[param])
                yield ot.scopes[kind], ot


def _compile(method: str, template: str, handler, access: str) -> Route:
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    parsed = tuple((part.split() + [None])[:2] for part in (a.strip() for a in access.split(",")))
    return Route(method, re.compile(regex + r"\Z"), handler, tuple(tuple(p) for p in parsed), template)


TABLE = [_compile(*row) for row in ROUTES]


def _prefix(template: str) -> re.Pattern:
    """A path template as a regex: {date} a date version, {} any one segment, the rest literal."""
    parts = re.split(r"(\{date\}|\{\})", template)
    return re.compile("".join(DATE if p == "{date}" else "([^/]+)" if p == "{}" else re.escape(p) for p in parts))


_DATED = [(_prefix(dated), served) for dated, served in DATED]


def normalise(path: str) -> str:
    """The path a date-versioned (or alternatively spelt) HubSpot path stands for; others unchanged."""
    for pattern, served in _DATED:
        match = pattern.match(path)
        if match:
            for segment in match.groups():
                served = served.replace("{}", segment, 1)
            return served + path[match.end():]
    return path


def resolve(method: str, path: str) -> tuple[Route, dict]:
    """The route serving `method path` (date-versioned paths included; HEAD is served as GET) and
    its parameters; Unmodelled (404) for a call HubSpot serves that the portal does not,
    MethodNotAllowed (405, with an Allow header) if the path is served for other methods only,
    UnknownRoute (404) for a path HubSpot has no API at."""
    served = normalise(path)
    wanted = "GET" if method == "HEAD" else method
    # Unmodelled operations first: some (GET /crm/v3/lists/folders) would match a route's parameter.
    family = _unmodelled_operation(wanted, served)
    if family is None:
        for route in TABLE:
            if route.method == wanted:
                match = route.pattern.match(served)
                if match:
                    return route, {k: unquote(v) for k, v in match.groupdict().items()}
        allowed = list(dict.fromkeys(m for route in TABLE if route.pattern.match(served)
                                     for m in ([route.method, "HEAD"] if route.method == "GET" else [route.method])))
        if allowed:
            raise exc.MethodNotAllowed(exc.METHOD_NOT_ALLOWED.format(method=method, path=path, allowed=", ".join(allowed)),
                                       headers={"Allow": ",".join(allowed)})
        family = _unmodelled_family(served)
    if family is not None:
        raise exc.Unmodelled(exc.UNMODELLED_ROUTE.format(method=method, path=path, family=family))
    raise exc.UnknownRoute(exc.UNKNOWN_ROUTE.format(method=method, path=path))


# ---- what HubSpot serves that the portal does not (data/hubspot_apis.json) --------------------

def _apis():
    data = load("hubspot_apis.json")
    families = [(_prefix(prefix), family["name"]) for family in data["families"] for prefix in family["prefixes"]]
    operations = []
    for family in data["operations"]:
        for operation in family["operations"]:
            verb, template = operation.split(" ", 1)
            operations.append((verb, re.compile(_prefix(template).pattern + r"/?\Z"), family["name"]))
    types = {spelling.lower(): entry["name"] for entry in data["objectTypes"]
             for spelling in (entry["name"], entry.get("singular"), entry.get("id")) if spelling}
    return families, operations, types


_FAMILIES, _OPERATIONS, _TYPES = _apis()


def _unmodelled_operation(method: str, path: str) -> str | None:
    """The HubSpot API of `method path` when it is a call of a family the portal serves that
    the portal does not model (data/hubspot_apis.json, operations)."""
    for verb, pattern, name in _OPERATIONS:
        if verb == method and pattern.match(path):
            return name
    return None


def _unmodelled_family(path: str) -> str | None:
    """The HubSpot API whose prefix `path` is under, of those the portal does not model; None
    when HubSpot has no API there either (as far as data/hubspot_apis.json knows)."""
    for pattern, name in _FAMILIES:
        match = pattern.match(path)
        if match and (match.end() == len(path) or path[match.end()] == "/" or pattern.pattern.endswith("/")):
            return name
    return None


def object_type(backend, name: str):
    """backend.object_type(name); Unmodelled (404) for a type HubSpot serves and the portal lacks."""
    try:
        return backend.object_type(name)
    except exc.ValidationError:
        hubspot_name = _TYPES.get(str(name).lower())
        if hubspot_name is None:
            raise
        raise exc.Unmodelled(exc.UNMODELLED_TYPE.format(name=name, family=f"HubSpot's {hubspot_name}")) from None
