"""[budget] in action.toml: validated with the key named, and a successful run over one fails,
saying which budget and by how much; HubSpot never sees it (bundles carry code only)."""
import json
import re

import pytest

from hs_actions.action import manifest
from hs_actions.bundler.bundle import bundle_text
from hs_actions.core.errors import ManifestError

SLEEPS = """
import time

def main(event):
    time.sleep(0.3)
    return {"outputFields": {}}
"""
TWO_CALLS = """
import requests

def main(event):
    for _ in range(2):
        requests.get("https://api.hubapi.com/crm/v3/objects/contacts/1", timeout=5)
    return {"outputFields": {}}
"""
HOLDS_MEMORY = """
def main(event):
    held = bytearray(48 * 2**20)
    held[::4096] = b"x" * len(held[::4096])
    return {"outputFields": {}}
"""


def budgeted(table: str) -> str:
    return f'object_type = "CONTACT"\n[budget]\n{table}\n'


def test_a_budget_is_read(tmp_path):
    path = tmp_path / "action.toml"
    path.write_text(budgeted("seconds = 2\nmemory_mb = 64.5\napi_calls = 0"))
    assert manifest.load(path).budget == manifest.Budget(seconds=2, memory_mb=64.5, api_calls=0)
    path.write_text('object_type = "CONTACT"\n')
    assert manifest.load(path).budget == manifest.Budget()


@pytest.mark.parametrize("table, message", [
    ("secs = 2", "budget.secs: unknown key (did you mean 'seconds'?); known keys: seconds, memory_mb, api_calls"),
    ("seconds = 20", "budget.seconds: 20: give a number above 0 and below HubSpot's limit of 20 seconds of wall "
                     "time (e.g. seconds = 2)"),
    ("seconds = true", "budget.seconds: True: give a number above 0"),
    ("memory_mb = 0", "budget.memory_mb: 0: give a number above 0 and below HubSpot's limit of 128 MB of memory"),
    ("memory_mb = \"64\"", "budget.memory_mb: '64': give a number"),
    ("api_calls = 1.5", "budget.api_calls: 1.5: give a whole number of API calls, 0 or more (e.g. api_calls = 3)"),
    ("api_calls = -1", "budget.api_calls: -1: give a whole number"),
])
def test_a_bad_budget_names_its_key(tmp_path, table, message):
    path = tmp_path / "action.toml"
    path.write_text(budgeted(table))
    with pytest.raises(ManifestError) as raised:
        manifest.load(path)
    assert str(raised.value).startswith(f"{path}: {message}")


def test_budget_must_be_a_table(tmp_path):
    path = tmp_path / "action.toml"
    path.write_text('object_type = "CONTACT"\nbudget = 3\n')
    with pytest.raises(ManifestError, match=r"budget: must be a table \(\[budget\]\), not int"):
        manifest.load(path)


@pytest.mark.parametrize("code, table, overrun", [
    (SLEEPS, "seconds = 0.1", r"budget\.seconds: took 0\.3\d\d s, 0\.2\d\d s \(\d+%\) over its budget of 0\.1 s"),
    (TWO_CALLS, "api_calls = 1", r"budget\.api_calls: made 2 API calls, 1 over its budget of 1"),
    (HOLDS_MEMORY, "memory_mb = 32", r"budget\.memory_mb: peaked at \d+\.\d MB, \d+\.\d MB \(\d+%\) over its budget of 32 MB"),
])
def test_a_run_over_its_budget_fails_naming_it(hs_actions_harness, portal, make_action, code, table, overrun):
    result = hs_actions_harness.run(make_action(code, budgeted(table)))
    assert result.status == "over_budget" and not result.ok
    assert len(result.budget_errors) == 1
    assert re.fullmatch(overrun, result.budget_errors[0]), result.budget_errors
    assert result.error.type == "BudgetExceeded"
    assert result.error.message == "over its [budget] in action.toml: " + result.budget_errors[0]


@pytest.mark.parametrize("code, table", [(SLEEPS, "seconds = 5"), (TWO_CALLS, "api_calls = 2"),
                                         (HOLDS_MEMORY, "memory_mb = 120")])
def test_a_run_within_its_budget_succeeds(hs_actions_harness, portal, make_action, code, table):
    result = hs_actions_harness.run(make_action(code, budgeted(table)))
    assert result.status == "success", result.error
    assert result.budget_errors == []


def test_a_failed_run_keeps_its_own_status(hs_actions_harness, portal, make_action):
    code = "import requests\ndef main(event):\n    requests.get('https://api.hubapi.com/x/1')\n    raise ValueError('no')\n"
    result = hs_actions_harness.run(make_action(code, budgeted("api_calls = 0")))
    assert result.status == "error" and result.error.message == "no"
    assert result.budget_errors == ["budget.api_calls: made 1 API call, 1 over its budget of 0"]


def test_budget_false_does_not_judge(hs_actions_harness, portal, make_action):
    result = hs_actions_harness.run(make_action(TWO_CALLS, budgeted("api_calls = 0")), budget=False)
    assert result.status == "success" and result.budget_errors == []


def test_run_over_budget_exits_1_and_says_by_how_much(make_action, cli_main, seeded_portal_db):
    folder = make_action(TWO_CALLS, budgeted("api_calls = 1"))
    command = ["run", folder, "--portal-db", seeded_portal_db]
    code, out, err = cli_main(*command)
    assert code == 1, err
    assert out.startswith(f"OVER    {folder.name}: over_budget: it succeeded, but went over its [budget]")
    assert "Over budget\n  - budget.api_calls: made 2 API calls, 1 over its budget of 1\n" in out
    as_json = json.loads(cli_main(*command, "--json")[1])
    assert as_json["status"] == "over_budget" and as_json["ok"] is False
    assert as_json["budget_errors"] == ["budget.api_calls: made 2 API calls, 1 over its budget of 1"]


def test_a_bundle_carries_no_budget(tmp_path):
    from tests.support import write_action

    folder, helpers = write_action(tmp_path, "def main(event):\n    return {'outputFields': {}}\n",
                                   budgeted("seconds = 1.5\napi_calls = 3"))
    text = bundle_text(folder, helpers)
    assert "budget" not in text.lower() and "1.5" not in text
