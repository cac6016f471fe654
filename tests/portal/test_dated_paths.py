"""The date-versioned paths of HubSpot's current reference reach the same handlers as v3/v4."""
import pytest


SEED = {"owners": [{"id": "101", "email": "o@example.com"}],
        "records": {"contacts": [{"id": "1", "properties": {"email": "ada@example.com"}}],
                    "companies": [{"id": "10", "properties": {"name": "Acme"}}]},
        "associations": [{"from": "contacts/1", "to": "companies/10"}],
        "hubdb": [{"id": 5, "name": "territories", "columns": [{"name": "state", "type": "TEXT"}],
                   "rows": [{"values": {"state": "CA"}}]}],
        "lists": [{"id": 7, "name": "VIP", "members": ["1"]}]}


@pytest.fixture
def seeded(empty_portal):
    empty_portal.seed(SEED)


@pytest.mark.parametrize("version", ["2025-09", "2026-03", "2026-09", "2026-09-beta"])
def test_objects_on_a_dated_path(portal_api, seeded, empty_portal, version):
    created = portal_api.post(f"/crm/objects/{version}/contacts", json={"properties": {"email": "new@example.com"}})
    assert created.status_code == 201
    got = portal_api.get(f"/crm/objects/{version}/contacts/{created.json()['id']}?properties=email").json()
    assert got["properties"]["email"] == "new@example.com"
    found = portal_api.post(f"/crm/objects/{version}/contacts/search", json={"query": "ada"}).json()
    assert [r["id"] for r in found["results"]] == ["1"]
    logged = empty_portal.requests()[-1]
    assert (logged["path"], logged["scopes"]) == (f"/crm/objects/{version}/contacts/search", ["crm.objects.contacts.read"])


@pytest.mark.parametrize("path, key, expected", [
    ("/crm/objects/2026-03/contacts/1/associations/companies", "results", [{"toObjectId": 10, "associationTypes": [
        {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None}]}]),   # v4's answer, as the dated reference
    ("/crm/associations/2026-03/contacts/companies/labels", None, None),
    ("/crm/associations/v4/contacts/companies/labels", None, None),
    ("/crm/properties/2026-03/contacts/email", "name", "email"),
    ("/crm/owners/2026-03", "results", None),
    ("/crm/owners/2026-03/101", "email", "o@example.com"),
    ("/crm/pipelines/2026-03/deals/default", "id", "default"),
    ("/crm/lists/2026-03/7", "list", None),
    ("/cms/hubdb/2026-03/tables/territories/rows", "total", 1),
])
def test_the_other_families_on_dated_paths(portal_api, seeded, path, key, expected):
    response = portal_api.get(path)
    assert response.status_code == 200, response.text
    if expected is not None:
        assert response.json()[key] == expected


def test_writes_on_dated_paths(portal_api, seeded, empty_portal):
    assert portal_api.put("/crm/objects/2026-03/contacts/1/associations/default/companies/10").status_code == 200
    assert portal_api.put("/crm/lists/2026-03/7/memberships/remove", json=["1"]).json()["recordIdsRemoved"] == ["1"]
    done = portal_api.post("/automation/actions/callbacks/2026-03/complete",
                    json={"inputs": [{"callbackId": "ap-1", "outputFields": {"a": "1"}}]})
    assert done.status_code == 204
    assert [c["callbackId"] for c in empty_portal.callbacks()] == ["ap-1"]


def test_a_dated_path_to_nothing_is_hubspots_404(portal_api, seeded):
    response = portal_api.get("/crm/objects/2026-03/contacts/1/nope")
    assert response.status_code == 404
    assert response.json()["message"].startswith("Unrecognized request URL (GET /crm/objects/2026-03/contacts/1/nope).")


def test_schemas_are_served_under_crm_object_schemas_too(portal_api, empty_portal):
    """Client 12's crm.schemas.core_api calls /crm-object-schemas/v3/schemas."""
    empty_portal.seed({"schemas": [{"name": "pets", "objectTypeId": "2-1"}]})
    listed = portal_api.get("/crm-object-schemas/v3/schemas")
    assert [s["name"] for s in listed.json()["results"]] == ["pets"]
    assert portal_api.get("/crm-object-schemas/v3/schemas/pets").json()["objectTypeId"] == "2-1"


def test_schemas_through_client_12(hubspot_client, empty_portal):
    empty_portal.seed({"schemas": [{"name": "pets", "objectTypeId": "2-1"}]})
    assert [s.name for s in hubspot_client.crm.schemas.core_api.get_all().results] == ["pets"]


def test_a_literal_flow_path_is_not_read_as_a_flow_id(portal_api):
    response = portal_api.get("/automation/v4/flows/email-campaigns")
    assert response.status_code == 404
    assert response.json()["subCategory"] == "hs_actions.NOT_MODELLED"
    assert "HubSpot's workflows API (email campaigns of flows)" in response.json()["message"]


REQUIRED = {"requiredProperties": {"contacts": ["email", "firstname"]}}


@pytest.mark.parametrize("version", ["2026-09", "2027-03"])
def test_from_2026_09_writes_enforce_the_accounts_required_properties(portal_api, empty_portal, version):
    """HubSpot's changelog (2026-08-11): from the 2026-09 version, CRM create and update enforce
    the account's required-property rules; a seed sets them."""
    empty_portal.seed(REQUIRED)
    base = f"/crm/objects/{version}/contacts"
    refused = portal_api.post(base, json={"properties": {"email": "ada@example.com"}})
    assert (refused.status_code, refused.json()["message"], refused.json()["context"]) == (
        400, "Error creating CONTACT. Some required properties were not set.", {"properties": ["firstname"]})
    created = portal_api.post(base, json={"properties": {"email": "ada@example.com", "firstname": "Ada"}})
    assert created.status_code == 201
    cleared = portal_api.patch(f"{base}/{created.json()['id']}", json={"properties": {"firstname": ""}})
    assert (cleared.status_code, cleared.json()["message"]) == (
        400, "Error updating CONTACT. Some required properties were cleared.")
    batch = portal_api.post(f"{base}/batch/create", json={"inputs": [{"properties": {"email": "b@example.com"}}]})
    assert batch.status_code == 400
    assert portal_api.patch(f"{base}/{created.json()['id']}", json={"properties": {"lastname": "L"}}).status_code == 200


def test_from_2026_09_batch_upsert_checks_them_as_a_create_or_an_update(portal_api, empty_portal):
    """An upsert that creates needs every required property (its idProperty's value counts);
    one that updates may not clear one; either refusal writes nothing of the batch."""
    empty_portal.seed({**REQUIRED, "records": {"contacts": [
        {"id": "1", "properties": {"email": "ada@example.com", "firstname": "Ada"}}]}})
    upsert = "/crm/objects/2026-09/contacts/batch/upsert"
    new_one = {"id": "b@example.com", "idProperty": "email", "properties": {"lastname": "B"}}
    refused = portal_api.post(upsert, json={"inputs": [new_one]})
    assert (refused.status_code, refused.json()["message"], refused.json()["context"]) == (
        400, "Error creating CONTACT. Some required properties were not set.", {"properties": ["firstname"]})
    clearing = {"id": "ada@example.com", "idProperty": "email", "properties": {"firstname": ""}}
    complete = {**new_one, "properties": {"firstname": "Bea"}}
    cleared = portal_api.post(upsert, json={"inputs": [complete, clearing]})
    assert (cleared.status_code, cleared.json()["message"]) == (
        400, "Error updating CONTACT. Some required properties were cleared.")
    assert empty_portal.backend.counts()["contacts"] == 1   # the first input of that batch was not kept
    done = portal_api.post(upsert, json={"inputs": [complete, {**clearing, "properties": {"lastname": "L"}}]})
    assert done.status_code == 200 and sorted(r["new"] for r in done.json()["results"]) == [False, True]


@pytest.mark.parametrize("prefix", ["/crm/v3/objects", "/crm/objects/2026-03"])
def test_earlier_versions_do_not(portal_api, empty_portal, prefix):
    empty_portal.seed(REQUIRED)
    assert portal_api.post(f"{prefix}/contacts", json={"properties": {"lastname": "L"}}).status_code == 201
    upserted = portal_api.post(f"{prefix}/contacts/batch/upsert", json={"inputs": [
        {"id": "u@example.com", "idProperty": "email", "properties": {"lastname": "U"}}]})
    assert upserted.status_code == 200


def test_a_required_property_the_type_lacks_is_refused_in_the_seed(empty_portal):
    from hs_actions.core.errors import SeedError
    with pytest.raises(SeedError) as raised:
        empty_portal.seed({"requiredProperties": {"contacts": ["shoe_size"]}})
    assert str(raised.value).startswith("not seeded, nothing was added: Unable to find property shoe_size for object "
                                        "type contacts (at requiredProperties.contacts)")
