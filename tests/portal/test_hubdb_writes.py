"""HubDB v3 writes: draft rows created, updated, replaced, cloned and deleted (one and batch);
the draft published, reset, unpublished; a table cloned; scopes; values checked by column."""
import pytest
from hubspot.cms.hubdb import ApiException, HubDbTableCloneRequest, HubDbTableRowV3Request

from tests.support import Api

T = "/cms/v3/hubdb/tables/proposals"
PROPOSALS = {"id": 300, "name": "proposals", "columns": [
    {"name": "prefix", "type": "TEXT"}, {"name": "next_number", "type": "NUMBER"},
    {"name": "tier", "type": "SELECT", "options": ["gold", "silver"]}],
    "rows": [{"id": 1, "name": "Default", "values": {"prefix": "PRO", "next_number": 41, "tier": "gold"}},
             {"id": 2, "values": {"prefix": "QTE", "next_number": 7}}]}


@pytest.fixture
def hubdb(hubspot_client, empty_portal):
    empty_portal.seed({"hubdb": [PROPOSALS]})
    return hubspot_client.cms.hubdb


def published(hubdb, row_id="1"):
    return hubdb.rows_api.get_table_row("proposals", row_id).values


def test_a_proposal_number_is_taken_updated_in_the_draft_and_published(hubdb):
    """What a proposal-numbering action does: read the live row, PATCH the draft, publish."""
    number = int(published(hubdb)["next_number"])
    row = hubdb.rows_api.update_draft_table_row("proposals", "1", HubDbTableRowV3Request(values={"next_number": number + 1}))
    assert row.values == {"prefix": "PRO", "next_number": 42, "tier": {"id": "1", "name": "gold", "label": "gold",
                                                                       "type": "option", "order": 0}}
    assert published(hubdb)["next_number"] == 41   # the live table changes only when the draft is published
    table = hubdb.tables_api.publish_draft_table("proposals")
    assert (table.published, table.row_count) == (True, 2)
    assert published(hubdb)["next_number"] == 42


def test_a_replace_clears_what_it_leaves_out_and_a_null_clears_a_cell(hubdb):
    row = hubdb.rows_api.replace_draft_table_row("proposals", "1", HubDbTableRowV3Request(values={"prefix": "NEW"}))
    assert (row.values, row.name) == ({"prefix": "NEW"}, None)
    row = hubdb.rows_api.update_draft_table_row("proposals", "2", HubDbTableRowV3Request(values={"prefix": None}))
    assert row.values == {"next_number": 7}


def test_created_cloned_and_deleted_rows_live_in_the_draft_until_published(hubdb):
    created = hubdb.rows_api.create_table_row("proposals", HubDbTableRowV3Request(values={"prefix": "INV"}, path="inv"))
    assert (created.id, created.path, created.values) == ("3", "inv", {"prefix": "INV"})
    clone = hubdb.rows_api.clone_draft_table_row("proposals", "1")
    assert (clone.id, clone.values["prefix"], clone.name) == ("4", "PRO", "Default")
    hubdb.rows_api.purge_draft_table_row("proposals", "2")
    draft = [r.id for r in hubdb.rows_api.read_draft_table_rows("proposals").results]
    assert draft == ["1", "3", "4"]
    assert [r.id for r in hubdb.rows_api.get_table_rows("proposals").results] == ["1", "2"]
    hubdb.tables_api.publish_draft_table("proposals")
    assert [r.id for r in hubdb.rows_api.get_table_rows("proposals").results] == ["1", "3", "4"]


def test_reset_brings_the_published_rows_back_to_the_draft(hubdb):
    hubdb.rows_api.purge_draft_table_row("proposals", "1")
    table = hubdb.tables_api.reset_draft_table("proposals")
    assert table.row_count == 2
    assert [r.id for r in hubdb.rows_api.read_draft_table_rows("proposals").results] == ["1", "2"]


def test_unpublish_keeps_the_draft_only(hubdb, portal_api):
    assert hubdb.tables_api.unpublish_table("proposals").published is False
    assert portal_api.get(T + "/rows").status_code == 404
    reset = portal_api.post(T + "/draft/reset")
    assert (reset.status_code, reset.json()["message"]) == (
        404, "Table proposals has no published version: read its draft (.../draft) or publish it.")
    assert len(hubdb.rows_api.read_draft_table_rows("proposals").results) == 2


def test_batches_write_the_draft_and_report_unknown_rows(hubdb, portal_api):
    created = portal_api.post(T + "/rows/draft/batch/create", json={"inputs": [{"values": {"prefix": "A"}},
                                                                              {"values": {"prefix": "B"}}]})
    assert created.status_code == 201
    assert [r["id"] for r in created.json()["results"]] == ["3", "4"]
    updated = portal_api.post(T + "/rows/draft/batch/update", json={"inputs": [
        {"id": "3", "values": {"next_number": 1}}, {"id": "99", "values": {"prefix": "x"}}]})
    assert updated.status_code == 207
    assert [r["values"] for r in updated.json()["results"]] == [{"prefix": "A", "next_number": 1}]
    assert updated.json()["errors"][0]["message"] == "Row(s) 99 not found in table proposals."
    replaced = portal_api.post(T + "/rows/draft/batch/replace", json={"inputs": [{"id": "4", "values": {"tier": "silver"}}]})
    assert [r["values"]["tier"]["name"] for r in replaced.json()["results"]] == ["silver"]
    cloned = portal_api.post(T + "/rows/draft/batch/clone", json={"inputs": ["3"]})
    assert [(r["id"], r["values"]["prefix"]) for r in cloned.json()["results"]] == [("5", "A")]
    missing = portal_api.post(T + "/rows/draft/batch/purge", json={"inputs": ["3", "98"]})
    assert (missing.status_code, missing.json()["message"]) == (404, "Row(s) 98 not found in table proposals.")
    assert portal_api.post(T + "/rows/draft/batch/purge", json={"inputs": ["3", "4"]}).status_code == 204
    assert [r.id for r in hubdb.rows_api.read_draft_table_rows("proposals").results] == ["1", "2", "5"]


@pytest.mark.parametrize("values, message", [
    ({"next_number": "many"}, '"many" is not a value for NUMBER column next_number'),
    ({"tier": "bronze"}, "bronze is not an option of column tier; its options are gold, silver"),
    ({"colour": "red"}, "value for colour, which is not a column of the table; its columns are prefix, next_number, tier"),
])
def test_a_value_its_column_cannot_hold_is_a_400_and_changes_nothing(portal_api, hubdb, values, message):
    response = portal_api.patch(T + "/rows/1/draft", json={"values": values})
    assert (response.status_code, response.json()["message"]) == (400, message)
    assert hubdb.rows_api.get_draft_table_row_by_id("proposals", "1").values["prefix"] == "PRO"


def test_writing_a_row_not_in_the_draft_is_a_404(hubdb):
    with pytest.raises(ApiException) as raised:
        hubdb.rows_api.update_draft_table_row("proposals", "77", HubDbTableRowV3Request(values={}))
    assert raised.value.status == 404


def test_a_table_is_cloned_into_a_draft_with_or_without_its_rows(hubdb, portal_api):
    copy = hubdb.tables_api.clone_draft_table("proposals", HubDbTableCloneRequest(new_name="proposals_2025",
                                                                                  new_label="2025", copy_rows=True))
    assert (copy.name, copy.label, copy.published, copy.row_count, len(copy.columns)) == ("proposals_2025", "2025",
                                                                                          False, 2, 3)
    empty = portal_api.post(T + "/draft/clone", json={"newName": "blank"}).json()
    assert empty["rowCount"] == 0
    taken = portal_api.post(T + "/draft/clone", json={"newName": "blank"})
    assert (taken.status_code, taken.json()["message"]) == (409, "A HubDB table named blank already exists.")


def test_row_writes_take_hubdb_rows_write_and_publishing_hubdb_tables_publish(empty_portal, hubdb):
    empty_portal.add_token("rows-only", ["hubdb.rows.write"])
    empty_portal.add_token("publish-only", ["hubdb.tables.publish"])
    with Api(empty_portal.server.url, "rows-only") as rows_only, Api(empty_portal.server.url, "publish-only") as publisher:
        assert rows_only.patch(T + "/rows/1/draft", json={"values": {"next_number": 50}}).status_code == 200
        refused = rows_only.post(T + "/draft/publish")
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["context"]["requiredGranularScopes"] == ["hubdb"]
        assert publisher.patch(T + "/rows/1/draft", json={"values": {}}).status_code == 403
        assert publisher.post(T + "/draft/publish").status_code == 200
    assert published(hubdb)["next_number"] == 50
