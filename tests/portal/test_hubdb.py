"""HubDB v3 read: tables and rows by id or name, published and draft, HubSpot's filters, sorts, paging."""
import pytest

from hs_actions.core.errors import SeedError


T = "/cms/v3/hubdb/tables/territories"
TERRITORIES = {
    "id": 100, "name": "territories", "label": "Territories",
    "columns": [{"name": "state", "type": "TEXT"}, {"name": "region", "type": "SELECT", "options": ["West", "East"]},
                {"name": "quota", "type": "NUMBER"}, {"name": "since", "type": "DATE"},
                {"name": "tags", "type": "MULTISELECT", "options": ["smb", "mid", "ent"]},
                {"name": "active", "type": "BOOLEAN"}, {"name": "owner_id", "type": "TEXT"}],
    "rows": [
        {"id": 1, "path": "ca", "name": "California",
         "values": {"state": "CA", "region": "West", "quota": 500, "since": "2024-01-01", "tags": ["smb", "ent"],
                    "active": True, "owner_id": "101"}},
        {"id": 2, "values": {"state": "NY", "region": "East", "quota": 300, "since": "2023-06-01", "tags": ["mid"],
                             "active": True, "owner_id": "102"}},
        {"id": 3, "values": {"state": "WA", "region": "West", "quota": 200, "tags": [], "active": False}},
        {"id": 4, "values": {"state": "Texas", "region": "East", "quota": 400, "since": "2024-06-01",
                             "active": True, "owner_id": "103"}},
    ],
    "draftRows": [{"id": 1, "values": {"state": "CA", "region": "West", "quota": 900}}],
}
DRAFT_ONLY = {"id": 200, "name": "plans", "published": False, "columns": [{"name": "plan", "type": "TEXT"}],
              "rows": [{"values": {"plan": "gold"}}]}


@pytest.fixture
def tables(empty_portal):
    empty_portal.seed({"hubdb": [TERRITORIES, DRAFT_ONLY]})


def states(portal_api, query="", path=T + "/rows"):
    response = portal_api.get(path + query)
    assert response.status_code == 200, response.text
    return [row["values"].get("state") for row in response.json()["results"]]


def test_a_table_by_id_or_name(hubspot_client, tables):
    by_name = hubspot_client.cms.hubdb.tables_api.get_table_details("territories")
    by_id = hubspot_client.cms.hubdb.tables_api.get_table_details("100")
    assert by_name.to_dict() == by_id.to_dict()
    assert (by_name.id, by_name.label, by_name.published, by_name.row_count, by_name.column_count) == (
        "100", "Territories", True, 4, 7)
    region = next(c for c in by_name.columns if c.name == "region")
    assert (region.type, [o.name for o in region.options]) == ("SELECT", ["West", "East"])


def test_published_and_draft_tables(hubspot_client, portal_api, tables):
    assert [t.name for t in hubspot_client.cms.hubdb.tables_api.get_all_tables().results] == ["territories"]
    assert [t.name for t in hubspot_client.cms.hubdb.tables_api.get_all_draft_tables().results] == ["territories", "plans"]
    assert hubspot_client.cms.hubdb.tables_api.get_draft_table_details_by_id("territories").row_count == 1
    response = portal_api.get("/cms/v3/hubdb/tables/plans")
    assert (response.status_code, response.json()["message"]) == (
        404, "Table plans has no published version: read its draft (.../draft) or publish it.")
    assert states(portal_api, path="/cms/v3/hubdb/tables/plans/rows/draft") == [None]
    response = portal_api.get("/cms/v3/hubdb/tables/nope/rows")
    assert (response.status_code, response.json()["message"]) == (
        404, "Table nope not found: no HubDB table has this id or name.")


def test_rows_in_the_tables_order_with_hubspots_wire_values(hubspot_client, portal_api, tables):
    rows = hubspot_client.cms.hubdb.rows_api.get_table_rows("territories")
    assert rows.total == 4 and rows.type == "STREAMING"
    first = rows.results[0]
    assert (first.id, first.path, first.name) == ("1", "ca", "California")
    assert first.values["region"] == {"id": "1", "name": "West", "label": "West", "type": "option", "order": 0}
    assert first.values["since"] == 1704067200000
    assert first.values["quota"] == 500 and first.values["active"] is True
    assert [t["name"] for t in first.values["tags"]] == ["smb", "ent"]
    assert states(portal_api, path=T + "/rows/draft") == ["CA"]
    assert portal_api.get(T + "/rows/draft").json()["results"][0]["values"]["quota"] == 900


@pytest.mark.parametrize("query, expected", [
    ("?state=CA", ["CA"]),
    ("?state__eq=NY", ["NY"]),
    ("?state__ne=CA", ["NY", "WA", "Texas"]),
    ("?region=West", ["CA", "WA"]),
    ("?region__eq=2", ["NY", "Texas"]),             # an option by id
    ("?region__contains=East", ["NY", "Texas"]),
    ("?state__contains=e", ["Texas"]),
    ("?state__icontains=TEX", ["Texas"]),
    ("?state__startswith=W", ["WA"]),
    ("?state__like=T%25s", ["Texas"]),
    ("?state__not_like=%25A", ["NY", "Texas"]),
    ("?quota__gt=300", ["CA", "Texas"]),
    ("?quota__gte=300&quota__lt=500", ["NY", "Texas"]),
    ("?quota__lte=200", ["WA"]),
    ("?since__lt=2024-01-01", ["NY"]),
    ("?since__gte=1704067200000", ["CA", "Texas"]),
    ("?since__is_null=", ["WA"]),
    ("?owner_id__not_null=", ["CA", "NY", "Texas"]),
    ("?quota__in=400,200", ["Texas", "WA"]),        # no sort: the order of the values given
    ("?quota__not_in=400,200", ["CA", "NY"]),
    ("?tags__in=mid,ent", ["NY", "CA"]),
    ("?tags__contains=smb,ent", ["CA"]),
    ("?tags__eq=mid", ["NY"]),
    ("?active=false", ["WA"]),
    ("?hs_id__gt=2", ["WA", "Texas"]),
    ("?hs_name=California", ["CA"]),
    ("?region=West&quota__gt=300", ["CA"]),
])
def test_row_filters(portal_api, tables, query, expected):
    assert states(portal_api, query) == expected


@pytest.mark.parametrize("query, expected", [
    ("?sort=quota", ["WA", "NY", "Texas", "CA"]),
    ("?sort=-quota", ["CA", "Texas", "NY", "WA"]),
    ("?sort=since", ["NY", "CA", "Texas", "WA"]),   # empty values last
    ("?sort=-since", ["Texas", "CA", "NY", "WA"]),
    ("?sort=region&sort=-quota", ["CA", "WA", "Texas", "NY"]),
    ("?sort=-hs_id", ["Texas", "WA", "NY", "CA"]),
])
def test_row_sorts(portal_api, tables, query, expected):
    assert states(portal_api, query) == expected


def test_paging_with_after_and_with_offset(hubspot_client, portal_api, tables):
    first = portal_api.get(T + "/rows?limit=3").json()
    assert (first["total"], first["type"], len(first["results"])) == (4, "STREAMING", 3)
    after = first["paging"]["next"]["after"]
    assert after == "Mw=="                                      # base64 of the offset, as HubSpot's cursors
    assert states(portal_api, "?limit=2&after=MQ==") == ["NY", "WA"]   # built by hand, as code in the wild does
    assert portal_api.get(T + "/rows?after=zz!").json()["message"] == (
        "after must be the paging.next.after of an earlier page (a number of 0 or more), but was 'zz!'.")
    page = hubspot_client.cms.hubdb.rows_api.get_table_rows("territories", limit=3, after=after)
    assert [r.values["state"] for r in page.results] == ["Texas"] and page.paging is None
    random = portal_api.get(T + "/rows?offset=1&limit=2&sort=state").json()
    assert (random["type"], random["paging"]["next"]["offset"]) == ("RANDOM_ACCESS", 3)
    assert [r["values"]["state"] for r in random["results"]] == ["NY", "Texas"]
    assert portal_api.get(T + "/rows?limit=0").json()["message"] == "limit must be between 1 and 10000, but was 0."
    assert portal_api.get(T + "/rows?offset=-1").json()["message"] == "Invalid input JSON: offset must be 0 or more, not -1"


def test_properties_choose_the_columns_returned(portal_api, tables):
    row = portal_api.get(T + "/rows?properties=state&properties=quota&state=CA").json()["results"][0]
    assert row["values"] == {"state": "CA", "quota": 500}


@pytest.mark.parametrize("query, message", [
    ("?nope=1", "Column nope does not exist in table territories; its columns are state, region, quota, since, tags, "
                "active, owner_id, hs_id, hs_path, hs_name, hs_created_at, hs_updated_at."),
    ("?state__gt=1", "Filter operator gt does not apply to TEXT column state; it applies to NUMBER, CURRENCY, DATE, "
                     "DATETIME."),
    ("?active__is_null=", "Filter operator is_null does not apply to BOOLEAN column active; it applies to " + ", ".join(
        t for t in ("CODE", "COMPOSITE", "CTA", "CURRENCY", "DATE", "DATETIME", "EMBED", "FILE", "FOREIGN_ID",
                    "HUBSPOT_VIDEO", "IMAGE", "JSON", "LOCATION", "MULTISELECT", "NULL", "NUMBER", "RICHTEXT",
                    "SELECT", "TEXT", "URL", "VIDEO")) + "."),
    ("?state__between=1", "Unknown filter operator between on column state; use one of eq, ne, contains, icontains, "
                          "startswith, like, not_like, lt, lte, gt, gte, is_null, not_null, in, not_in."),
    ("?quota__gt=lots", "lots is not a value quota__gt can compare with a NUMBER column."),
    ("?sort=nope", "Column nope does not exist in table territories; its columns are state, region, quota, since, tags, "
                   "active, owner_id, hs_id, hs_path, hs_name, hs_created_at, hs_updated_at."),
])
def test_filters_hubspot_cannot_read_are_400s(portal_api, tables, query, message):
    response = portal_api.get(T + "/rows" + query)
    assert (response.status_code, response.json()["category"], response.json()["message"]) == (
        400, "VALIDATION_ERROR", message)


def test_one_row_and_a_batch_of_rows(hubspot_client, portal_api, tables):
    row = hubspot_client.cms.hubdb.rows_api.get_table_row("territories", "2")
    assert row.values["state"] == "NY"
    assert hubspot_client.cms.hubdb.rows_api.get_draft_table_row_by_id("100", "1").values["quota"] == 900
    response = portal_api.get(T + "/rows/2/draft")
    assert (response.status_code, response.json()["message"]) == (404, "Row(s) 2 not found in table territories.")
    batch = portal_api.post(T + "/rows/batch/read", json={"inputs": ["2", "9"]})
    assert batch.status_code == 207
    assert [r["id"] for r in batch.json()["results"]] == ["2"]
    assert batch.json()["errors"][0]["context"] == {"ids": ["9"]}


def test_hubdb_needs_the_hubdb_scope(portal_api, tables, empty_portal):
    empty_portal.add_token("crm-only", ["crm.objects.contacts.read"])
    response = portal_api.get(T + "/rows", headers={"Authorization": "Bearer crm-only"})
    assert response.status_code == 403
    assert response.json()["errors"][0]["context"]["requiredGranularScopes"] == ["hubdb"]


@pytest.mark.parametrize("change, message", [
    ({"columns": [{"name": "state", "type": "STRING"}]},
     "column state: unknown HubDB column type STRING; the types are BOOLEAN, CODE, COMPOSITE"),
    ({"rows": [{"values": {"quota": "many"}}]}, '"many" is not a value for NUMBER column quota (at hubdb[0].rows[0])'),
    ({"rows": [{"values": {"region": "North"}}]},
     "North is not an option of column region; its options are West, East (at hubdb[0].rows[0])"),
    ({"rows": [{"values": {"since": "2024-01-01T10:00:00Z"}}]},
     '"2024-01-01T10:00:00Z" is not a value for DATE column since (at hubdb[0].rows[0])'),
    ({"rows": [{"values": {"county": "x"}}]}, "value for county, which is not a column of the table"),
    ({"rows": [{"id": 1, "values": {}}, {"id": 1, "values": {}}]}, "row 1 appears twice in HubDB table territories"),
])
def test_seed_values_are_checked_against_their_columns(empty_portal, change, message):
    with pytest.raises(SeedError) as raised:
        empty_portal.seed({"hubdb": [{**TERRITORIES, **change}]})
    assert message in str(raised.value)
    empty_portal.seed({"hubdb": [TERRITORIES]})   # nothing of the refused seed was kept


def test_a_seeded_table_name_or_id_is_taken_once(empty_portal):
    empty_portal.seed({"hubdb": [TERRITORIES]})
    for table, what in (({**TERRITORIES, "id": 101}, "named territories"), ({**TERRITORIES, "name": "t2"}, "with id 100")):
        with pytest.raises(SeedError) as raised:
            empty_portal.seed({"hubdb": [table]})
        assert f"a HubDB table {what} already exists" in str(raised.value)


def test_a_seed_of_the_wrong_shape_says_the_shape(empty_portal):
    with pytest.raises(SeedError) as raised:
        empty_portal.seed({"hubdb": [{"name": "t", "columns": {"state": "TEXT"}}]})
    assert str(raised.value).startswith(
        'not seeded, nothing was added: hubdb[0].columns: expected a list of columns, e.g. [{"name": "state"')
