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
from hs_actions.portal.responses import account, associations, objects, properties
from hs_actions.portal.models import load

OBJECT = "/crm/v3/objects/{object_type}"
ONE = OBJECT + "/{object_id}"
V4_ONE = "/crm/v4/objects/{object_type}/{object_id}/associations/{to_object_type}"
V4_BATCH = "/crm/v4/associations/{object_type}/{to_object_type}/batch"
V3_ONE = ONE + "/associations/{to_object_type}"
V3_PAIR = "/crm/v3/associations/{object_type}/{to_object_type}"

ROUTES = [
    ("GET", OBJECT, objects.list_objects, "read object_type"),
    ("POST", OBJECT, objects.create_object, "write object_type"),
    ("POST", OBJECT + "/search", objects.search, "read object_type"),
    ("POST", OBJECT + "/batch/read", objects.batch_read, "read object_type"),
    ("POST", OBJECT + "/batch/create", objects.batch_create, "write object_type"),
    ("POST", OBJECT + "/batch/update", objects.batch_update, "write object_type"),
    ("POST", OBJECT + "/batch/archive", objects.batch_archive, "write object_type"),
    ("POST", OBJECT + "/batch/upsert", objects.batch_upsert, "write object_type"),
    ("GET", ONE, objects.get_object, "read object_type"),
    ("PATCH", ONE, objects.update_object, "write object_type"),
    ("DELETE", ONE, objects.archive_object, "write object_type"),
    ("GET", "/crm/v3/properties/{object_type}", properties.list_properties, "schema object_type"),
    ("GET", "/crm/v3/properties/{object_type}/{property_name}", properties.get_property, "schema object_type"),
    ("GET", V4_ONE, associations.list_associations, "read object_type, read to_object_type"),
    ("PUT", "/crm/v4/objects/{object_type}/{object_id}/associations/default/{to_object_type}/{to_object_id}",
     associations.associate_default, "write object_type, write to_object_type"),
    ("PUT", V4_ONE + "/{to_object_id}", associations.associate, "write object_type, write to_object_type"),
    ("DELETE", V4_ONE + "/{to_object_id}", associations.remove_associations, "write object_type, write to_object_type"),
    ("GET", "/crm/v4/associations/{object_type}/{to_object_type}/labels", associations.association_labels,
     "read object_type, read to_object_type"),
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
]


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
        fixed = load("object_types.json")["fixedScopes"]
        needed = []
        for kind, param in self.access:
            scope = fixed[kind] if param is None else object_type(params[param]).scopes[kind]
            if scope not in needed:
                needed.append(scope)
        return needed


def _compile(method: str, template: str, handler, access: str) -> Route:
    regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
    parsed = tuple((part.split() + [None])[:2] for part in (a.strip() for a in access.split(",")))
    return Route(method, re.compile(regex + r"\Z"), handler, tuple(tuple(p) for p in parsed), template)


TABLE = [_compile(*row) for row in ROUTES]


def resolve(method: str, path: str) -> tuple[Route, dict]:
    """The route serving `method path` (HEAD is served as GET) and its parameters;
    MethodNotAllowed (405, with an Allow header) if the path is served for other methods only,
    UnknownRoute (404) if it is not served at all."""
    served = "GET" if method == "HEAD" else method
    for route in TABLE:
        if route.method == served:
            match = route.pattern.match(path)
            if match:
                return route, {k: unquote(v) for k, v in match.groupdict().items()}
    allowed = list(dict.fromkeys(m for route in TABLE if route.pattern.match(path)
                                 for m in ([route.method, "HEAD"] if route.method == "GET" else [route.method])))
    if allowed:
        raise exc.MethodNotAllowed(exc.METHOD_NOT_ALLOWED.format(method=method, path=path, allowed=", ".join(allowed)),
                                   headers={"Allow": ",".join(allowed)})
    raise exc.UnknownRoute(exc.UNKNOWN_ROUTE.format(method=method, path=path))
