"""Forms, read-only from seeds: marketing v3 list and get through the client, forms v2 over HTTP."""
import pytest
from hubspot.marketing.forms.exceptions import NotFoundException

from hs_actions.core.errors import SeedError

CONTACT_US = "5f745bfa-8589-40c2-9940-f9081123e0b4"
SEED = {"forms": [
    {"id": CONTACT_US, "name": "Contact us", "createdAt": "2024-03-04T10:00:00Z", "submitText": "Send",
     "fields": [{"name": "email", "required": True}, {"name": "lifecyclestage", "hidden": True},
                {"name": "firstname", "label": "Your first name"}]},
    {"id": "0c1a9e52-3c8e-4f38-9a55-2b1d6f3e7a10", "name": "Old webinar", "archived": True, "fields": []},
    {"name": "Newsletter", "fields": [{"name": "email"}]},
]}


@pytest.fixture
def forms(empty_portal):
    empty_portal.seed(SEED)


def test_v3_reads_a_form_with_the_fields_of_its_properties(hubspot_client, forms):
    form = hubspot_client.marketing.forms.forms_api.get_by_id(CONTACT_US)
    assert (form.name, form.form_type, form.archived, form.display_options.submit_button_text) == (
        "Contact us", "hubspot", False, "Send")
    assert form.created_at.isoformat() == "2024-03-04T10:00:00+00:00"
    fields = [group.fields[0] for group in form.field_groups]
    assert [(f.name, f.field_type, f.label, f.required, f.hidden) for f in fields] == [
        ("email", "email", "Email", True, False),
        ("lifecyclestage", "radio", "Lifecycle Stage", False, True),
        ("firstname", "single_line_text", "Your first name", False, False)]
    assert "customer" in [option.value for option in fields[1].options]   # the property's options


def test_v3_pages_live_forms_and_archived_ones_apart(hubspot_client, portal_api, forms):
    api = hubspot_client.marketing.forms.forms_api
    first = api.get_page(limit=1)
    assert [f.name for f in first.results] == ["Contact us"]
    rest = api.get_page(limit=1, after=first.paging.next.after)
    assert [f.name for f in rest.results] == ["Newsletter"] and rest.paging is None
    assert [f.name for f in api.get_page(archived=True).results] == ["Old webinar"]
    assert portal_api.get("/marketing/v3/forms?formTypes=captured").json()["results"] == []
    assert len(portal_api.get("/marketing/v3/forms?formTypes=all").json()["results"]) == 2
    bad = portal_api.get("/marketing/v3/forms?formTypes=popup")
    assert bad.status_code == 400 and "popup" in bad.json()["message"]
    with pytest.raises(NotFoundException):
        api.get_by_id("0c1a9e52-3c8e-4f38-9a55-2b1d6f3e7a10")   # archived: only with archived=true
    assert api.get_by_id("0c1a9e52-3c8e-4f38-9a55-2b1d6f3e7a10", archived=True).archived_at is not None


def test_v2_lists_every_live_form_in_the_legacy_shape(empty_portal, portal_api, forms):
    listed = portal_api.get("/forms/v2/forms").json()
    assert [f["name"] for f in listed] == ["Contact us", "Newsletter"]
    form = portal_api.get(f"/forms/v2/forms/{CONTACT_US}").json()
    assert (form["guid"], form["portalId"], form["submitText"], form["createdAt"]) == (
        CONTACT_US, empty_portal.portal_id, "Send", 1709546400000)
    stage = form["formFieldGroups"][1]["fields"][0]
    assert (stage["name"], stage["type"], stage["fieldType"], stage["hidden"]) == (
        "lifecyclestage", "enumeration", "radio", True)
    missing = portal_api.get("/forms/v2/forms/00000000-0000-0000-0000-000000000000")
    assert (missing.status_code, missing.json()["message"]) == (
        404, "Form 00000000-0000-0000-0000-000000000000 does not exist.")


def test_forms_need_the_forms_scope_and_writes_are_not_modelled(empty_portal, portal_api, forms):
    empty_portal.add_token("pat-no-forms", ["crm.objects.contacts.read"])
    denied = portal_api.get("/forms/v2/forms", headers={"Authorization": "Bearer pat-no-forms"})
    assert denied.status_code == 403 and "forms" in denied.text
    created = portal_api.post("/marketing/v3/forms", json={"name": "x"})
    assert created.status_code == 404 and "does not model" in created.json()["message"]


@pytest.mark.parametrize("form, says", [
    ({"name": "F", "fields": [{"name": "shoe_size"}]}, 'shoe_size'),
    ({"name": "F", "id": "not-a-guid"}, r"forms\[1\]\.id: expected a form id"),
    ({"name": "F", "fields": [{"name": "email", "fieldType": "captcha"}]}, r"forms\[1\]\.fields\[0\]\.fieldType"),
    ({"fields": []}, r"forms\[1\]\.name"),
])
def test_a_wrong_form_in_a_seed_names_it_and_adds_nothing(empty_portal, portal_api, form, says):
    with pytest.raises(SeedError, match=says):
        empty_portal.seed({"forms": [{"name": "Fine", "fields": []}, form]})
    assert portal_api.get("/forms/v2/forms").json() == []


def test_the_default_seed_has_forms(empty_portal, portal_api):
    empty_portal.seed_default()
    assert {f["name"] for f in portal_api.get("/forms/v2/forms").json()} >= {"Contact us", "Demo request"}
