"""--retry-check and run_action.retry_check: a 429 on each API call in turn, HubSpot's retry,
and the final state compared with a clean run's."""
import pytest

from hs_actions.portal.portal import LOCAL_TOKEN
from tests.support import write_action

MANIFEST = 'object_type = "CONTACT"\nsecrets = ["HUBSPOT_TOKEN"]\n[outputs]\n'
# Reads the follower count, writes it plus one, then reads the owners: a 429 on the last call makes
# the retry add one again.
INCREMENTS = '''
import os
from hubspot import HubSpot
from hubspot.crm.contacts import SimplePublicObjectInput


def main(event):
    client = HubSpot(access_token=os.getenv("HUBSPOT_TOKEN"))
    contact_id = event["object"]["objectId"]
    found = client.crm.contacts.basic_api.get_by_id(contact_id, properties=["followercount"])
    count = int(found.properties.get("followercount") or 0) + 1
    client.crm.contacts.basic_api.update(contact_id, SimplePublicObjectInput(properties={"followercount": str(count)}))
    client.crm.owners.owners_api.get_page(limit=1)
    return {"outputFields": {}}
'''
# Writes the time of the run, then reads the owners: every run writes another value, retried or not.
STAMPS = '''
import os
import time
from hubspot import HubSpot
from hubspot.crm.contacts import SimplePublicObjectInput


def main(event):
    client = HubSpot(access_token=os.getenv("HUBSPOT_TOKEN"))
    stamp = str(time.time_ns())
    client.crm.contacts.basic_api.update(event["object"]["objectId"], SimplePublicObjectInput(properties={"jobtitle": stamp}))
    client.crm.owners.owners_api.get_page(limit=1)
    return {"outputFields": {}}
'''
# Catches the 429 and returns: HubSpot does not retry, and the update never happens.
SWALLOWS = '''
import os
from hubspot import HubSpot
from hubspot.crm.contacts import ApiException, SimplePublicObjectInput


def main(event):
    client = HubSpot(access_token=os.getenv("HUBSPOT_TOKEN"))
    try:
        client.crm.owners.owners_api.get_page(limit=1)
        client.crm.contacts.basic_api.update(event["object"]["objectId"], SimplePublicObjectInput(properties={"jobtitle": "seen"}))
    except Exception as error:
        print("giving up:", error)
    return {"outputFields": {}}
'''

READS_OWNERS_TWELVE_TIMES = '''
import os
from hubspot import HubSpot


def main(event):
    client = HubSpot(access_token=os.getenv("HUBSPOT_TOKEN"))
    for _ in range(12):
        client.crm.owners.owners_api.get_page(limit=1)
    return {"outputFields": {}}
'''


def test_an_action_that_creates_a_note_before_its_update_is_not_retry_safe(simulate, seeded_db):
    report = simulate("log_enrollment_note", enrollments=300, retry_check=True, sample=2)
    assert report.exit_code == 1
    data = report.data
    assert (data["retry_safe"], data["checked"], [r["object_id"] for r in data["records"]]) == (False, 2, [1, 151])
    first, second = data["records"][0]["trials"]
    assert (first["failed_call"], first["statuses"], first["retry_safe"]) == ("POST /crm/v3/objects/notes", ["retry", "success"], True)
    assert (second["failed_call"], second["repeated_writes"]) == ("PATCH /crm/v3/objects/contacts/1", ["POST /crm/v3/objects/notes"])
    assert [d["kind"] for d in second["differences"]] == ["duplicated", "duplicated"]
    assert second["differences"][0]["message"].startswith("2 notes created where a clean run creates 1: notes ")
    assert second["differences"][1]["message"] == "2 association(s) contacts 1 -> notes new (type 201) where a clean run makes 1"


def test_an_idempotent_update_is_retry_safe(simulate):
    report = simulate("round_robin_owner", enrollments=5, retry_check=True, as_json=False)
    assert report.exit_code == 0
    assert report.text().splitlines() == [
        "retry check of round_robin_owner: retry safe (3 of 3 records checked: a 429 on each API call in turn, then "
        "HubSpot's retry)",
        "record 1: 2 API call(s), retry safe", "record 2: 2 API call(s), retry safe", "record 4: 2 API call(s), retry safe"]


def test_a_double_increment_is_reported_with_both_values(simulate, tmp_path, monkeypatch):
    monkeypatch.setenv("HUBSPOT_TOKEN", LOCAL_TOKEN)
    folder, _ = write_action(tmp_path, INCREMENTS, MANIFEST)
    report = simulate(folder, object_ids=_ids(tmp_path, 1), retry_check=True)
    assert report.exit_code == 1
    trials = report.data["records"][0]["trials"]
    assert [t["retry_safe"] for t in trials] == [True, True, False], report.data
    assert trials[2]["repeated_writes"] == ["PATCH /crm/v3/objects/contacts/1"]
    assert trials[2]["differences"] == [{"kind": "changed", "records": ["contacts 1"], "message":
                                         "contacts 1: followercount is '2' where a clean run sets '1'"}]


def test_a_value_that_differs_at_every_run_is_not_the_retrys_doing(simulate, tmp_path, monkeypatch):
    monkeypatch.setenv("HUBSPOT_TOKEN", LOCAL_TOKEN)
    folder, _ = write_action(tmp_path, STAMPS, MANIFEST)
    report = simulate(folder, object_ids=_ids(tmp_path, 3), retry_check=True)
    assert report.exit_code == 0, report.data


def test_a_429_caught_and_not_raised_loses_the_write(simulate, tmp_path, monkeypatch):
    monkeypatch.setenv("HUBSPOT_TOKEN", LOCAL_TOKEN)
    folder, _ = write_action(tmp_path, SWALLOWS, MANIFEST)
    report = simulate(folder, object_ids=_ids(tmp_path, 3), retry_check=True, as_json=False)
    assert report.exit_code == 1
    assert report.text().splitlines()[1:] == [
        "record 3: 2 API call(s), NOT retry safe (2 of 2 trials)",
        "  429 on call 1 (GET /crm/v3/owners/), not retried (the run ended success):",
        "    changed: contacts 3: jobtitle is left as it was where a clean run sets 'seen'",
        "  429 on call 2 (PATCH /crm/v3/objects/contacts/3), not retried (the run ended success):",
        "    changed: contacts 3: jobtitle is left as it was where a clean run sets 'seen'"]


def test_the_trials_many_calls_are_not_refused_for_the_accounts_rate_limit(simulate, tmp_path, monkeypatch):
    # 26 runs of 12 calls in a few seconds, on the starter tier (100 calls per 10 s): each trial
    # starts with empty rate-limit counts, or its runs would be rate limited for real.
    monkeypatch.setenv("HUBSPOT_TOKEN", LOCAL_TOKEN)
    folder, _ = write_action(tmp_path, READS_OWNERS_TWELVE_TIMES, MANIFEST)
    report = simulate(folder, object_ids=_ids(tmp_path, 3), retry_check=True, tier="starter")
    assert report.exit_code == 0, report.data
    assert [t["statuses"] for t in report.data["records"][0]["trials"]] == [["retry", "success"]] * 12


def test_secret_values_the_action_wrote_are_masked(simulate, tmp_path, monkeypatch):
    monkeypatch.setenv("HUBSPOT_TOKEN", LOCAL_TOKEN)
    folder, _ = write_action(tmp_path, SWALLOWS.replace('"jobtitle": "seen"', '"jobtitle": os.getenv("HUBSPOT_TOKEN")'),
                             MANIFEST)
    report = simulate(folder, object_ids=_ids(tmp_path, 3), retry_check=True, as_json=False)
    assert "    changed: contacts 3: jobtitle is left as it was where a clean run sets '[secret HUBSPOT_TOKEN]'" in \
        report.text().splitlines()
    assert LOCAL_TOKEN not in report.text()


def test_a_record_whose_clean_run_fails_is_not_checked(simulate, tmp_path, monkeypatch):
    monkeypatch.setenv("HUBSPOT_TOKEN", LOCAL_TOKEN)
    folder, _ = write_action(tmp_path, "def main(event):\n    raise ValueError('no')\n", MANIFEST)
    report = simulate(folder, object_ids=_ids(tmp_path, 3), retry_check=True)
    assert report.exit_code == 1
    assert (report.data["checked"], report.data["records"][0]["problem"]) == (0, "its clean run ended error (ValueError: no)")


def test_round_robin_owner_is_retry_safe(run_action, portal):
    portal.add_token("t", ["crm.objects.contacts.write", "crm.objects.owners.read"])
    portal.seed({"records": {"contacts": [{"id": "8", "properties": {"email": "x@example.com"}}]},
                 "owners": [{"id": "101", "email": "o@example.com"}]})
    check = run_action.retry_check("round_robin_owner", 8, secrets={"HUBSPOT_TOKEN": "t"})
    assert check.retry_safe, check.explain()
    assert [t.failed_call for t in check.records[0].trials] == ["GET /crm/v3/owners/", "PATCH /crm/v3/objects/contacts/8"]
    assert [t.statuses for t in check.records[0].trials] == [["retry", "success"], ["retry", "success"]]


def test_the_pytest_helper_leaves_the_portal_as_it_was(run_action, portal):
    portal.add_token("t", ["crm.objects.contacts.write", "crm.objects.owners.read"])
    portal.seed({"records": {"contacts": [{"id": "8", "properties": {"email": "x@example.com"}}]},
                 "owners": [{"id": "101", "email": "o@example.com"}]})
    portal.fail("GET", "/nothing", 503)
    check = run_action.retry_check("round_robin_owner", [8], secrets={"HUBSPOT_TOKEN": "t"})
    assert check.retry_safe, check.explain()
    assert portal.record("contacts", 8)["properties"].get("hubspot_owner_id") is None
    assert portal.requests() == []


def test_the_pytest_helper_refuses_an_empty_list_of_records(run_action):
    with pytest.raises(pytest.UsageError, match="give a record id, or a list of at least one"):
        run_action.retry_check("round_robin_owner", [], secrets={"HUBSPOT_TOKEN": "t"})


def _ids(tmp_path, *ids):
    path = tmp_path / "ids.txt"
    path.write_text("".join(f"{i}\n" for i in ids))
    return path
