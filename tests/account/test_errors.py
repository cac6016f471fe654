"""Every bad input of the account commands is a clear error (exit 2) that never shows the token."""
import copy
import json

import pytest

from hs_actions.account.connection import AccountError, Connection
from hs_actions.cli import main
from tests.support import ACCOUNT_TOKEN

FLOW = {"id": "500", "name": "Lead routing (EU)", "type": "CONTACT_FLOW", "objectTypeId": "0-1", "isEnabled": False,
        "actions": [{"actionId": "1", "type": "CUSTOM_CODE", "runtime": "PYTHON39", "sourceCode": "def main(event): pass",
                     "secretNames": [], "inputFields": [], "outputFields": []}]}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert ACCOUNT_TOKEN not in out + err
    return code, out, err


def test_a_refused_token_says_so_without_showing_it(account_portal, capsys, monkeypatch):
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-na1-not-the-token-at-all")
    code, _, err = run(capsys, "pull", "--all")
    assert code == 2
    assert "the token in HUBSPOT_ACCESS_TOKEN was refused (401 INVALID_AUTHENTICATION" in err
    assert "pat-na1-not-the-token-at-all" not in err and "[secret HUBSPOT_ACCESS_TOKEN]" not in err


def test_a_missing_scope_is_named(account_portal, capsys, monkeypatch):
    account_portal.add_token("pat-local-crm-only", ["crm.objects.contacts.read"])
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "pat-local-crm-only")
    code, _, err = run(capsys, "pull", "--all")
    assert code == 2
    assert "the private app lacks the scope(s) automation (403 MISSING_SCOPES)" in err


def test_an_unreachable_account(account_portal, capsys):
    code, _, err = run(capsys, "pull", "--all", "--api-base", "http://127.0.0.1:9")
    assert code == 2
    assert err.startswith("hs-actions: cannot reach http://127.0.0.1:9 (ConnectionError")
    assert "check the address (--api-base or HS_ACTIONS_API_BASE)" in err


def test_an_api_base_that_is_not_a_url(account_portal, capsys):
    code, _, err = run(capsys, "status", "--api-base", "api.hubapi.com")
    assert code == 2 and "API base 'api.hubapi.com' (--api-base or HS_ACTIONS_API_BASE) is not a URL" in err


def test_no_token_says_where_to_put_one(account_portal, capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN")
    with pytest.raises(AccountError, match="no HUBSPOT_ACCESS_TOKEN: set it in the environment or in .env"):
        Connection.from_environment(env_file=tmp_path / "missing.env")


def test_an_unknown_flow_id(account_portal, capsys):
    code, _, err = run(capsys, "pull", "--flow", "424242")
    assert code == 2
    assert "no workflow with id 424242 in this account" in err


def test_a_flow_without_custom_code(account_portal, capsys):
    account_portal.seed({"flows": [{**copy.deepcopy(FLOW), "actions": [{"actionId": "1", "type": "SINGLE_CONNECTION",
                                                                  "actionTypeId": "0-4"}]}]})
    code, _, err = run(capsys, "pull", "--flow", "500")
    assert code == 2
    assert "workflow 500 ('Lead routing (EU)') has no custom-code action to pull" in err


def test_deploy_of_an_action_never_pulled(account_portal, capsys):
    code, _, err = run(capsys, "deploy", "lead_score")
    assert code == 2
    assert "lead_score: action.toml has no [hubspot] table" in err


def test_status_of_the_repositorys_own_actions(account_portal, capsys):
    code, out, _ = run(capsys, "status", "--json")
    assert code == 0
    listed = json.loads(out)
    assert listed and {s["state"] for s in listed} == {"never pulled or deployed"}


def test_rate_limits_are_honoured_with_backoff(account_portal):
    account_portal.seed({"flows": [copy.deepcopy(FLOW)]})
    account_portal.fail("GET", r"/automation/v4/flows/500$", status=429, times=2)
    waited = []
    flow = Connection(ACCOUNT_TOKEN, account_portal.server.url, sleep=waited.append).get("/automation/v4/flows/500")
    assert flow["id"] == "500"
    assert waited == [1, 2]


def test_a_rate_limit_that_holds_is_reported(account_portal):
    account_portal.fail("GET", r"/automation/v4/flows$", status=429, times=10)
    with pytest.raises(AccountError, match=r"HubSpot's rate limit \(TEN_SECONDLY_ROLLING\)"):
        Connection(ACCOUNT_TOKEN, account_portal.server.url, sleep=lambda s: None).get("/automation/v4/flows")


def test_no_calls_left_in_the_interval_waits_it_out(account_portal):
    account_portal.rate_limit("starter")     # 100 per 10 seconds
    waited = []
    connection = Connection(ACCOUNT_TOKEN, account_portal.server.url, sleep=waited.append)
    for _ in range(100):
        connection.get("/automation/v4/flows")
    assert waited == []
    account_portal.rate_limit("unlimited")   # the wait is not really waited here: let the next call through
    connection.get("/automation/v4/flows")
    assert len(waited) == 1 and 9 < waited[0] <= 10
