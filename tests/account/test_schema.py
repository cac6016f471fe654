"""`hs-actions portal pull` copies the account's schema (and sample records) into a seed file that
`portal seed` loads: a round trip through a second portal playing the account."""
import json

import pytest

from hs_actions.account.connection import AccountError, Connection
from hs_actions.account.schema import copy_schema
from hs_actions.cli import main
from hs_actions.portal.portal import Portal
from tests.support import ACCOUNT_TOKEN

ACCOUNT = {
    "schemas": [{"name": "pets", "objectTypeId": "2-77", "primaryDisplayProperty": "pet_name",
                 "labels": {"singular": "Pet", "plural": "Pets"}, "associatedObjects": ["CONTACT"],
                 "properties": [{"name": "pet_name", "type": "string", "fieldType": "text"},
                                {"name": "species", "type": "enumeration", "fieldType": "select",
                                 "options": [{"label": "Dog", "value": "dog"}, {"label": "Cat", "value": "cat"}]}]}],
    "properties": {"contacts": [{"name": "shoe_size", "label": "Shoe size", "type": "number", "fieldType": "number"}]},
    "pipelines": {"deals": [{"id": "renewals", "label": "Renewals", "stages": [
        {"id": "renewal_won", "label": "Won", "metadata": {"isClosed": "true", "probability": "1.0"}}]}]},
    "labels": [{"from": "contacts", "to": "companies", "label": "Manager", "inverseLabel": "Managed by",
                "typeId": 1301, "inverseTypeId": 1302}],
    "hubdb": [{"id": 5, "name": "territories", "label": "Territories",
               "columns": [{"name": "state", "type": "TEXT"}, {"name": "tier", "type": "SELECT", "options": ["A", "B"]}],
               "rows": [{"values": {"state": "CA", "tier": "A"}}, {"values": {"state": "TX", "tier": "B"}}]}],
    "owners": [{"id": "101", "email": "olivia@example.com", "firstName": "Olivia", "lastName": "Owner", "userId": 9}],
    "forms": [{"id": "5f745bfa-8589-40c2-9940-f9081123e0b4", "name": "Fitting", "submitText": "Book",
               "fields": [{"name": "email", "required": True}, {"name": "shoe_size", "label": "Your size"},
                          {"name": "pet_name", "objectTypeId": "2-77", "hidden": True}]}],
    "records": {
        "contacts": [{"id": "1", "properties": {"email": "ada@example.com", "firstname": "Ada", "lastname": "Lovelace",
                                                "phone": "+44 20 7946 0958", "shoe_size": "38", "hubspot_owner_id": "101"}},
                     {"id": "2", "properties": {"email": "alan@example.com", "firstname": "Alan"}}],
        "companies": [{"id": "10", "properties": {"name": "Analytical Engines", "domain": "engines.example"}}],
        "p_pets": [{"id": "20", "properties": {"pet_name": "Rex", "species": "dog"}}]},
    "associations": [{"from": "contacts/1", "to": "companies/10"}, {"from": "p_pets/20", "to": "contacts/1"}],
}


@pytest.fixture
def seeded(account_portal):
    account_portal.seed(json.loads(json.dumps(ACCOUNT)))
    return account_portal


def loaded(path) -> Portal:
    portal = Portal(db=":memory:")
    portal.seed(json.loads(path.read_text()))
    return portal


def test_the_schema_round_trips_into_a_local_portal(seeded, tmp_path, capsys):
    out = tmp_path / "account.json"
    assert main(["portal", "pull", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"Wrote {out}: 1 schemas, 1 properties, 3 pipelines, 1 labels, 1 owners, 1 hubdb, 1 forms.")
    assert said.splitlines()[-1] == ("note: it holds the account's real owners' names and emails (and records' "
                                     "personal data); before committing it, pull again with --anonymize")
    portal = loaded(out)
    try:
        assert portal.backend.object_type("p_pets").type_id == "2-77"
        assert portal.backend.property("p_pets", "species").option_values() == ["dog", "cat"]
        assert portal.backend.property("contacts", "shoe_size").type == "number"
        assert [p["id"] for p in portal.backend.pipeline_list("deals")][-1] == "renewals"
        assert portal.backend.owner("101").email == "olivia@example.com"
        assert not portal.backend.counts()     # no records without --records
        labels = {k.type_id: k.label for k in portal.backend.association_types("contacts", "companies")
                  if k.category == "USER_DEFINED"}
        assert labels == {1301: "Manager"}      # the account's own type id: code may name it
        assert [k.label for k in portal.backend.association_types("companies", "contacts") if k.type_id == 1302] == \
            ["Managed by"]
        _table, rows, _total = portal.backend.hubdb_rows("territories", False, [("tier", "B")], [])
        assert [r["values"]["state"] for r in rows] == ["TX"]
        form = portal.backend.form("5f745bfa-8589-40c2-9940-f9081123e0b4")
        assert (form["name"], form["submitText"]) == ("Fitting", "Book")
        assert [(f["objectTypeId"], f["name"], f["label"], f["required"], f["hidden"]) for f in form["fields"]] == [
            ("0-1", "email", "Email", True, False), ("0-1", "shoe_size", "Your size", False, False),
            ("2-77", "pet_name", "pet_name", False, True)]
    finally:
        portal.close()
    assert ACCOUNT_TOKEN not in out.read_text()
    db = tmp_path / "team.sqlite3"                 # as the team loads it: `hs-actions portal seed FILE`
    assert main(["portal", "seed", str(out), "--portal-db", str(db)]) == 0
    assert "1 schemas, 1 properties, 3 pipelines, 1 labels, 1 owners" in capsys.readouterr().out


def test_records_and_their_associations_come_along(seeded, tmp_path):
    out = tmp_path / "account.json"
    copy_schema(Connection(ACCOUNT_TOKEN, seeded.server.url), out, records=5)
    portal = loaded(out)
    try:
        assert portal.backend.counts() == {"contacts": 2, "companies": 1, "pets": 1}
        assert portal.record("contacts", 1)["properties"]["shoe_size"] == "38"
        assert [a["toObjectId"] for a in portal.backend.associations("contacts", 1, "companies")[0]] == [10]
        assert [a["toObjectId"] for a in portal.backend.associations("p_pets", 20, "contacts")[0]] == [1]
    finally:
        portal.close()


def test_anonymize_replaces_personal_data_consistently(seeded, tmp_path):
    out = tmp_path / "account.json"
    copy_schema(Connection(ACCOUNT_TOKEN, seeded.server.url), out, records=5, anonymize=True)
    text = out.read_text()
    for personal in ("ada@example.com", "Lovelace", "+44 20 7946 0958", "olivia@example.com", "Olivia"):
        assert personal not in text
    portal = loaded(out)
    try:
        ada = portal.record("contacts", 1)["properties"]
        assert "@" in ada["email"] and ada["firstname"] != "Ada"
        assert ada["shoe_size"] == "38"                           # a number: kept
        assert portal.record("companies", 10)["properties"]["name"] != "Analytical Engines"   # every string
        assert portal.record("p_pets", 20)["properties"]["species"] == "dog"                  # an option: kept
    finally:
        portal.close()
    again = tmp_path / "again.json"
    copy_schema(Connection(ACCOUNT_TOKEN, seeded.server.url), again, records=5, anonymize=True)
    assert json.loads(again.read_text())["records"] == json.loads(text)["records"]   # consistent fakes


def test_what_the_token_cannot_read_is_skipped_and_named(seeded, tmp_path):
    seeded.add_token("pat-local-contacts", ["crm.schemas.contacts.read", "crm.objects.owners.read"])
    out = tmp_path / "account.json"
    said = copy_schema(Connection("pat-local-contacts", seeded.server.url), out).text()
    # One line per missing scope set, naming what it kept from being read.
    assert "  skipped for lack of the scope(s) crm.schemas.custom.read: custom objects\n" in said
    assert "  skipped for lack of the scope(s) crm.schemas.companies.read: properties of companies\n" in said
    assert said.count("skipped for lack of the scope(s) crm.schemas.custom.read") == 1
    assert json.loads(out.read_text())["properties"] == {"contacts": [
        {"name": "shoe_size", "label": "Shoe size", "type": "number", "fieldType": "number", "groupName": "objectinformation"}]}


def test_a_form_filling_a_property_the_copy_lacks_is_skipped_and_named(seeded, tmp_path):
    """Without the custom objects' scope the pets' property is not copied: the form naming it would
    make the whole file refused, so it is left out and said."""
    seeded.add_token("pat-local-forms", ["crm.schemas.contacts.read", "forms"])
    out = tmp_path / "account.json"
    said = copy_schema(Connection("pat-local-forms", seeded.server.url), out).text()
    assert "  skipped form 'Fitting': its field(s) 2-77/pet_name fill properties the local portal does not have\n" in said
    assert "forms" not in json.loads(out.read_text())


def test_a_bad_records_count_is_refused(account_portal, capsys):
    assert main(["portal", "pull", "--records", "-1"]) == 2
    assert "portal pull --records: give a number of 0 or more" in capsys.readouterr().err


def test_an_unreachable_account_writes_nothing(account_portal, tmp_path):
    out = tmp_path / "account.json"
    with pytest.raises(AccountError, match="cannot reach"):
        copy_schema(Connection(ACCOUNT_TOKEN, "http://127.0.0.1:9"), out)
    assert not out.exists()


def test_records_are_paged_past_a_hundred_with_their_associations(account_portal, tmp_path):
    """HubSpot lists 100 records a page and reads 100 a batch: --records 230 pages and batches."""
    contacts = [{"id": str(i), "properties": {"email": f"c{i}@example.com"}} for i in range(1, 251)]
    account_portal.seed({"records": {"contacts": contacts, "companies": [{"id": "900", "properties": {"name": "Acme"}}]},
                         "associations": [{"from": f"contacts/{i}", "to": "companies/900"} for i in (1, 150, 230, 240)]})
    out = tmp_path / "account.json"
    copy_schema(Connection(ACCOUNT_TOKEN, account_portal.server.url, sleep=lambda s: None), out, records=230)
    copied = json.loads(out.read_text())
    assert len(copied["records"]["contacts"]) == 230
    assert {r["id"] for r in copied["records"]["contacts"]} == {str(i) for i in range(1, 231)}
    assert sorted(a["from"] for a in copied["associations"]) == ["contacts/1", "contacts/150", "contacts/230"]
