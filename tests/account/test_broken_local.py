"""One local action that does not load or parse is named as such; status and pull go on for
the others, and pull never makes a second folder for the action a broken one holds."""
import copy

import pytest

from hs_actions.account import status as status_module
from hs_actions.account.status import action_states, status
from tests.account.test_loop import FLOW, NAME, PYTHON_ACTION, connect, pulled


@pytest.fixture
def project(tmp_path, account_portal):
    account_portal.seed({"flows": [copy.deepcopy(FLOW), {**copy.deepcopy(FLOW), "id": "501", "name": "Second",
                                                         "actions": [copy.deepcopy(PYTHON_ACTION)]}]})
    (tmp_path / "actions").mkdir()
    pulled(tmp_path, account_portal)
    return tmp_path


def states(project, account_portal) -> dict:
    return {s.name: (s.state, s.detail) for s in action_states(connect(account_portal), actions_dir=project / "actions")}


def test_code_that_does_not_parse(project, account_portal):
    (project / "actions" / NAME / "action.py").write_text("def main(event:\n")
    found = states(project, account_portal)
    assert found["second_1"][0] == status_module.IN_SYNC
    state, detail = found[NAME]
    assert state == status_module.BROKEN and "action.py:1" in detail
    report = pulled(project, account_portal, force=True)
    assert report.written == ["second_1: unchanged"]
    (line,) = report.failed
    assert line.startswith("action 1 of workflow 500 ('Lead routing (EU)'): ") and "action.py:1" in line
    assert (project / "actions" / NAME / "action.py").read_text() == "def main(event:\n"


def test_an_action_toml_that_does_not_load(project, account_portal):
    toml = project / "actions" / NAME / "action.toml"
    toml.write_text(toml.read_text().replace('object_type = "CONTACT"', 'object_type = "NOPE"'))
    found = states(project, account_portal)
    assert found["second_1"][0] == status_module.IN_SYNC
    assert found[NAME][0] == status_module.BROKEN and "object_type: 'NOPE' is not an object type" in found[NAME][1]
    report = pulled(project, account_portal, flow_ids=["500", "501"], force=True)
    assert report.exit_code == 1 and report.written == ["second_1: unchanged"]
    assert report.failed[0].startswith(f"action 1 of workflow 500 ('Lead routing (EU)'): actions/{NAME} holds it, and "
                                       f"its action.toml does not load")
    assert sorted(p.name for p in (project / "actions").iterdir()) == [NAME, "second_1"]
    toml.write_text("[[[")                     # not even TOML: its [hubspot] cannot be read either
    report = pulled(project, account_portal)
    assert report.failed[0].startswith(f"{NAME}: its action.toml does not load, so it was not compared")


def test_status_json_lists_it(project, account_portal):
    (project / "actions" / NAME / "action.py").write_text("def main(event:\n")
    listed = status(connect(account_portal), as_json=True, actions_dir=project / "actions").data
    assert [(s["name"], s["state"]) for s in listed] == [(NAME, status_module.BROKEN), ("second_1", status_module.IN_SYNC)]


def test_a_flow_id_edited_into_something_else_never_reaches_a_url(project, account_portal):
    from hs_actions.account.deploy import deploy
    from hs_actions.account.connection import AccountError
    toml = project / "actions" / NAME / "action.toml"
    toml.write_text(toml.read_text().replace('flow_id = "500"', 'flow_id = "../../crm/v3/objects/contacts"'))
    before = len(account_portal.requests())
    with pytest.raises(AccountError, match=r"action.toml: \[hubspot\] flow_id: '../../crm/v3/objects/contacts' is not a "
                                           r"workflow id: HubSpot's are numbers"):
        deploy(connect(account_portal), NAME, actions_dir=project / "actions")
    found = states(project, account_portal)
    assert found[NAME][0] == status_module.BROKEN and found["second_1"][0] == status_module.IN_SYNC
    assert [r["path"] for r in account_portal.requests()[before:]] == ["/automation/v4/flows/501"]


def test_an_env_file_that_cannot_be_written_is_a_clear_error(project, account_portal):
    from hs_actions.account.pull import pull_actions
    from hs_actions.core.errors import ToolkitError
    (project / "afile").write_text("")
    with pytest.raises(ToolkitError, match=r"cannot write .*afile/\.env\.example \(File exists\): it is as it was"):
        pull_actions(connect(account_portal), None, actions_dir=project / "actions",
                     env_example=project / "afile" / ".env.example", env_file=project / ".env")
