"""The loop with the real account, end to end against a second portal playing it: pull, run, test,
deploy, an edit made in HubSpot, status."""
import copy
import io
import json

import pytest

from hs_actions.account import status as status_module
from hs_actions.account.connection import AccountError, Connection
from hs_actions.account.deploy import deploy
from hs_actions.account.pull import pull_actions
from hs_actions.account.status import action_states
from hs_actions.action import manifest
from tests.support import ACCOUNT_TOKEN, pytest_in_process

CODE = '''import os

from hubspot import HubSpot


def main(event):
    client = HubSpot(access_token=os.getenv("HUBSPOT_TOKEN"))
    email = event["inputFields"].get("email") or ""
    region = event["inputFields"].get("region")
    print(f"routing {email} in {region}", client is not None)
    return {"outputFields": {"domain": email.rpartition("@")[2], "tier": "gold" if region == "EU" else "silver"}}
'''
PYTHON_ACTION = {
    "actionId": "1", "type": "CUSTOM_CODE", "runtime": "PYTHON39", "sourceCode": CODE, "secretNames": ["HUBSPOT_TOKEN"],
    "inputFields": [{"name": "email", "value": {"type": "OBJECT_PROPERTY", "propertyName": "email"}},
                    {"name": "region", "value": {"type": "STATIC_VALUE", "staticValue": "EU"}}],
    "outputFields": [{"name": "domain", "type": "STRING"},
                     {"name": "tier", "type": "ENUMERATION", "options": ["gold", "silver"]}],
    "connection": {"edgeType": "STANDARD", "nextActionId": "2"},
}
NODE_ACTION = {"actionId": "2", "type": "CUSTOM_CODE", "runtime": "NODE20X", "sourceCode": "exports.main = async () => ({})",
               "secretNames": [], "inputFields": [], "outputFields": []}
FLOW = {
    "id": "500", "name": "Lead routing (EU)", "type": "CONTACT_FLOW", "objectTypeId": "0-1", "flowType": "WORKFLOW",
    "isEnabled": True, "revisionId": "7", "canEnrollFromSalesforce": False, "blockedDates": [],
    "customProperties": {"team": "ops"}, "suppressionListIds": [12], "timeWindows": [], "dataSources": [],
    "crmObjectCreationStatus": "COMPLETE", "startActionId": "1",
    "enrollmentCriteria": {"type": "EVENT_BASED", "shouldReEnroll": True, "eventFilterBranches": []},
    "actions": [PYTHON_ACTION, NODE_ACTION],
}
NAME = "lead_routing_eu_1"


@pytest.fixture
def project(tmp_path, account_portal):
    account_portal.seed({"flows": [copy.deepcopy(FLOW)]})
    (tmp_path / "actions").mkdir()
    (tmp_path / ".env").write_text("OTHER=1\n")
    return tmp_path


def connect(account_portal) -> Connection:
    return Connection(ACCOUNT_TOKEN, account_portal.server.url, sleep=lambda s: None)


def pulled(project, account_portal, **options):
    return pull_actions(connect(account_portal), options.pop("flow_ids", None), actions_dir=project / "actions",
                env_example=project / ".env.example", env_file=project / ".env", **options)


def states(project, account_portal) -> dict:
    return {s.name: s.state for s in action_states(connect(account_portal), actions_dir=project / "actions")}


def test_pull_writes_each_python_action_as_an_action_folder(project, account_portal):
    report = pulled(project, account_portal)
    assert report.written == [f"{NAME}: created"]
    assert report.skipped == ["action 2 of workflow 500 ('Lead routing (EU)'): runtime NODE20X; "
                              "hs-actions works with Python actions"]
    folder = project / "actions" / NAME
    assert (folder / "action.py").read_text() == CODE
    declared = manifest.load(folder / "action.toml")
    assert declared.object_type == "CONTACT" and declared.secrets == ("HUBSPOT_TOKEN",)
    assert [(i.name, i.property, i.value) for i in declared.inputs] == [("email", "email", None), ("region", None, "EU")]
    assert [(o.name, o.type, o.options) for o in declared.outputs] == [("domain", "string", ()),
                                                                       ("tier", "enumeration", ("gold", "silver"))]
    assert (declared.origin.flow_id, declared.origin.action_id, declared.origin.revision) == ("500", "1", "7")
    assert json.loads((folder / "events" / "default.json").read_text())["object"]["objectType"] == "CONTACT"
    assert (project / ".env.example").read_text() == "HUBSPOT_TOKEN=local-portal-token\n"
    assert (project / ".env").read_text() == "OTHER=1\nHUBSPOT_TOKEN=local-portal-token\n"


def test_pulled_action_runs_and_its_starter_test_passes(project, account_portal, run_action):
    pulled(project, account_portal)
    folder = project / "actions" / NAME
    result = run_action(folder, inputs={"email": "ada@example.com"}, secrets={"HUBSPOT_TOKEN": "local-x-token"})
    assert result.ok, result.error
    assert result.outputs == {"domain": "example.com", "tier": "gold"}
    done = pytest_in_process("-q", str(folder / f"test_{NAME}.py"), cwd=project)
    assert done.exit_code == 0 and set(done.outcomes.values()) == {"passed"}, done.output


def test_deploy_writes_only_that_action_back_with_the_revision_read(project, account_portal):
    pulled(project, account_portal)
    code = project / "actions" / NAME / "action.py"
    code.write_text(code.read_text().replace('"silver"}}', '"bronze"}}').replace('["gold", "silver"]', '["gold"]'))
    toml = project / "actions" / NAME / "action.toml"
    toml.write_text(toml.read_text().replace('options = ["gold", "silver"]', 'options = ["gold", "bronze"]'))
    assert states(project, account_portal) == {NAME: status_module.LOCAL}
    deployed = deploy(connect(account_portal), str(project / "actions" / NAME), actions_dir=project / "actions")
    said = deployed.lines
    assert deployed.exit_code == 0
    flow = account_portal.backend.flow("500")
    assert flow["revisionId"] == "8"
    action = flow["actions"][0]
    assert action["sourceCode"].startswith(f"# {NAME}: paste-ready bundle")
    assert '"bronze"}}' in action["sourceCode"]
    assert action["outputFields"][1] == {"name": "tier", "type": "ENUMERATION", "options": ["gold", "bronze"]}
    assert action["connection"] == PYTHON_ACTION["connection"]
    assert flow["actions"][1] == NODE_ACTION
    for key in ("enrollmentCriteria", "customProperties", "suppressionListIds", "startActionId", "name", "isEnabled"):
        assert flow[key] == FLOW[key]
    assert manifest.load(toml).origin.revision == "8"
    assert states(project, account_portal) == {NAME: status_module.IN_SYNC}
    assert "verified: 1 passed" in said[0]


def test_deploy_dry_run_shows_the_diff_and_writes_nothing(project, account_portal):
    pulled(project, account_portal)
    code = project / "actions" / NAME / "action.py"
    code.write_text(code.read_text().replace("routing ", "routing contact "))
    shown = deploy(connect(account_portal), NAME, dry_run=True, actions_dir=project / "actions")
    assert shown.exit_code == 0
    shown = "\n".join(shown.lines)
    assert '-    print(f"routing {email}' in shown and '+    print(f"routing contact {email}' in shown
    assert account_portal.backend.flow("500")["revisionId"] == "7"
    assert manifest.load(project / "actions" / NAME / "action.toml").origin.revision == "7"


def edit_in_hubspot(account_portal, change):
    flow = account_portal.backend.flow("500")
    change(flow["actions"][0])
    account_portal.backend.update_flow("500", flow)


def test_an_edit_made_in_hubspot_is_seen_and_not_overwritten_without_force(project, account_portal):
    pulled(project, account_portal)
    edit_in_hubspot(account_portal, lambda a: a.update(sourceCode=a["sourceCode"].replace("gold", "platinum")))
    assert states(project, account_portal) == {NAME: status_module.EDITED}
    refused = deploy(connect(account_portal), NAME, actions_dir=project / "actions")
    assert refused.exit_code == 1
    assert refused.lines[0].startswith(f"{NAME}: not deployed: its code in HubSpot changed since it was last pulled or deployed")
    assert "platinum" in account_portal.backend.flow("500")["actions"][0]["sourceCode"]
    assert deploy(connect(account_portal), NAME, force=True, actions_dir=project / "actions").exit_code == 0
    assert "platinum" not in account_portal.backend.flow("500")["actions"][0]["sourceCode"]
    assert states(project, account_portal) == {NAME: status_module.IN_SYNC}


def test_a_field_edited_in_hubspot_is_an_edit_too(project, account_portal):
    pulled(project, account_portal)
    edit_in_hubspot(account_portal, lambda a: a.update(secretNames=["HUBSPOT_TOKEN", "OTHER"]))
    assert states(project, account_portal) == {NAME: status_module.EDITED}


def test_status_says_where_each_action_stands(project, account_portal):
    pulled(project, account_portal)
    (project / "actions" / "local_only").mkdir()
    (project / "actions" / "local_only" / "action.py").write_text("def main(event):\n    return {'outputFields': {}}\n")
    (project / "actions" / "local_only" / "action.toml").write_text('object_type = "CONTACT"\n')
    assert states(project, account_portal) == {NAME: status_module.IN_SYNC, "local_only": status_module.NEVER}
    account_portal.backend.delete_flow("500")
    assert states(project, account_portal)[NAME] == status_module.GONE


def test_pulling_again_updates_but_never_over_local_changes_without_force(project, account_portal):
    pulled(project, account_portal)
    edit_in_hubspot(account_portal, lambda a: a.update(sourceCode=a["sourceCode"].replace("gold", "platinum")))
    assert pulled(project, account_portal).written == [f"{NAME}: updated (code and action.toml)"]
    code = project / "actions" / NAME / "action.py"
    assert "platinum" in code.read_text()
    assert pulled(project, account_portal).written == [f"{NAME}: unchanged"]
    code.write_text(code.read_text() + "\n# a local change\n")
    report = pulled(project, account_portal)
    assert report.exit_code == 1 and report.refused[0].startswith(f"{NAME}: local changes to its code were never deployed")
    assert "# a local change" in code.read_text()
    assert pulled(project, account_portal, force=True).written == [f"{NAME}: updated (code and action.toml)"]
    assert "# a local change" not in code.read_text()


def test_pulling_again_keeps_the_local_budget(project, account_portal):
    pulled(project, account_portal)
    toml = project / "actions" / NAME / "action.toml"
    toml.write_text(toml.read_text() + "\n[budget]\nseconds = 1.5\napi_calls = 3\n")
    assert pulled(project, account_portal).exit_code == 0, "a budget is no local change to HubSpot's fields"
    assert manifest.load(toml).budget == manifest.Budget(seconds=1.5, api_calls=3)
    assert pulled(project, account_portal).written == [f"{NAME}: unchanged"]
    edit_in_hubspot(account_portal, lambda a: a.update(sourceCode=a["sourceCode"].replace("gold", "platinum")))
    assert pulled(project, account_portal).written == [f"{NAME}: updated (code and action.toml)"]
    assert manifest.load(toml).budget == manifest.Budget(seconds=1.5, api_calls=3)


def test_names_are_safe_against_collisions(project, account_portal):
    (project / "actions" / NAME).mkdir()     # a folder of the same name, not from HubSpot
    twin = {**copy.deepcopy(FLOW), "id": "501", "actions": [copy.deepcopy(PYTHON_ACTION)]}
    account_portal.seed({"flows": [twin]})
    report = pulled(project, account_portal)
    assert report.written == [f"{NAME}_2: created", f"{NAME}_3: created"]
    assert manifest.load(project / "actions" / f"{NAME}_3" / "action.toml").origin.flow_id == "501"


def test_a_workflow_changed_by_someone_else_during_a_deploy_is_not_overwritten(project, account_portal):
    pulled(project, account_portal)
    code = project / "actions" / NAME / "action.py"
    code.write_text(code.read_text().replace("routing ", "routing contact "))
    # Someone saves the workflow in HubSpot right after the deploy has read it.
    account_portal.on_request("GET", r"/automation/v4/flows/500$",
                       lambda: edit_in_hubspot(account_portal, lambda a: a.update(secretNames=["HUBSPOT_TOKEN"])))
    with pytest.raises(AccountError, match="was changed by someone else while deploying"):
        deploy(connect(account_portal), NAME, actions_dir=project / "actions")
    assert "routing contact" not in account_portal.backend.flow("500")["actions"][0]["sourceCode"]
    assert manifest.load(project / "actions" / NAME / "action.toml").origin.revision == "7"


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_long_pull_shows_its_progress(project, account_portal):
    account_portal.seed({"flows": [{**copy.deepcopy(FLOW), "id": str(600 + i), "actions": [copy.deepcopy(PYTHON_ACTION)]}
                            for i in range(3)]})
    shown = Terminal()
    pulled(project, account_portal, progress=shown)
    # One batch read for up to 100 workflows: the counter moves once, then the closing line.
    assert shown.getvalue() == "\rreading workflows: 4/4\rreading workflows: 4/4\n"


def test_status_names_both_sides_when_both_changed(project, account_portal):
    pulled(project, account_portal)
    edit_in_hubspot(account_portal, lambda a: a.update(sourceCode=a["sourceCode"].replace("gold", "platinum")))
    code = project / "actions" / NAME / "action.py"
    code.write_text(code.read_text().replace("silver", "bronze"))
    (state,) = action_states(connect(account_portal), actions_dir=project / "actions")
    assert state.state == status_module.EDITED
    assert state.detail == (f"its code changed in HubSpot (now revision 8); its code changed here too: merge by hand "
                            f"(hs-actions deploy {NAME} --dry-run shows HubSpot's code against this bundle)")
