"""GDPR delete: the contact is gone for good, by id or by email; an unknown email is blocklisted."""
import pytest
from hubspot.crm.contacts import PublicGdprDeleteInput
from hubspot.crm.contacts.exceptions import NotFoundException


SEED = {"records": {"contacts": [{"id": "1", "properties": {"email": "ada@example.com"}},
                                 {"id": "2", "properties": {"email": "bob@example.com"}}],
                    "companies": [{"id": "10", "properties": {"name": "Acme"}}]},
        "associations": [{"from": "contacts/1", "to": "companies/10"}],
        "lists": [{"id": 5, "name": "Everyone", "members": ["1", "2"]}]}


def test_gdpr_delete_by_id_removes_the_contact_everywhere(hubspot_client, portal_api, empty_portal):
    empty_portal.seed(SEED)
    hubspot_client.crm.contacts.basic_api.purge(PublicGdprDeleteInput(object_id="1"))
    assert empty_portal.requests()[-1]["status"] == 204
    assert portal_api.get("/crm/v3/objects/contacts/1").status_code == 404
    assert portal_api.get("/crm/v3/objects/contacts?archived=true").json()["results"] == []   # not in the recycle bin
    assert portal_api.get("/crm/v4/objects/companies/10/associations/contacts").json()["results"] == []
    assert [m["recordId"] for m in portal_api.get("/crm/v3/lists/5/memberships").json()["results"]] == ["2"]
    assert empty_portal.backend.gdpr_blocklist() == []


def test_gdpr_delete_by_email_and_of_an_archived_contact(hubspot_client, portal_api, empty_portal):
    empty_portal.seed(SEED)
    hubspot_client.crm.contacts.basic_api.purge(PublicGdprDeleteInput(object_id="ada@example.com", id_property="email"))
    assert empty_portal.record("contacts", 1) is None
    portal_api.delete("/crm/v3/objects/contacts/2")
    assert portal_api.post("/crm/v3/objects/contacts/gdpr-delete", json={"objectId": "2"}).status_code == 204
    assert portal_api.get("/crm/v3/objects/contacts?archived=true").json()["results"] == []


def test_an_email_no_contact_has_is_blocklisted(hubspot_client, empty_portal):
    empty_portal.seed(SEED)
    hubspot_client.crm.contacts.basic_api.purge(PublicGdprDeleteInput(object_id="Gone@Example.com", id_property="email"))
    assert empty_portal.requests()[-1]["status"] == 204
    assert empty_portal.backend.gdpr_blocklist() == ["gone@example.com"]
    assert empty_portal.record("contacts", 1) is not None


def test_an_unknown_id_is_a_404(hubspot_client, empty_portal):
    empty_portal.seed(SEED)
    with pytest.raises(NotFoundException):
        hubspot_client.crm.contacts.basic_api.purge(PublicGdprDeleteInput(object_id="99"))


def test_gdpr_delete_of_other_types_is_named_as_not_modelled(portal_api, empty_portal):
    empty_portal.seed(SEED)
    response = portal_api.post("/crm/v3/objects/companies/gdpr-delete", json={"objectId": "10"})
    assert response.status_code == 404
    assert response.json()["subCategory"] == "hs_actions.NOT_MODELLED"
    assert response.json()["message"].startswith(
        "The local portal does not model POST /crm/v3/objects/companies/gdpr-delete (GDPR delete of companies; "
        "the local portal models it for contacts only)")
    assert empty_portal.requests()[-1]["unmodelled"] is True
    assert empty_portal.record("companies", 10) is not None


def test_gdpr_delete_needs_an_object_id_and_the_contacts_write_scope(portal_api, empty_portal):
    empty_portal.seed(SEED)
    response = portal_api.post("/crm/v3/objects/contacts/gdpr-delete", json={"idProperty": "email"})
    assert (response.status_code, response.json()["message"]) == (400, "Invalid input JSON: objectId is required")
    response = portal_api.post("/crm/v3/objects/contacts/gdpr-delete", json={"objectId": " ", "idProperty": "email"})
    assert (response.status_code, response.json()["message"]) == (400, "Invalid input JSON: objectId is required")
    assert empty_portal.backend.gdpr_blocklist() == []   # a blank email is no address to block
    empty_portal.add_token("read-only", ["crm.objects.contacts.read"])
    response = portal_api.post("/crm/v3/objects/contacts/gdpr-delete", json={"objectId": "1"},
                        headers={"Authorization": "Bearer read-only"})
    assert response.status_code == 403
    assert response.json()["errors"][0]["context"]["requiredGranularScopes"] == ["crm.objects.contacts.write"]
