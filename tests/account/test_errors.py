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


def forms(token: str) -> list[str]:
    """The token as a message might spell it: as is, stripped, escaped as Python, JSON or a URL."""
    from urllib.parse import quote
    return [f for f in {token, token.strip(), repr(token)[1:-1], json.dumps(token)[1:-1], quote(token, safe=""),
                        token.strip()[:12]} if len(f) >= 6]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r", " \t"])
def test_whitespace_around_the_token_is_cut_with_a_warning(account_portal, capsys, monkeypatch, ending):
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", ACCOUNT_TOKEN + ending)
    code, out, err = run(capsys, "status", "--json")
    assert code == 0
    assert err == ("hs-actions: warning: HUBSPOT_ACCESS_TOKEN has whitespace around it (a line end pasted with it?); "
                   "using it without\n")
    assert not any(f in out + err for f in forms(ACCOUNT_TOKEN + ending))


@pytest.mark.parametrize("token", ["pat-na1-wrong-token\r\n", "pat-na1-wrong-token\n", "  pat-na1-wrong-token"])
def test_a_refused_token_with_whitespace_is_never_shown(account_portal, capsys, monkeypatch, token):
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", token)
    code, out, err = run(capsys, "pull", "--all")
    assert code == 2 and "was refused (401" in err and "cannot reach" not in err
    assert not any(f in out + err for f in forms(token))


@pytest.mark.parametrize("token, said", [
    ("pat-na1-caf\u00e9-token", "holds a character that is not ASCII (character 12 of 18)"),
    ("pat-na1-\u4e2d\u6587-token", "holds a character that is not ASCII (character 9 of 16)"),
    ("pat-na1-in\x1bside", "holds a control character or a space (character 11 of 15)"),
    ("pat-na1 inside", "holds a control character or a space (character 8 of 14)"),
])
def test_a_token_that_cannot_be_one_is_a_clear_error(account_portal, capsys, monkeypatch, token, said):
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", token)
    code, out, err = run(capsys, "status")
    assert code == 2
    assert err.startswith(f"hs-actions: HUBSPOT_ACCESS_TOKEN {said}") and "Traceback" not in err
    assert not any(f in out + err for f in forms(token))


def test_the_token_from_env_file_is_cut_too(account_portal, monkeypatch, tmp_path):
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN")
    (tmp_path / ".env").write_text(f'HUBSPOT_ACCESS_TOKEN="{ACCOUNT_TOKEN}\\r"\n')
    warned = []
    connection = Connection.from_environment(env_file=tmp_path / ".env", warn=warned.append)
    assert connection.token == ACCOUNT_TOKEN and len(warned) == 1 and ACCOUNT_TOKEN not in warned[0]


def test_flow_ids_are_checked_before_they_reach_a_url(account_portal, capsys):
    for given in ("../../crm/v3/objects/contacts", "500?archived=true", "5 00", "500#x"):
        code, _, err = run(capsys, "pull", "--flow", given)
        assert code == 2
        assert "is not a workflow id: HubSpot's are numbers" in err
    assert account_portal.requests() == []


def test_the_first_n_results_page_past_100(account_portal):
    account_portal.seed({"flows": [{**copy.deepcopy(FLOW), "id": str(500 + i)} for i in range(230)]})
    connection = Connection(ACCOUNT_TOKEN, account_portal.server.url, sleep=lambda s: None)
    first = connection.first("/automation/v4/flows", 215)
    assert [f["id"] for f in first] == [str(500 + i) for i in range(215)]
    assert [r["query"] for r in account_portal.requests()] == ["limit=100", "limit=100&after=599", "limit=100&after=699"]


def test_a_write_that_could_not_be_sent_says_nothing_was_written():
    connection = Connection(ACCOUNT_TOKEN, "http://127.0.0.1:9", sleep=lambda s: None)
    with pytest.raises(AccountError, match=r"^cannot reach http://127.0.0.1:9 \(ConnectionError: .*; nothing was written "
                                           r"\(the request was not sent\)$") as error:
        connection.put("/automation/v4/flows/500", {})
    assert type(error.value) is AccountError      # not AnswerLost: nothing to read back
