"""Snapshots: a run's status, outputs and API calls (method, path, query, body) kept beside the
test, normalised (ids the portal assigned, the run's own times), compared with a readable diff,
written with --hs-snapshot-update; never a secret."""
import hashlib
import json
import subprocess
import sys
import textwrap
import time

import pytest

from hs_actions.harness import snapshot
from hs_actions.harness.result import Result
from tests.support import pytest_in_process

NOW = time.time()
TOKEN = "snapshot-token-value"


def result(**fields) -> Result:
    return Result("demo", "success", **fields)


def test_ids_the_portal_assigned_are_numbered_wherever_they_stand():
    found = snapshot.document(result(
        output_fields={"company_id": "1043", "count": 1043, "other": "104"},
        assigned_ids=["1043", "1044"],
        api_calls=[{"method": "POST", "path": "/crm/v3/objects/companies", "query": "", "body": {"properties": {}}},
                   {"method": "PUT", "path": "/crm/v4/objects/contacts/7/associations/companies/1043", "query": "",
                    "body": [{"associationTypeId": 1}]},
                   {"method": "GET", "path": "/crm/v3/objects/notes/1044", "query": "archived=false&after=1044",
                    "body": None}]), now=NOW)
    assert found == {
        "status": "success",
        "outputs": {"company_id": "<id 1>", "count": "<id 1>", "other": "104"},
        "api_calls": [
            {"method": "POST", "path": "/crm/v3/objects/companies", "body": {"properties": {}}},
            {"method": "PUT", "path": "/crm/v4/objects/contacts/7/associations/companies/<id 1>",
             "body": [{"associationTypeId": 1}]},
            {"method": "GET", "path": "/crm/v3/objects/notes/<id 2>", "query": "archived=false&after=<id 2>"},
        ],
    }


@pytest.mark.parametrize("value", [
    int(NOW * 1000), int(NOW), str(int(NOW * 1000)), NOW,
    time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(NOW)), time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(NOW)),
    time.strftime("%Y-%m-%d", time.gmtime(NOW)), time.strftime("%Y-%m-%dT%H:%M:%S+02:00", time.gmtime(NOW + 7200)),
], ids=["ms", "s", "ms-text", "s-float", "iso-ms-z", "iso", "date", "iso-offset"])  # xdist workers must collect equal ids
def test_times_of_the_run_are_now(value):
    found = snapshot.document(result(output_fields={"when": value}, api_calls=[
        {"method": "POST", "path": "/crm/v3/objects/notes", "query": "", "body": {"hs_timestamp": value}}]), now=NOW)
    assert found["outputs"] == {"when": "<now>"} and found["api_calls"][0]["body"] == {"hs_timestamp": "<now>"}


@pytest.mark.parametrize("value", [1577836800000, "2020-01-01", "2020-01-01T00:00:00Z", 35, "12", True, None])
def test_fixed_values_are_kept(value):
    assert snapshot.document(result(output_fields={"v": value}), now=NOW)["outputs"] == {"v": value}


def test_check_fails_on_a_missing_snapshot_writes_it_on_update_then_passes(tmp_path):
    path = tmp_path / "__snapshots__" / "test_demo" / "test_x.json"
    found = {"status": "success", "outputs": {"said": "é"}, "api_calls": []}
    written, problem = snapshot.check(path, found, update=False)
    assert not written and problem == (
        f"no snapshot {path} yet: run pytest --hs-snapshot-update (or hs-actions test --snapshot-update) to write it, "
        "then commit it")
    assert not path.exists()
    assert snapshot.check(path, found, update=True) == (True, None)
    assert path.read_text(encoding="utf-8") == snapshot.dump(found)
    assert json.loads(path.read_text(encoding="utf-8")) == found
    assert snapshot.check(path, found, update=False) == (False, None)
    assert snapshot.check(path, found, update=True) == (False, None), "an unchanged snapshot is not rewritten"


def test_a_difference_is_a_readable_diff(tmp_path):
    path = tmp_path / "s.json"
    snapshot.check(path, {"status": "success", "outputs": {"tier": "warm", "score": 35}, "api_calls": []}, update=True)
    _, problem = snapshot.check(path, {"status": "success", "outputs": {"tier": "hot\x1b[2J", "score": 35},
                                       "api_calls": []}, update=False)
    assert problem == (f"the run differs from its snapshot {path} (- snapshot, + this run):\n"
                       "@@ -3,5 +3,5 @@\n"
                       '   "outputs": {\n'
                       '     "score": 35,\n'
                       '-    "tier": "warm"\n'
                       '+    "tier": "hot\\u001b[2J"\n'
                       "   },\n"
                       '   "status": "success"\n'
                       "If the change is intended, run pytest --hs-snapshot-update (or hs-actions test --snapshot-update) and "
                       "commit the snapshot.")


def test_a_snapshot_that_is_not_json_is_named(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("{not json")
    _, problem = snapshot.check(path, {"status": "success"}, update=False)
    assert problem.startswith(f"snapshot {path} is not JSON (Expecting property name")


def test_the_file_is_named_after_the_test():
    from pathlib import Path

    test_file = Path("/p/actions/demo/test_demo.py")
    folder = Path("/p/actions/demo/__snapshots__/test_demo")
    assert snapshot.path_for(test_file, "test_x", 1) == folder / "test_x.json"
    assert snapshot.path_for(test_file, "test_x", 2) == folder / "test_x.2.json"
    # Characters a file name should not have become _, with a hash of the name: two
    # parametrised ids that differ only there keep a file each.
    assert snapshot.path_for(test_file, "test_x[a b/c]", 1).name == "test_x[a_b_c]-" + \
        hashlib.sha256(b"test_x[a b/c]").hexdigest()[:8] + ".json"
    assert snapshot.path_for(test_file, "test_x[a/b]", 1) != snapshot.path_for(test_file, "test_x[a_b]", 1)
    assert snapshot.path_for(test_file, "test_x[a_b]", 1) == folder / "test_x[a_b].json"


CREATES_A_NOTE = """
import json, os, time
import requests

def main(event):
    headers = {"Authorization": "Bearer " + os.environ["TOKEN"]}
    note = requests.post("https://api.hubapi.com/crm/v3/objects/notes", headers=headers, json={"properties": {
        "hs_note_body": "token " + os.environ["TOKEN"], "hs_timestamp": str(int(time.time() * 1000))}}).json()
    return {"outputFields": {"note_id": note["id"], "tier": "warm"}}
"""
MANIFEST = ('object_type = "CONTACT"\nsecrets = ["TOKEN"]\n[outputs]\nnote_id = "string"\ntier = "string"\n'
            '[budget]\napi_calls = 1\n')
TEST_FILE = """
import os

def test_note(run_action, portal, hs_snapshot):
    portal.add_token({token!r}, ["crm.objects.contacts.write"])
    for n in range(int(os.environ.get("RECORDS_BEFORE", "0"))):   # shifts the ids the portal assigns
        portal.seed({{"records": {{"contacts": [{{"id": str(900 + n), "properties": {{}}}}]}}}})
    hs_snapshot(run_action("demo", secrets={{"TOKEN": {token!r}}}))
"""


def test_hs_snapshot_in_a_test_of_an_action(tmp_path):
    folder = tmp_path / "actions" / "demo"
    folder.mkdir(parents=True)
    (folder / "action.py").write_text(textwrap.dedent(CREATES_A_NOTE))
    (folder / "action.toml").write_text(MANIFEST)
    (folder / "test_demo.py").write_text(TEST_FILE.format(token=TOKEN))

    def pytest_run(*args, **env):
        """pytest over the action's test, in this process: the same plugin and fixtures, seconds
        less CPU than a process of its own (the run with -n 2 below has one, as a user's would)."""
        with pytest.MonkeyPatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            done = pytest_in_process("-q", str(folder), *args, cwd=tmp_path)
        return done.exit_code, done.output

    code, out = pytest_run()
    assert code == 1 and "no snapshot actions/demo/__snapshots__/test_demo/test_note.json yet: run pytest " \
                          "--hs-snapshot-update (or hs-actions test --snapshot-update) to write it, then commit it" \
                          in out.replace(str(tmp_path) + "/", "")
    # Written by an xdist worker (one is enough: it is not the controller), told by the controller:
    # the end-to-end run, pytest as a user starts it.
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder),
                           "--hs-snapshot-update", "-n", "1"], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    code, out = done.returncode, done.stdout + done.stderr
    assert code == 0 and "hs-actions: 1 snapshot(s) written (--hs-snapshot-update)" in out, out
    stored = json.loads((folder / "__snapshots__" / "test_demo" / "test_note.json").read_text())
    assert stored == {"status": "success", "outputs": {"note_id": "<id 1>", "tier": "warm"}, "api_calls": [
        {"method": "POST", "path": "/crm/v3/objects/notes",
         "body": {"properties": {"hs_note_body": "token [secret TOKEN]", "hs_timestamp": "<now>"}}}]}
    assert TOKEN not in (folder / "__snapshots__" / "test_demo" / "test_note.json").read_text()

    code, out = pytest_run(RECORDS_BEFORE="3")
    assert code == 0, f"other ids, another time: the same snapshot\n{out}"

    (folder / "action.py").write_text(textwrap.dedent(CREATES_A_NOTE).replace('"warm"', '"hot"'))
    code, out = pytest_run()
    assert code == 1
    assert ('-    "tier": "warm"\n+    "tier": "hot"\n' in out and
            "If the change is intended, run pytest --hs-snapshot-update (or hs-actions test --snapshot-update) and "
            "commit the snapshot." in out), out

    (folder / "action.py").write_text(textwrap.dedent(CREATES_A_NOTE).replace("    return", "    requests.get("
                                      "'https://api.hubapi.com/crm/v3/objects/notes/1', headers=headers)\n    return"))
    code, out = pytest_run()
    assert code == 1
    assert "demo: over its [budget] in action.toml\n  - budget.api_calls: made 2 API calls, 1 over its budget of 1" in out
