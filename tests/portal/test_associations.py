"""Associations v4: list, default and labelled create, delete, batch; both directions."""
import json

import pytest
from hubspot.crm.associations.v4 import (AssociationSpec, BatchInputPublicAssociationMultiArchive,
                                         BatchInputPublicAssociationMultiPost,
                                         BatchInputPublicDefaultAssociationMultiPost,
                                         BatchInputPublicFetchAssociationsBatchRequest)
from hubspot.crm.associations.v4.exceptions import ApiException

from tests.support import contact


@pytest.fixture
def pair(empty_portal):
    company = empty_portal.backend.create("companies", {"name": "Acme"})
    return contact(empty_portal, "a@acme.example"), str(company.id)


def types_between(hubspot_client, from_type, from_id, to_type):
    page = hubspot_client.crm.associations.v4.basic_api.get_page(from_type, from_id, to_type)
    return {r.to_object_id: sorted((t.type_id, t.label) for t in r.association_types) for r in page.results}


def test_default_association_links_both_directions(hubspot_client, pair):
    contact_id, company_id = pair
    result = hubspot_client.crm.associations.v4.basic_api.create_default("contacts", contact_id, "companies", company_id)
    assert result.status == "COMPLETE"
    assert {(r._from.id, r.to.id, r.association_spec.association_type_id) for r in result.results} == {
        (contact_id, company_id, 279), (company_id, contact_id, 280)}
    assert types_between(hubspot_client, "contacts", contact_id, "companies") == {company_id: [(279, None)]}
    assert types_between(hubspot_client, "companies", company_id, "contacts") == {contact_id: [(280, None)]}


def test_labelled_association_answers_201_with_the_labels(hubspot_client, pair, empty_portal):
    contact_id, company_id = pair
    labels = hubspot_client.crm.associations.v4.basic_api.create("contacts", contact_id, "companies", company_id, [
        AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=1),
        AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=279)])
    assert labels.labels == ["Primary"]
    assert labels.from_object_type_id == "0-1" and labels.to_object_type_id == "0-2"
    assert empty_portal.requests()[-1]["status"] == 201
    assert types_between(hubspot_client, "companies", company_id, "contacts") == {contact_id: [(2, "Primary"), (280, None)]}


def test_a_type_that_does_not_fit_the_pair_is_a_400(portal_api, pair):
    contact_id, company_id = pair
    response = portal_api.put(f"/crm/v4/objects/contacts/{contact_id}/associations/companies/{company_id}",
                       json=[{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}])
    assert response.status_code == 400
    assert response.json()["message"] == "Association type 3 (HUBSPOT_DEFINED) is not valid between contacts and companies"


def test_delete_removes_every_type_both_ways(hubspot_client, pair, portal_api):
    contact_id, company_id = pair
    hubspot_client.crm.associations.v4.basic_api.create_default("contacts", contact_id, "companies", company_id)
    hubspot_client.crm.associations.v4.basic_api.archive("companies", company_id, "contacts", contact_id)
    assert types_between(hubspot_client, "contacts", contact_id, "companies") == {}
    assert portal_api.get(f"/crm/v4/objects/contacts/{contact_id}/associations/companies").json() == {"results": []}


def test_associating_a_missing_record_is_a_404(hubspot_client, pair):
    contact_id, _ = pair
    with pytest.raises(ApiException) as raised:
        hubspot_client.crm.associations.v4.basic_api.create_default("contacts", contact_id, "companies", "424242")
    assert raised.value.status == 404
    assert json.loads(raised.value.body)["category"] == "OBJECT_NOT_FOUND"


def test_v3_get_with_associations_names_the_types(hubspot_client, pair):
    contact_id, company_id = pair
    hubspot_client.crm.associations.v4.basic_api.create("contacts", contact_id, "companies", company_id, [
        AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=1)])
    got = hubspot_client.crm.contacts.basic_api.get_by_id(contact_id, associations=["companies", "deals"])
    assert [(a.id, a.type) for a in got.associations["companies"].results] == [(company_id, "contact_to_company")]
    assert "deals" not in got.associations


def test_batch_create_read_and_archive(hubspot_client, empty_portal):
    company = str(empty_portal.backend.create("companies", {"name": "Globex"}).id)
    people = [contact(empty_portal, f"p{i}@globex.example") for i in range(3)]
    batch = hubspot_client.crm.associations.v4.batch_api
    created = batch.create("contacts", "companies", BatchInputPublicAssociationMultiPost(inputs=[
        {"from": {"id": p}, "to": {"id": company},
         "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}]} for p in people]))
    assert len(created.results) == 3
    read = batch.get_page("companies", "contacts", BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": company}]))
    assert sorted(t.to_object_id for t in read.results[0].to) == sorted(people)
    batch.archive("contacts", "companies", BatchInputPublicAssociationMultiArchive(inputs=[
        {"from": {"id": people[0]}, "to": [{"id": company}]}]))
    read = batch.get_page("companies", "contacts", BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": company}]))
    assert sorted(t.to_object_id for t in read.results[0].to) == sorted(people[1:])


def test_batch_read_reports_records_without_associations_in_a_207(hubspot_client, empty_portal):
    lonely = contact(empty_portal, "lonely@example.com")
    result = hubspot_client.crm.associations.v4.batch_api.get_page(
        "contacts", "companies", BatchInputPublicFetchAssociationsBatchRequest(inputs=[{"id": lonely}]))
    assert result.num_errors == 1
    assert result.errors[0].message == f"No company is associated with contact {lonely}."
    assert result.errors[0].sub_category == "crm.associations.NO_ASSOCIATIONS_FOUND"


def test_batch_default_associations(hubspot_client, empty_portal):
    deal = str(empty_portal.backend.create("deals", {"dealname": "Pilot"}).id)
    person = contact(empty_portal, "buyer@example.com")
    result = hubspot_client.crm.associations.v4.batch_api.create_default("deals", "contacts",
        BatchInputPublicDefaultAssociationMultiPost(inputs=[{"from": {"id": deal}, "to": {"id": person}}]))
    assert {r.association_spec.association_type_id for r in result.results} == {3, 4}
    assert types_between(hubspot_client, "contacts", person, "deals") == {deal: [(4, None)]}


def test_v4_needs_the_scopes_of_both_object_types(portal_api, pair, empty_portal):
    contact_id, _ = pair
    empty_portal.add_token("pat-na1-contacts", ["crm.objects.contacts.read"])
    response = portal_api.get(f"/crm/v4/objects/contacts/{contact_id}/associations/companies",
                       headers={"Authorization": "Bearer pat-na1-contacts"})
    assert response.status_code == 403
    assert response.json()["errors"][0]["context"] == {"requiredGranularScopes": ["crm.objects.companies.read"]}


def test_the_default_seed_has_associations(hubspot_client, empty_portal):
    empty_portal.seed_default()
    company_ids = types_between(hubspot_client, "contacts", "1", "companies")
    assert len(company_ids) == 1
    assert list(company_ids.values())[0] == [(1, "Primary"), (279, None)]


def test_labels_list_the_types_between_two_object_types(hubspot_client, empty_portal):
    labels = hubspot_client.crm.associations.v4.schema.definitions_api.get_all("deals", "companies").results
    assert [(t.category, t.type_id, t.label) for t in labels] == [("HUBSPOT_DEFINED", 5, "Primary"),
                                                                   ("HUBSPOT_DEFINED", 341, None)]


@pytest.mark.parametrize("after", ["-1", "abc"])
def test_v4_list_after_must_be_a_cursor_of_an_earlier_page(portal_api, pair, after):
    contact_id, company_id = pair
    portal_api.put(f"/crm/v4/objects/contacts/{contact_id}/associations/default/companies/{company_id}")
    response = portal_api.get(f"/crm/v4/objects/contacts/{contact_id}/associations/companies", params={"after": after})
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
