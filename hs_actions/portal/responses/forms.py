"""Forms, read: marketing v3 (`/marketing/v3/forms`, HubSpotFormDefinition) and the legacy forms v2
(`/forms/v2/forms`), both from the one stored form (backend/forms.py)."""
from __future__ import annotations

from hs_actions.portal.backend.forms import FORMS_LIMIT_DEFAULT, FORMS_LIMIT_MAX
from hs_actions.portal.models import iso, load
from hs_actions.portal.responses import Request, Response, paging
from hs_actions.portal.responses.shapes import Enum

# HubSpot's Marketing Forms v3 spec, formTypes; only `hubspot` forms are modelled, the default.
FORM_TYPES = Enum("hubspot", "captured", "flow", "blog_comment", "all")


def _v3_field(field: dict) -> dict:
    body = {key: field[key] for key in ("objectTypeId", "name", "label", "required", "hidden", "fieldType")}
    body["dependentFields"] = []
    if field["fieldType"] in load("forms.json")["v3EnumeratedFieldTypes"]:
        body["options"] = [{**option, "description": ""} for option in field["options"]]
    if field["fieldType"] == "email":
        body["validation"] = {"blockedEmailDomains": [], "useDefaultBlockList": False}
    return body


def v3_form(form: dict) -> dict:
    data = load("forms.json")
    body = {"id": form["id"], "formType": "hubspot", "name": form["name"], "createdAt": iso(form["createdAt"]),
            "updatedAt": iso(form["updatedAt"]), "archived": form["archived"],
            # One field a group, as HubSpot's form editor puts a field it adds on a row of its own.
            "fieldGroups": [{"groupType": "default_group", "richTextType": "text", "fields": [_v3_field(field)]}
                            for field in form["fields"]],
            "configuration": data["configuration"],
            "displayOptions": {**data["displayOptions"], "submitButtonText": form["submitText"]},
            "legalConsentOptions": data["legalConsentOptions"]}
    if form["archived"]:
        body["archivedAt"] = iso(form["updatedAt"])
    return body


def _v2_field(field: dict, order: int) -> dict:
    return {"name": field["name"], "label": field["label"], "type": field["propertyType"],
            "fieldType": field["propertyFieldType"], "description": field["description"], "groupName": "",
            "displayOrder": order, "required": field["required"], "selectedOptions": [],
            "options": [{**option, "doubleData": 0, "hidden": False, "description": "", "readOnly": False}
                        for option in field["options"]],
            "validation": {"name": "", "message": "", "data": "", "useDefaultBlockList": False,
                           "blockedEmailAddresses": []},
            "enabled": True, "hidden": field["hidden"], "defaultValue": "", "isSmartField": False,
            "unselectedLabel": "", "placeholder": "", "labelHidden": False}


def v2_form(portal_id: int, form: dict) -> dict:
    """The legacy shape: `guid` for the id, epoch-millisecond times, `formFieldGroups`."""
    return {"portalId": portal_id, "guid": form["id"], "name": form["name"], "action": "", "method": "",
            "cssClass": "", "redirect": "", "submitText": form["submitText"], "followUpId": "",
            "notifyRecipients": "", "leadNurturingCampaignId": "",
            "formFieldGroups": [{"fields": [_v2_field(field, -1)], "default": True, "isSmartGroup": False}
                                for field in form["fields"]],
            "createdAt": form["createdAt"], "updatedAt": form["updatedAt"], "performableHtml": "",
            "migratedFrom": "", "ignoreCurrentValues": False, "metaData": [], "deletable": True,
            "inlineMessage": "", "tmsId": "", "captchaEnabled": False, "campaignGuid": "", "cloneable": True,
            "editable": True, "formType": "HUBSPOT", "isPublished": True}


def list_forms(backend, request: Request) -> Response:
    kinds = [FORM_TYPES.read(kind, "formTypes") for kind in request.listing("formTypes") or ["hubspot"]]
    limit = request.limit(FORMS_LIMIT_DEFAULT, FORMS_LIMIT_MAX)
    forms, after = backend.forms(request.first("after"), limit, request.flag("archived"))
    if not {"hubspot", "all"} & set(kinds):
        forms, after = [], None   # the other kinds of form are not modelled: the account has none
    return Response(200, {"results": [v3_form(form) for form in forms], **paging(request.path, after)})


def get_form(backend, request: Request) -> Response:
    return Response(200, v3_form(backend.form(request.params["form_id"], request.flag("archived"))))


def list_forms_v2(backend, request: Request) -> Response:
    """Every live form, unpaged, as forms v2 lists them."""
    forms, _ = backend.forms(limit=None)
    return Response(200, [v2_form(backend.portal_id, form) for form in forms])


def get_form_v2(backend, request: Request) -> Response:
    return Response(200, v2_form(backend.portal_id, backend.form(request.params["form_id"])))


ROUTES = [
    ("GET", "/marketing/v3/forms/", list_forms, "forms"),
    ("GET", "/marketing/v3/forms", list_forms, "forms"),
    ("GET", "/marketing/v3/forms/{form_id}", get_form, "forms"),
    ("GET", "/forms/v2/forms", list_forms_v2, "forms"),
    ("GET", "/forms/v2/forms/{form_id}", get_form_v2, "forms"),
]
