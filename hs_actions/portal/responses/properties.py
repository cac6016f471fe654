"""Properties v3: definitions (read, create, update, archive, batches) and property groups."""
from __future__ import annotations

from hs_actions.portal.models import iso
from hs_actions.portal.responses import Request, Response, batch_response, reads
from hs_actions.portal.responses.shapes import BOOLEAN, INTEGER, TEXT, Enum, Open, Required

# HubSpot's PropertyCreate, PropertyUpdate, OptionInput and property group bodies, by JSON type.
# What a definition must hold and which values go together are the backend's rules
# (backend/properties.py, data/property_rules.json), said in HubSpot's words; so is which
# fields an update may change, which is why an update keeps the keys it does not name.
SENSITIVITY = Enum("highly_sensitive", "non_sensitive", "sensitive")
OPTION = {"label": TEXT, "value": TEXT, "description": TEXT, "displayOrder": INTEGER, "hidden": BOOLEAN}
DEFINITION = {"label": TEXT, "type": TEXT, "fieldType": TEXT, "groupName": TEXT, "description": TEXT,
              "options": [OPTION], "displayOrder": INTEGER, "hidden": BOOLEAN, "formField": BOOLEAN,
              "calculationFormula": TEXT, "currencyPropertyName": TEXT, "showCurrencySymbol": BOOLEAN,
              "numberDisplayHint": Enum("currency", "duration", "formatted", "percentage", "probability", "unformatted"),
              "textDisplayHint": Enum("domain_name", "email", "ip_address", "multi_line", "phone_number",
                                      "physical_address", "postal_code", "unformatted_single_line")}
PROPERTY_CREATE = {"name": TEXT, **DEFINITION, "hasUniqueValue": BOOLEAN, "externalOptions": BOOLEAN,
                   "referencedObjectType": TEXT, "dataSensitivity": SENSITIVITY}
PROPERTY_UPDATE = Open(DEFINITION)
NAMES = {"inputs": Required([{"name": Required(TEXT)}])}
GROUP_CREATE = {"name": TEXT, "label": TEXT, "displayOrder": INTEGER}
GROUP_UPDATE = Open({"label": TEXT, "displayOrder": INTEGER})


def _definition(prop, archived_at: int | None = None) -> dict:
    body = prop.to_dict()
    if archived_at is not None:
        body.update(archived=True, archivedAt=iso(archived_at))
    return body


def list_properties(backend, request: Request) -> Response:
    object_type = request.params["object_type"]
    request.choice("dataSensitivity", SENSITIVITY)   # checked as in a body; every property is non-sensitive here
    if request.flag("archived"):
        return Response(200, {"results": [_definition(p, at) for p, at in backend.archived_properties(object_type)]})
    return Response(200, {"results": [p.to_dict() for p in backend.properties(object_type)]})


def get_property(backend, request: Request) -> Response:
    p = request.params
    request.choice("dataSensitivity", SENSITIVITY)
    if request.flag("archived"):
        for prop, at in backend.archived_properties(p["object_type"]):
            if prop.name == p["property_name"]:
                return Response(200, _definition(prop, at))
    return Response(200, backend.property(p["object_type"], p["property_name"]).to_dict())


@reads(PROPERTY_CREATE)
def create_property(backend, request: Request, body: dict) -> Response:
    return Response(201, backend.create_property(request.params["object_type"], body).to_dict())


@reads(PROPERTY_UPDATE)
def update_property(backend, request: Request, body: dict) -> Response:
    p = request.params
    return Response(200, backend.update_property(p["object_type"], p["property_name"], body).to_dict())


def archive_property(backend, request: Request) -> Response:
    backend.archive_property(request.params["object_type"], request.params["property_name"])
    return Response(204)


@reads({**NAMES, "archived": BOOLEAN, "dataSensitivity": SENSITIVITY})
def batch_read_properties(backend, request: Request, body: dict) -> Response:
    found, errors = backend.batch_read_properties(request.params["object_type"], [i["name"] for i in body["inputs"]],
                                                  body.get("archived", False))
    return batch_response([_definition(p, at) for p, at in found], errors)


@reads({"inputs": Required([PROPERTY_CREATE])})
def batch_create_properties(backend, request: Request, body: dict) -> Response:
    created, errors = backend.batch_create_properties(request.params["object_type"], body["inputs"])
    return batch_response([p.to_dict() for p in created], errors, ok=201)


@reads(NAMES)
def batch_archive_properties(backend, request: Request, body: dict) -> Response:
    backend.batch_archive_properties(request.params["object_type"], [i["name"] for i in body["inputs"]])
    return Response(204)


# ---- property groups ----------------------------------------------------------------------

def _group(group: dict) -> dict:
    return {"name": group["name"], "label": group["label"], "displayOrder": group["displayOrder"],
            "archived": group["archived"]}


def list_groups(backend, request: Request) -> Response:
    groups = [] if request.flag("archived") else backend.property_groups(request.params["object_type"])
    return Response(200, {"results": [_group(g) for g in groups]})


def get_group(backend, request: Request) -> Response:
    return Response(200, _group(backend.property_group(request.params["object_type"], request.params["group_name"])))


@reads(GROUP_CREATE)
def create_group(backend, request: Request, body: dict) -> Response:
    return Response(201, _group(backend.create_property_group(request.params["object_type"], body)))


@reads(GROUP_UPDATE)
def update_group(backend, request: Request, body: dict) -> Response:
    p = request.params
    return Response(200, _group(backend.update_property_group(p["object_type"], p["group_name"], body)))


def archive_group(backend, request: Request) -> Response:
    backend.archive_property_group(request.params["object_type"], request.params["group_name"])
    return Response(204)


PROPERTIES = "/crm/v3/properties/{object_type}"
GROUPS = PROPERTIES + "/groups"

ROUTES = [
    ("GET", GROUPS, list_groups, "schema object_type"),
    ("POST", GROUPS, create_group, "schemaWrite object_type"),
    ("GET", GROUPS + "/{group_name}", get_group, "schema object_type"),
    ("PATCH", GROUPS + "/{group_name}", update_group, "schemaWrite object_type"),
    ("DELETE", GROUPS + "/{group_name}", archive_group, "schemaWrite object_type"),
    ("GET", PROPERTIES, list_properties, "schema object_type"),
    ("POST", PROPERTIES, create_property, "schemaWrite object_type"),
    ("POST", PROPERTIES + "/batch/read", batch_read_properties, "schema object_type"),
    ("POST", PROPERTIES + "/batch/create", batch_create_properties, "schemaWrite object_type"),
    ("POST", PROPERTIES + "/batch/archive", batch_archive_properties, "schemaWrite object_type"),
    ("GET", PROPERTIES + "/{property_name}", get_property, "schema object_type"),
    ("PATCH", PROPERTIES + "/{property_name}", update_property, "schemaWrite object_type"),
    ("DELETE", PROPERTIES + "/{property_name}", archive_property, "schemaWrite object_type"),
]
