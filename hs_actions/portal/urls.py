"""The portal's route table, as data: method, path pattern, handler, scopes needed.

`{name}` in a path matches one segment and reaches the handler as a parameter. The scope
column says what access the route needs: "read object_type" is the read scope of the object
type in the `object_type` parameter (from data/object_types.json); a bare word such as
"owners" is a fixed scope (data/object_types.json `fixedScopes`; `fixedScopeAlternatives` names
scopes HubSpot takes in its place). Several entries, comma-separated, are all required.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import unquote

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend import FAMILIES
from hs_actions.portal.models import load
from hs_actions.portal.responses import OBJECT, ONE
from hs_actions.portal.responses.associations import V3_ONE, V3_PAIR, V4_BATCH, V4_ONE
from hs_actions.portal.responses.hubdb import HUBDB_TABLE, HUBDB_TABLES
from hs_actions.portal.responses.labels import V4_LABELS
from hs_actions.portal.responses.lists import LIST
from hs_actions.portal.responses.properties import GROUPS, PROPERTIES

# The table, resolving a call, and the path templates tests and tools name a route by.
__all__ = ["ROUTES", "TABLE", "DATED", "Route", "resolve", "normalise", "object_type", "OBJECT", "ONE", "V3_ONE",
           "V3_PAIR", "V4_BATCH", "V4_ONE", "V4_LABELS", "HUBDB_TABLE", "HUBDB_TABLES", "LIST", "GROUPS", "PROPERTIES"]


def _family_routes() -> list[tuple]:
    """Every family's rows (responses/<family name>.py, `ROUTES`), most specific path first: at
    the first segment where two paths differ, a fixed segment (".../groups", ".../tables/draft")
    comes before the parameter it would otherwise match, so earlier rows win whatever the order
    of the families. A path belongs to one family (TypeError otherwise); rows of one path keep
    the order their family gives them (the order of a 405's Allow header)."""
    rows, owners = [], {}
    for family in FAMILIES:
        module_name = f"hs_actions.portal.responses.{family.name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            continue   # a family that serves no routes (tokens, the request log)
        for row in module.ROUTES:
            path = re.sub(r"\{\w+\}", "{}", row[1])
            if owners.setdefault(path, family.name) != family.name:
                raise TypeError(f"{row[0]} {row[1]} of {family.name}: {owners[path]} serves this path")
            rows.append(row)
    return sorted(rows, key=lambda row: [part.startswith("{") for part in row[1].split("/")])


# (method, path template, handler, scopes), composed from the families' declarations.
ROUTES = _family_routes()

# Date-versioned paths of HubSpot's current reference (/crm/objects/2026-03/contacts, and the
# same for each family that has 2025-09, 2026-03 or 2026-09 specs) reach the routes above:
# (dated prefix, prefix served), first match wins. Also the spec's own alternative spellings
# of two v3/v4 prefixes. {date} is a version such as 2026-03 (or 2026-09-beta); each {} is one
# segment, carried over. Record associations on dated paths are v4's.
DATED = [
    ("/crm/objects/{date}/{}/{}/associations/", "/crm/v4/objects/{}/{}/associations/"),
    ("/crm/objects/{date}/", "/crm/v3/objects/"),
    ("/crm/objects/v3/", "/crm/v3/objects/"),
    ("/crm-object-schemas/v3/schemas", "/crm/v3/schemas"),   # where client 12 reads schemas
    ("/crm/associations/{date}/", "/crm/v4/associations/"),
    ("/crm/associations/v4/", "/crm/v4/associations/"),
    ("/crm/properties/{date}/", "/crm/v3/properties/"),
    ("/crm/owners/{date}", "/crm/v3/owners"),
    ("/crm/pipelines/{date}/", "/crm/v3/pipelines/"),
    ("/crm/lists/{date}", "/crm/v3/lists"),
    ("/marketing/forms/{date}", "/marketing/v3/forms"),
    ("/cms/hubdb/{date}/", "/cms/v3/hubdb/"),
    ("/automation/actions/callbacks/{date}/", "/automation/v4/actions/callbacks/"),
    # Workflows: the spec collection's /automation/v4/2026-09-beta/flows, and the spelling other
    # sources give, /automation/2026-09-beta/flows (HUBSPOT_RUNTIME.md): both, until one is settled.
    ("/automation/v4/{date}/", "/automation/v4/"),
    ("/automation/{date}/", "/automation/v4/"),
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
                                  if not ot.grants(scope, granted)))

    def _access(self, params: dict, object_type):
        data = load("object_types.json")
        for kind, param in self.access:
            if param is None:
                yield data["fixedScopes"][kind], _Fixed(tuple(data["fixedScopeAlternatives"].get(kind, ())))
            else:
                ot = object_type(params[param])
                yield ot.scopes[kind], ot


@dataclass(frozen=True)
class _Fixed:
    """A fixed scope and the scopes HubSpot takes in its place (hubdb.rows.write for hubdb)."""
    alternatives: tuple

    def grants(self, scope: str, granted) -> bool:
        return scope in granted or any(alt in granted for alt in self.alternatives)


def _compile(method: str, template: str, handler, access: str) -> Route:
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    parsed = tuple((part.split() + [None])[:2] for part in (a.strip() for a in access.split(",")))
    return Route(method, re.compile(regex + r"\Z"), handler, tuple(tuple(p) for p in parsed), template)


TABLE = [_compile(*row) for row in ROUTES]


def _by_shape(table: list[Route]) -> dict[tuple[str, int], list[Route]]:
    """The routes a call can match, by (method, number of "/" in the path), in the table's order:
    a parameter matches one segment, so no other route can, and a call tries only these few."""
    shapes: dict[tuple[str, int], list[Route]] = {}
    for route in table:
        shapes.setdefault((route.method, route.template.count("/")), []).append(route)
    return shapes


_CANDIDATES = _by_shape(TABLE)


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
    Sunset (404) for an API HubSpot has removed, UnknownRoute (404) for a path HubSpot has no API at."""
    served = normalise(path)
    wanted = "GET" if method == "HEAD" else method
    # Unmodelled operations first: some (GET /crm/v3/lists/folders) would match a route's parameter.
    family = _unmodelled_operation(wanted, served)
    if family is None:
        for route in _CANDIDATES.get((wanted, served.count("/")), ()):
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
    removed = sunset(served)
    if removed is not None:
        raise exc.Sunset(exc.SUNSET_ROUTE.format(method=method, path=path, **removed))
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
    sunset = [(_prefix(prefix), entry) for entry in data["sunset"] for prefix in entry["prefixes"]]
    return families, operations, types, sunset


_FAMILIES, _OPERATIONS, _TYPES, _SUNSET = _apis()


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


def sunset(path: str) -> dict | None:
    """The API HubSpot has removed that `path` is under (its name, date and replacement), as
    data/hubspot_apis.json `sunset` lists them; None otherwise."""
    for pattern, entry in _SUNSET:
        match = pattern.match(path)
        if match and (match.end() == len(path) or path[match.end()] == "/"):
            return {"family": entry["name"], "date": entry["date"], "instead": entry["instead"]}
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
