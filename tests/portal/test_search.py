"""POST /crm/v3/objects/{type}/search: every operator, groups, query, sorts, paging, limits."""
import json

import pytest
from hubspot.crm.contacts import ApiException, PublicObjectSearchRequest


PEOPLE = [
    # email, firstname, lifecyclestage, annualrevenue, createdate, company
    ("ada@acme.example", "Ada", "lead", "100", "2024-01-10T00:00:00Z", "Acme Labs"),
    ("grace@navy.example", "Grace", "customer", "2500", "2024-03-01T00:00:00Z", "US Navy"),
    ("linus@kernel.example", "Linus", "customer", "900", "2024-06-15T12:00:00Z", "Kernel Org"),
    ("barbara@mit.example", "Barbara", "opportunity", None, "2025-01-01T00:00:00Z", "MIT"),
    ("ken@bell.example", None, "lead", "40", "2025-02-02T00:00:00Z", "Bell Labs"),
]


@pytest.fixture
def people(empty_portal):
    ids = {}
    for email, first, stage, revenue, created, company in PEOPLE:
        values = {"email": email, "firstname": first, "lifecyclestage": stage, "annualrevenue": revenue,
                  "createdate": created, "company": company}
        record = empty_portal.backend.create("contacts", {k: v for k, v in values.items() if v is not None})
        ids[email.split("@")[0]] = str(record.id)
    return ids


def search(hubspot_client, *groups, **options):
    request = PublicObjectSearchRequest(filter_groups=[{"filters": list(g)} for g in groups],
                                        properties=options.pop("properties", ["email"]), **options)
    return hubspot_client.crm.contacts.search_api.do_search(request)


def names(result):
    return sorted(r.properties["email"].split("@")[0] for r in result.results)


def f(name, operator, value=None, **more):
    spec = {"propertyName": name, "operator": operator, **more}
    if value is not None:
        spec["value"] = value
    return spec


@pytest.mark.parametrize("flt, expected", [
    (f("lifecyclestage", "EQ", "customer"), ["grace", "linus"]),
    (f("email", "EQ", "ADA@ACME.EXAMPLE"), ["ada"]),                     # strings: case-insensitive
    (f("lifecyclestage", "NEQ", "lead"), ["barbara", "grace", "linus"]),
    (f("annualrevenue", "LT", "900"), ["ada", "ken"]),                    # numbers compare as numbers
    (f("annualrevenue", "LTE", "900"), ["ada", "ken", "linus"]),
    (f("annualrevenue", "GT", "900"), ["grace"]),
    (f("annualrevenue", "GTE", "900"), ["grace", "linus"]),
    (f("annualrevenue", "BETWEEN", "40", highValue="100"), ["ada", "ken"]),
    (f("createdate", "GTE", "2025-01-01T00:00:00Z"), ["barbara", "ken"]),  # datetimes as ISO...
    (f("createdate", "LT", "1704931200000"), ["ada"]),                      # ...or epoch ms
    (f("lifecyclestage", "IN", values=["opportunity", "customer"]), ["barbara", "grace", "linus"]),
    (f("lifecyclestage", "NOT_IN", values=["lead", "customer"]), ["barbara"]),
    (f("annualrevenue", "HAS_PROPERTY"), ["ada", "grace", "ken", "linus"]),
    (f("firstname", "NOT_HAS_PROPERTY"), ["ken"]),
    (f("company", "CONTAINS_TOKEN", "labs"), ["ada", "ken"]),
    (f("email", "CONTAINS_TOKEN", "*@navy.example"), ["grace"]),
    (f("company", "NOT_CONTAINS_TOKEN", "labs"), ["barbara", "grace", "linus"]),
])
def test_each_operator(hubspot_client, people, flt, expected):
    result = search(hubspot_client, [flt])
    assert names(result) == expected
    assert result.total == len(expected)


def test_filters_in_a_group_are_anded_and_groups_are_ored(hubspot_client, people):
    result = search(hubspot_client,
                    [f("lifecyclestage", "EQ", "customer"), f("annualrevenue", "GT", "1000")],
                    [f("firstname", "EQ", "ada")])
    assert names(result) == ["ada", "grace"]


def test_query_searches_the_default_text_properties(hubspot_client, people):
    assert names(search(hubspot_client, query="gra")) == ["grace"]
    assert names(search(hubspot_client, query="bell")) == ["ken"]


def test_sorts_by_a_property_either_way_records_without_it_last(hubspot_client, people):
    ascending = search(hubspot_client, sorts=[{"propertyName": "annualrevenue", "direction": "ASCENDING"}])
    assert [r.properties["email"][:3] for r in ascending.results] == ["ken", "ada", "lin", "gra", "bar"]
    descending = search(hubspot_client, sorts=["-annualrevenue"])
    assert [r.properties["email"][:3] for r in descending.results] == ["gra", "lin", "ada", "ken", "bar"]


def test_properties_choose_what_comes_back(hubspot_client, people):
    result = search(hubspot_client, [f("email", "EQ", "ada@acme.example")], properties=["firstname", "annualrevenue"])
    found = result.results[0].properties
    assert set(found) == {"annualrevenue", "createdate", "firstname", "hs_object_id", "lastmodifieddate"}
    assert (found["firstname"], found["annualrevenue"]) == ("Ada", "100")
    default = search(hubspot_client, [f("email", "EQ", "ada@acme.example")], properties=None)
    assert set(default.results[0].properties) == {"createdate", "email", "firstname", "hs_object_id",
                                                  "lastmodifieddate", "lastname"}


def test_paging_with_limit_and_after_and_total(hubspot_client, people):
    first = search(hubspot_client, limit=2)
    assert first.total == 5 and len(first.results) == 2 and first.paging.next.after == "2"
    rest = search(hubspot_client, limit=2, after=first.paging.next.after)
    last = search(hubspot_client, limit=2, after=rest.paging.next.after)
    assert len(last.results) == 1 and last.paging is None
    seen = [r.id for r in first.results + rest.results + last.results]
    assert sorted(seen, key=int) == sorted(people.values(), key=int)


def test_archived_records_are_not_found(hubspot_client, empty_portal, people):
    empty_portal.backend.archive("contacts", people["ada"])
    assert names(search(hubspot_client, [f("lifecyclestage", "EQ", "lead")])) == ["ken"]


def test_limit_over_200_is_hubspots_400(hubspot_client, people):
    with pytest.raises(ApiException) as raised:
        search(hubspot_client, limit=201)
    body = json.loads(raised.value.body)
    assert raised.value.status == 400
    assert body["category"] == "VALIDATION_ERROR"
    assert body["message"] == "limit must be between 0 and 200, but was 201."


def test_paging_past_10000_results_is_refused(portal_api, people):
    response = portal_api.post("/crm/v3/objects/contacts/search", json={"after": "9950", "limit": 100})
    assert response.status_code == 400
    assert response.json()["message"] == "Paging past 10000 results is not supported: after + limit = 10050."


@pytest.mark.parametrize("body, message", [
    ({"filterGroups": [{"filters": [{"propertyName": "email", "operator": "LIKE", "value": "x"}]}]},
     "Unknown filter operator LIKE; use one of EQ, NEQ, LT, LTE, GT, GTE, BETWEEN, IN, NOT_IN, HAS_PROPERTY, "
     "NOT_HAS_PROPERTY, CONTAINS_TOKEN, NOT_CONTAINS_TOKEN"),
    ({"filterGroups": [{"filters": [{"propertyName": "shoe_size", "operator": "EQ", "value": "9"}]}]},
     "There was a problem with the request: property shoe_size does not exist for contacts"),
    ({"filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ"}]}]},
     "Filter on email with operator EQ needs value"),
    ({"filterGroups": [{"filters": [{"propertyName": "annualrevenue", "operator": "BETWEEN", "value": "1"}]}]},
     "Filter on annualrevenue with operator BETWEEN needs highValue"),
    ({"filterGroups": [{"filters": []}] * 6}, "Invalid input JSON: filterGroups must be a list of at most 5 groups"),
    ({"limit": "ten"}, "Invalid input JSON: limit must be an integer, not 'ten'"),
])
def test_bad_searches_are_400s_naming_the_problem(portal_api, people, body, message):
    response = portal_api.post("/crm/v3/objects/contacts/search", json=body)
    assert response.status_code == 400
    assert response.json()["message"] == message
    assert response.json()["category"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("after, message", [
    ("-5", "after must be the paging.next.after of an earlier page, a number of 0 or more, but was -5."),
    (-3, "after must be the paging.next.after of an earlier page, a number of 0 or more, but was -3."),
    ("abc", 'Invalid input JSON: unable to deserialize field "after". Invalid value: abc'),
    ("2.5", 'Invalid input JSON: unable to deserialize field "after". Invalid value: 2.5'),
    (True, 'Invalid input JSON: unable to deserialize field "after". Invalid value: true'),
])
def test_a_negative_or_non_numeric_after_is_a_400_not_a_python_index(portal_api, people, after, message):
    # "-5" used to slice from the end: the last records, and a next page at "-3"
    response = portal_api.post("/crm/v3/objects/contacts/search", json={"after": after, "limit": 2})
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
    assert response.json()["message"] == message


def test_after_as_a_json_number_or_string_pages_the_same(portal_api, people):
    as_string = portal_api.post("/crm/v3/objects/contacts/search", json={"after": "2", "limit": 2}).json()
    as_number = portal_api.post("/crm/v3/objects/contacts/search", json={"after": 2, "limit": 2}).json()
    assert [r["id"] for r in as_string["results"]] == [r["id"] for r in as_number["results"]]
    assert as_string["paging"]["next"]["after"] == "4"


def test_more_than_one_sort_is_a_400_as_hubspot_applies_one_sorting_rule(portal_api, people):
    response = portal_api.post("/crm/v3/objects/contacts/search", json={"sorts": [
        {"propertyName": "lifecyclestage", "direction": "ASCENDING"}, "-annualrevenue"]})
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
    assert response.json()["message"] == (
        "Only one sort is supported per search (HubSpot applies one sorting rule per search), but 2 were "
        "given: lifecyclestage, -annualrevenue.")
    assert response.json()["context"] == {"sorts": ["lifecyclestage", "-annualrevenue"]}


def test_a_sort_sent_as_json_text_is_read_as_the_object(hubspot_client, people):
    """HubSpot's Node README built sorts with JSON.stringify({propertyName, direction}), the
    client typing a sort as a string; HubSpot reads that text as the sort it encodes."""
    sort = json.dumps({"propertyName": "annualrevenue", "direction": "DESCENDING"})
    assert [r.properties["email"][:3] for r in search(hubspot_client, sorts=[sort]).results] == [
        "gra", "lin", "ada", "ken", "bar"]


@pytest.mark.parametrize("sort", ["desc", "{not json", "nosuchproperty"])
def test_a_string_sort_hubspot_cannot_read_is_ignored(hubspot_client, people, sort):
    """A real action sent sorts: ["desc"]; the Ruby client's unreadable sort strings came back
    unsorted rather than refused (hubspot-api-ruby#257): results keep their default order."""
    assert names(search(hubspot_client, sorts=[sort])) == names(search(hubspot_client))
