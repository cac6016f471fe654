"""What the account sends is data, never TOML, never a path, never terminal control: odd or
hostile actions are skipped one by one with the reason, and the pull goes on."""
import copy
import tomllib

import pytest

from hs_actions.account.connection import Connection
from hs_actions.account.pull import pull_actions
from hs_actions.action import manifest
from tests.account.test_loop import FLOW, PYTHON_ACTION
from tests.support import ACCOUNT_TOKEN

INJECTION = 'X\nphone = "mobilephone"\n#'


def connect(account_portal) -> Connection:
    return Connection(ACCOUNT_TOKEN, account_portal.server.url, sleep=lambda s: None)


def pull(tmp_path, account_portal, flow_ids=None, **options):
    return pull_actions(connect(account_portal), flow_ids, actions_dir=tmp_path / "actions",
                        env_example=tmp_path / ".env.example", env_file=tmp_path / ".env", **options)


def flow(flow_id: str, *actions, name="Lead routing (EU)") -> dict:
    return {**copy.deepcopy(FLOW), "id": flow_id, "name": name, "actions": [copy.deepcopy(a) for a in actions]}


def action(**changes) -> dict:
    return {**copy.deepcopy(PYTHON_ACTION), **changes}


def test_an_input_value_type_cannot_add_an_input(tmp_path, account_portal):
    odd = {"name": "source", "value": {"type": INJECTION, "actionId": "3"}}
    account_portal.seed({"flows": [flow("500", action(inputFields=[odd]))]})
    assert pull(tmp_path, account_portal).written == ["lead_routing_eu_1: created"]
    toml = tmp_path / "actions" / "lead_routing_eu_1" / "action.toml"
    assert tomllib.loads(toml.read_text())["inputs"] == {"source": {"hubspot": {"type": INJECTION, "actionId": "3"}}}
    declared = manifest.load(toml)
    assert [(i.name, i.hubspot) for i in declared.inputs] == [("source", {"type": INJECTION, "actionId": "3"})]


def test_every_text_from_hubspot_stays_a_value(tmp_path, account_portal):
    hostile = 'x"\n[hubspot]\nflow_id = "1"\n#'
    account_portal.seed({"flows": [flow("500", action(
        inputFields=[{"name": "email", "value": {"type": "OBJECT_PROPERTY", "propertyName": hostile}},
                     {"name": "region", "value": {"type": "STATIC_VALUE", "staticValue": hostile}}],
        outputFields=[{"name": "tier", "type": "ENUMERATION", "options": [hostile, "b"]}]), name=hostile)]})
    assert pull(tmp_path, account_portal).exit_code == 0
    (folder,) = (tmp_path / "actions").iterdir()
    data = tomllib.loads((folder / "action.toml").read_text())
    assert data["inputs"] == {"email": hostile, "region": {"value": hostile}}
    assert data["outputs"] == {"tier": {"type": "enumeration", "options": [hostile, "b"]}}
    assert data["hubspot"]["flow_id"] == "500" and repr(hostile) in data["description"]


BAD_ACTIONS = {
    "no actionId": ({"actionId": None}, "its actionId None is not an action id"),
    "an actionId that is a path": ({"actionId": "../../etc"}, "its actionId '../../etc' is not an action id"),
    "an actionId too long for a folder": ({"actionId": "9" * 300}, "is not an action id (up to 40"),
    "code that is not a string": ({"sourceCode": ["def main(event): pass"]}, "its sourceCode is a list, not a string"),
    "a lone surrogate": ({"sourceCode": "x = '\ud800'"}, "text that is not valid Unicode"),
    "fields that are not a list": ({"inputFields": {"a": 1}}, "its inputFields is an object, not a list"),
    "an input without a value": ({"inputFields": [{"name": "a"}]}, "input field 'a' has no value type"),
    "an input name twice": ({"inputFields": [PYTHON_ACTION["inputFields"][0]] * 2}, "its inputFields name 'email' twice"),
    "an unknown output type": ({"outputFields": [{"name": "n", "type": "CURRENCY"}]},
                               "output field 'n': output type 'CURRENCY' is not one hs-actions knows"),
    "a secret name .env cannot hold": ({"secretNames": ["A=B\nHUBSPOT_ACCESS_TOKEN"]},
                                       "secrets: 'A=B\\nHUBSPOT_ACCESS_TOKEN' is not a secret name"),
    "an input name action.toml cannot declare": ({"inputFields": [{"name": "1 x", "value": {"type": "STATIC_VALUE",
                                                                                           "staticValue": "a"}}]},
                                                 "its fields in HubSpot: inputs.1 x:"),
}


@pytest.mark.parametrize("case", sorted(BAD_ACTIONS))
def test_an_action_that_cannot_become_a_folder_is_named_and_the_pull_goes_on(tmp_path, account_portal, case):
    change, why = BAD_ACTIONS[case]
    good = flow("600", action(), name="Good one")
    account_portal.backend.store_flow_unchecked(flow("500", action(**change)))
    account_portal.seed({"flows": [good]})
    pulled = pull(tmp_path, account_portal)
    assert pulled.exit_code == 1
    assert pulled.written == ["good_one_1: created"]
    (line,) = pulled.failed
    assert line.startswith("action ") and " of workflow 500 ('Lead routing (EU)'): " in line
    assert why in line
    assert [p.name for p in (tmp_path / "actions").iterdir()] == ["good_one_1"]
    assert "\n" not in line


def test_text_from_the_account_is_escaped_before_a_terminal(tmp_path, account_portal):
    from hs_actions.account.deploy import deploy
    clear = "\x1b[2J\x1b]0;owned\x07\r"
    account_portal.seed({"flows": [flow("500", action(), action(actionId="2", runtime="NODE20X"), name=f"Routing{clear}")]})
    pulled = pull(tmp_path, account_portal)
    (folder,) = (tmp_path / "actions").iterdir()
    assert "\x1b" not in pulled.report().text()
    assert pulled.skipped == ["action 2 of workflow 500 ('Routing\\x1b[2J\\x1b]0;owned\\x07\\r'): runtime NODE20X; "
                              "hs-actions works with Python actions"]
    edited = account_portal.backend.flow("500")
    edited["actions"][0]["sourceCode"] += f"# {clear}\n"
    account_portal.backend.update_flow("500", edited)
    refused = deploy(connect(account_portal), folder.name, actions_dir=tmp_path / "actions")
    shown = "\n".join(refused.lines)
    assert refused.exit_code == 1 and "+# \\x1b[2J\\x1b]0;owned\\x07\\r" not in shown
    assert "-# \\x1b[2J\\x1b]0;owned\\x07\\r" in shown
    assert not any(c in shown for c in "\x1b\x07\r")


def test_an_action_id_used_twice_in_a_workflow_is_refused_for_both(tmp_path, account_portal):
    account_portal.backend.store_flow_unchecked(flow("500", action(), action(sourceCode="def main(event):\n    return {}\n")))
    pulled = pull(tmp_path, account_portal)
    assert pulled.exit_code == 1 and pulled.written == []
    assert pulled.failed == ["action 1 of workflow 500 ('Lead routing (EU)'): its actionId is used by another action of "
                             "the workflow too, so no folder could be told apart from the other"] * 2
    assert not (tmp_path / "actions").exists() or list((tmp_path / "actions").iterdir()) == []


def test_a_workflow_missing_from_the_batch_read_is_named(tmp_path, account_portal):
    account_portal.seed({"flows": [flow("500", action()), flow("501", action(), name="Deleted meanwhile")]})
    account_portal.on_request("GET", r"/automation/v4/flows$", lambda: account_portal.backend.delete_flow("501"))
    pulled = pull(tmp_path, account_portal)
    assert pulled.written == ["lead_routing_eu_1: created"]
    assert pulled.failed == ["workflow 501: listed, but not in the answer to the batch read (deleted meanwhile?); "
                             "`hs-actions pull --flow 501` tries it alone"]
    assert pulled.exit_code == 1
