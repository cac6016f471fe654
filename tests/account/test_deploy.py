"""A deploy a team can trust in CI: it writes only what changed, never over an edit made in
HubSpot, sends back every field it read, and knows what became of a write whose answer was lost."""
import copy
import time

import pytest

from hs_actions.account import status as status_module
from hs_actions.account.connection import AccountError, Connection
from hs_actions.account.deploy import NotConfirmed, deploy
from hs_actions.account.status import action_states
from hs_actions.action import manifest
from tests.account.test_loop import FLOW, NAME, pulled
from tests.support import ACCOUNT_TOKEN

FLOW_PATH = r"/automation/v4/flows/500$"
# The action's test, as a team writes one, that each deploy's verification runs against the
# bundle: the action on its inputs. The starter test `pull` writes seeds the whole default portal
# first (a quarter of a second of CPU in every verification); test_loop.py deploys with that one.
OWN_TEST = f"""\
def test_an_eu_lead_is_gold(run_action):
    result = run_action("{NAME}", inputs={{"email": "ada@example.com"}}, secrets={{"HUBSPOT_TOKEN": "local-x-token"}})
    assert result.ok, result.error
    assert result.outputs == {{"domain": "example.com", "tier": "gold"}}
"""


@pytest.fixture
def project(tmp_path, account_portal):
    flow = copy.deepcopy(FLOW)
    flow["someFieldHubSpotAddsLater"] = {"kept": [1, None, "x"]}       # unknown to the toolkit: sent back as read
    flow["dataSources"] = [{"type": "ASSOCIATION", "name": "company"}]
    flow["actions"][0]["inputFields"].append({"name": "when", "value": {"type": "TIMESTAMP", "timestampType": "EXECUTION_TIME",
                                                                        "propertyName": None}})
    account_portal.seed({"flows": [flow]})
    return pulled_with_own_test(tmp_path, account_portal)


def pulled_with_own_test(root, account_portal):
    (root / "actions").mkdir()
    pulled(root, account_portal)
    (root / "actions" / NAME / f"test_{NAME}.py").write_text(OWN_TEST)
    return root


def connect(account_portal, **options) -> Connection:
    waited = options.pop("waited", [])
    return Connection(ACCOUNT_TOKEN, account_portal.server.url, sleep=waited.append, **options)


def run(project, account_portal, **options):
    connection = options.pop("connection", None) or connect(account_portal)
    return deploy(connection, NAME, actions_dir=project / "actions", **options)


def edit_code(project, old="routing ", new="routing contact "):
    code = project / "actions" / NAME / "action.py"
    code.write_text(code.read_text().replace(old, new))


def puts(account_portal) -> list:
    return [r for r in account_portal.requests() if r["method"] == "PUT"]


def in_hubspot(account_portal) -> dict:
    return account_portal.backend.flow("500")


def record(project):
    return manifest.load(project / "actions" / NAME / "action.toml").origin


def test_every_field_read_goes_back_unchanged(project, account_portal):
    before = in_hubspot(account_portal)
    edit_code(project)
    assert run(project, account_portal).exit_code == 0
    after = in_hubspot(account_portal)
    assert after["revisionId"] == "8"
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"revisionId", "updatedAt", "actions"}
    assert after["actions"][1] == before["actions"][0 + 1]
    action_before, action_after = before["actions"][0], after["actions"][0]
    assert {k for k in action_before if action_before[k] != action_after[k]} == {"sourceCode"}
    assert action_after["inputFields"][2] == {"name": "when", "value": {"type": "TIMESTAMP", "timestampType": "EXECUTION_TIME",
                                                                       "propertyName": None}}


@pytest.mark.parametrize("edit, what", [
    (lambda a: a["secretNames"].append("OTHER_SECRET"), "secretNames"),
    (lambda a: a["inputFields"].append({"name": "phone", "value": {"type": "OBJECT_PROPERTY", "propertyName": "phone"}}),
     "inputFields"),
    (lambda a: a["outputFields"].append({"name": "score", "type": "NUMBER"}), "outputFields"),
])
def test_a_field_edited_in_hubspot_is_refused_with_the_diff(project, account_portal, edit, what):
    flow = in_hubspot(account_portal)
    edit(flow["actions"][0])
    account_portal.backend.update_flow("500", flow)
    edit_code(project)
    refused = run(project, account_portal)
    assert refused.exit_code == 1
    assert refused.lines[0].startswith(f"{NAME}: not deployed: its fields in HubSpot changed since it was last pulled")
    shown = "\n".join(refused.lines)
    assert f"  {what}: " in shown and "+    print(f\"routing contact" in shown
    assert in_hubspot(account_portal)["actions"][0][what] == flow["actions"][0][what]
    assert puts(account_portal) == []
    assert run(project, account_portal, force=True).exit_code == 0
    assert in_hubspot(account_portal)["actions"][0][what] != flow["actions"][0][what]


def test_nothing_changed_writes_nothing(project, account_portal):
    done = run(project, account_portal)
    assert done.exit_code == 0
    assert done.lines == [f"{NAME}: already deployed: action 1 of workflow 500 ('Lead routing (EU)') has this code "
                          f"and these fields (revision 7); nothing written"]
    assert puts(account_portal) == [] and in_hubspot(account_portal)["revisionId"] == "7"


def test_a_flow_hubspot_has_not_finished_creating_is_refused(tmp_path, account_portal):
    account_portal.seed({"flows": [{**copy.deepcopy(FLOW), "crmObjectCreationStatus": "PENDING"}]})
    (tmp_path / "actions").mkdir()
    pulled(tmp_path, account_portal)
    edit_code(tmp_path)
    refused = run(tmp_path, account_portal)
    assert refused.exit_code == 1
    assert "its crmObjectCreationStatus is 'PENDING', not COMPLETE" in refused.lines[0]
    assert puts(account_portal) == []


LOST = {
    "a 502 after the write": dict(status=502),
    "a dropped connection": dict(drop=True),
    "a timeout": dict(delay=1.0),
    "an empty 200": dict(body=b""),
    "a 200 that is not JSON": dict(body=b"<html>ok</html>"),
    "a 200 that is a list": dict(body=b"[]"),
}


@pytest.mark.parametrize("case", sorted(LOST))
def test_a_write_whose_answer_is_lost_is_read_back_and_recognised(project, account_portal, case):
    edit_code(project)
    account_portal.tamper("PUT", FLOW_PATH, **LOST[case])
    done = run(project, account_portal, connection=connect(account_portal, timeout=0.5))
    assert done.exit_code == 0, done.lines
    assert done.lines[0].startswith(f"{NAME}: deployed to action 1 of workflow 500")
    assert "reading the workflow back shows this write landed" in done.lines[0]
    assert record(project).revision == "8"
    assert action_states(connect(account_portal), actions_dir=project / "actions")[0].state == status_module.IN_SYNC
    assert run(project, account_portal).lines[0].endswith("(revision 8); nothing written")
    assert in_hubspot(account_portal)["revisionId"] == "8"      # one write: the one whose answer was lost
    settle(account_portal)


def settle(account_portal, logged=None):
    """Wait for an answer held back (a timeout's) to be given up by the portal, so that its
    request log entry lands in this test, not the next: until a PUT is logged, or `logged`
    requests are."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (len(account_portal.requests()) < logged if logged else
                                           not puts(account_portal)):
        time.sleep(0.05)


def test_a_write_that_did_not_land_says_so(project, account_portal):
    edit_code(project)
    account_portal.fail("PUT", FLOW_PATH, status=502)
    with pytest.raises(AccountError, match=r"not written: HubSpot's answer was lost or unreadable \(502 INTERNAL_ERROR\), "
                                           r"and workflow 500 read back does not hold this deploy \(revision 7\)"):
        run(project, account_portal)
    assert in_hubspot(account_portal)["revisionId"] == "7" and record(project).revision == "7"


def test_a_write_that_cannot_be_confirmed_is_recognised_by_the_next_deploy(project, account_portal):
    edit_code(project)
    account_portal.tamper("PUT", FLOW_PATH, drop=True)
    account_portal.on_request("PUT", FLOW_PATH, lambda: account_portal.fail("GET", FLOW_PATH, status=503, times=5))
    with pytest.raises(NotConfirmed, match="written, not confirmed: the write to workflow 500 may have landed") as lost:
        run(project, account_portal)
    assert lost.value.exit_code == 3
    assert record(project).revision == "7" and in_hubspot(account_portal)["revisionId"] == "8"
    # What a killed deploy leaves too: HubSpot has the write, the record does not.
    again = run(project, account_portal)
    assert again.lines == [f"{NAME}: already deployed: action 1 of workflow 500 ('Lead routing (EU)') has this code and "
                           f"these fields (revision 8); nothing written; its [hubspot] record brought up to date"]
    assert record(project).revision == "8" and len(puts(account_portal)) == 1


def test_a_write_hubspot_refuses_says_nothing_was_written(tmp_path, account_portal):
    # A flow HubSpot holds but would not take back as it is (its Node action has no code).
    flow = copy.deepcopy(FLOW)
    del flow["actions"][1]["sourceCode"]
    account_portal.backend.store_flow_unchecked(flow)
    pulled_with_own_test(tmp_path, account_portal)
    edit_code(tmp_path)
    with pytest.raises(AccountError, match=r"^lead_routing_eu_1: HubSpot refused the write, nothing was written: PUT "
                                           r"/automation/v4/flows/500: HubSpot answered 400 VALIDATION_ERROR: Invalid flow: "
                                           r"actions\[1\].sourceCode"):
        run(tmp_path, account_portal)
    assert record(tmp_path).revision == "7"


def test_retry_after_is_honoured(account_portal):
    account_portal.seed({"flows": [copy.deepcopy(FLOW)]})
    account_portal.fail("GET", FLOW_PATH, status=429, times=2, retry_after=3)
    waited = []
    assert connect(account_portal, waited=waited).get("/automation/v4/flows/500")["id"] == "500"
    assert waited == [3, 3]


def test_a_read_that_times_out_is_tried_again(account_portal):
    account_portal.seed({"flows": [copy.deepcopy(FLOW)]})
    account_portal.tamper("GET", FLOW_PATH, delay=1.0, times=2)
    waited = []
    assert connect(account_portal, waited=waited, timeout=0.4).get("/automation/v4/flows/500")["id"] == "500"
    assert waited == [1, 2]
    settle(account_portal, logged=3)   # the two held back are logged once answered, 1 s on


def test_a_dry_run_verifies_and_says_so(project, account_portal):
    edit_code(project)
    shown = run(project, account_portal, dry_run=True)
    assert shown.exit_code == 0
    assert shown.lines[0].startswith(f"{NAME}: dry run, nothing written; verified: 1 passed")
    test = project / "actions" / NAME / f"test_{NAME}.py"
    test.write_text(test.read_text() + "\n\ndef test_fails():\n    assert False\n")
    failing = run(project, account_portal, dry_run=True)
    assert failing.exit_code == 1 and "not verified: the action's tests failed" in failing.lines[0]
    assert puts(account_portal) == [] and record(project).revision == "7"
