"""Lists v3 basics: a list by id or name, its memberships, records added and removed by hand."""
import pytest
from hubspot.crm.lists import MembershipChangeRequest
from hubspot.crm.lists.exceptions import NotFoundException

from hs_actions.core.errors import SeedError


SEED = {"records": {"contacts": [{"id": str(i), "properties": {"email": f"c{i}@example.com"}} for i in range(1, 6)],
                    "companies": [{"id": "50", "properties": {"name": "Acme"}}]},
        "lists": [{"id": 7, "name": "VIP", "members": ["3", "1"]},
                  {"id": 8, "name": "Big accounts", "objectType": "0-2", "processingType": "DYNAMIC", "members": ["50"]}]}


@pytest.fixture
def lists(empty_portal):
    empty_portal.seed(SEED)


def test_a_list_by_id_by_name_and_several(hubspot_client, portal_api, lists):
    vip = hubspot_client.crm.lists.lists_api.get_by_id("7").list
    assert (vip.list_id, vip.name, vip.object_type_id, vip.processing_type, vip.size) == ("7", "VIP", "0-1", "MANUAL", 2)
    assert hubspot_client.crm.lists.lists_api.get_by_name("Big accounts", "0-2").list.list_id == "8"
    assert [found["listId"] for found in portal_api.get("/crm/v3/lists?listIds=8&listIds=7&listIds=99").json()["lists"]] == ["8", "7"]
    with pytest.raises(NotFoundException):
        hubspot_client.crm.lists.lists_api.get_by_id("99")
    assert portal_api.get("/crm/v3/lists/99").json()["message"] == "List 99 does not exist."


def test_memberships_by_record_id_and_by_join_order_with_paging(hubspot_client, portal_api, lists):
    page = hubspot_client.crm.lists.memberships_api.get_page("7", limit=1)
    assert ([m.record_id for m in page.results], page.total) == (["1"], 2)
    rest = hubspot_client.crm.lists.memberships_api.get_page("7", limit=1, after=page.paging.next.after)
    assert [m.record_id for m in rest.results] == ["3"] and rest.paging is None
    hubspot_client.crm.lists.memberships_api.add("7", ["2"])
    joined = portal_api.get("/crm/v3/lists/7/memberships/join-order").json()["results"]
    assert [m["recordId"] for m in joined][-1] == "2"
    assert portal_api.get("/crm/v3/lists/7/memberships?limit=251").json()["message"] == (
        "limit must be between 1 and 250, but was 251.")


def test_add_and_remove_say_what_changed_and_what_is_missing(hubspot_client, empty_portal, lists):
    added = hubspot_client.crm.lists.memberships_api.add("7", ["2", "3", "99", "50"])
    assert (added.records_ids_added, added.record_ids_missing) == (["2"], ["99", "50"])
    removed = hubspot_client.crm.lists.memberships_api.remove("7", ["1", "4"])
    assert (removed.record_ids_removed, removed.record_ids_missing) == (["1"], [])
    both = hubspot_client.crm.lists.memberships_api.add_and_remove("7", MembershipChangeRequest(
        record_ids_to_add=["5"], record_ids_to_remove=["2"]))
    assert (both.records_ids_added, both.record_ids_removed) == (["5"], ["2"])
    vip = hubspot_client.crm.lists.lists_api.get_by_id("7").list
    assert (vip.size, vip.list_version) == (2, 4)


def test_a_dynamic_lists_members_cannot_be_changed_by_hand(portal_api, lists):
    response = portal_api.put("/crm/v3/lists/8/memberships/add", json=["50"])
    assert (response.status_code, response.json()["message"]) == (400, (
        "List 8 is a DYNAMIC list: its members follow its filters, so records cannot be added or removed by hand "
        "(only MANUAL and SNAPSHOT lists)."))


def test_the_lists_a_record_is_in(hubspot_client, lists):
    found = hubspot_client.crm.lists.memberships_api.get_lists("0-1", "3")
    assert [m.list_id for m in found.results] == ["7"]
    assert hubspot_client.crm.lists.memberships_api.get_lists("0-2", "50").results[0].list_id == "8"


def test_reading_needs_lists_read_and_changing_lists_write(portal_api, lists, empty_portal):
    empty_portal.add_token("lists-read", ["crm.lists.read"])
    headers = {"Authorization": "Bearer lists-read"}
    assert portal_api.get("/crm/v3/lists/7", headers=headers).status_code == 200
    response = portal_api.put("/crm/v3/lists/7/memberships/add", json=["2"], headers=headers)
    assert response.status_code == 403
    assert response.json()["errors"][0]["context"]["requiredGranularScopes"] == ["crm.lists.write"]


@pytest.mark.parametrize("lists, message", [
    ([{"name": "VIP", "members": ["42"]}], "Object not found.  objectId are usually numeric. (at lists[0].members[0])"),
    ([{"name": "VIP", "processingType": "STATIC"}], "processingType STATIC is not one of MANUAL, SNAPSHOT, DYNAMIC"),
    ([{"name": "VIP"}, {"name": "VIP"}], "a list named VIP for contacts already exists"),
    ([{"id": 3, "name": "VIP"}, {"id": 3, "name": "Other"}], "a list with id 3 already exists"),
])
def test_seed_lists_are_checked(empty_portal, lists, message):
    with pytest.raises(SeedError) as raised:
        empty_portal.seed({"lists": lists})
    assert message in str(raised.value)
