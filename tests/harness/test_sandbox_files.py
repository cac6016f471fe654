"""Files that would hand the action (or the report) something of the developer's are refused
before the run, with exit 2 and the reason: a link that leaves the action's folder, an event key
HubSpot never sends, an event file past the toolkit's cap, a number Python will not read
(attack class: files). Each through the CLI and through run_action."""
import json
import os
import sys

import pytest

from hs_actions.core.errors import ToolkitError
from hs_actions.harness.event import EVENT_FILE_MAX_BYTES

ECHO = "def main(event):\n    return {'outputFields': {}}\n"


@pytest.fixture(params=["cli", "pytest"])
def refused(request, tmp_path):
    """refused(folder, event_file=None) -> the message the run was refused with (exit 2)."""
    def run(folder, event_file=None):
        if request.param == "cli":   # the CLI's main() in this process (cli_main)
            args = ["run", folder, "--portal-db", tmp_path / "p.sqlite3"]
            args += ["--event", event_file] if event_file else []
            code, out, err = request.getfixturevalue("cli_main")(*args)
            assert code == 2, out + err
            assert "Traceback" not in err
            return err.strip().removeprefix("hs-actions: ")
        run_action = request.getfixturevalue("run_action")
        with pytest.raises(ToolkitError) as raised:
            run_action(folder, event_file=event_file)
        return str(raised.value)
    return run


@pytest.fixture
def developers_file(tmp_path):
    secret = tmp_path / "home" / ".docker" / "config.json"
    secret.parent.mkdir(parents=True)
    secret.write_text(json.dumps({"auths": {"registry": {"auth": "ZGV2OnBhc3N3b3Jk"}}}))
    return secret


def test_a_linked_event_file_that_leaves_the_folder_is_refused(refused, make_action, developers_file):
    folder = make_action(ECHO, events={"other": "{}"})
    os.symlink(developers_file, folder / "events" / "default.json")
    message = refused(folder)
    assert message == (f"{folder}/events/default.json: a symbolic link to {developers_file}, outside the action's "
                       f"folder: refused (an event file must stay in {folder} or shared/)")
    assert "ZGV2" not in message


@pytest.mark.parametrize("name", ["action.py", "action.toml"])
def test_a_linked_code_or_manifest_file_that_leaves_the_folder_is_refused(refused, make_action, tmp_path, name):
    folder = make_action(ECHO)
    outside = tmp_path / f"outside-{name}"
    (folder / name).rename(outside)
    os.symlink(outside, folder / name)
    assert refused(folder) == (f"{folder}/{name}: a symbolic link to {outside}, outside the action's folder: "
                               f"refused ({name} must stay in {folder} or shared/)")


def test_a_link_inside_the_folder_is_followed(run_action, make_action):
    folder = make_action(ECHO, events={"real": '{"inputFields": {}}'})
    os.symlink("real.json", folder / "events" / "default.json")
    assert run_action(folder).ok


def test_an_event_key_hubspot_never_sends_is_refused(refused, make_action, tmp_path):
    folder = make_action(ECHO, events={"default": json.dumps({"object": {"objectId": 2}, "auths": {}})})
    assert refused(folder) == (f"{folder}/events/default.json: top-level key \"auths\" is not one of HubSpot's event "
                               "keys (origin, object, inputFields, callbackId): an event file may not hold it")


def test_an_event_file_past_the_cap_is_refused_by_its_size(refused, make_action, tmp_path):
    big = tmp_path / "big.json"
    with open(big, "wb") as f:
        f.truncate(EVENT_FILE_MAX_BYTES + 1)   # sparse: nothing is written, nothing is read
    message = refused(make_action(ECHO), event_file=big)
    assert message == (f"{big}: {EVENT_FILE_MAX_BYTES + 1:,} bytes or more; an event file may hold at most "
                       f"{EVENT_FILE_MAX_BYTES:,} (HubSpot's events are a few hundred bytes: at most 50 input fields)")


def test_a_number_past_pythons_digit_limit_is_named_with_its_field(refused, make_action, tmp_path):
    event = tmp_path / "long.json"
    event.write_text('{"object": {"objectId": ' + "9" * 5000 + "}}")
    message = refused(make_action(ECHO), event_file=event)
    assert message == (f"{event}: the number in field object.objectId has 5,000 digits; Python reads whole numbers "
                       f"of at most {sys.get_int_max_str_digits():,}, and no HubSpot id or value is that long")


@pytest.fixture
def linked_helper(tmp_path, tmp_path_factory, monkeypatch):
    """(action folder, outside file): a project of its own, whose shared/helpers/creds.py is a
    link to a file of the developer's outside it; the action imports it."""
    from hs_actions.core import project

    root = tmp_path / "project"
    (root / "shared" / "helpers").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.hs-actions]\n")
    (root / ".hs-actions").mkdir()
    (root / ".hs-actions" / "runtime").symlink_to(project.current().runtime_env)
    for package in ("shared", "shared/helpers"):
        (root / package / "__init__.py").write_text("")
    outside = tmp_path_factory.mktemp("home") / "creds.py"
    outside.write_text("TOKEN = 'developers-own-token'\n")
    (root / "shared" / "helpers" / "creds.py").symlink_to(outside)
    folder = root / "actions" / "uses_creds"
    folder.mkdir(parents=True)
    (folder / "action.py").write_text("from shared.helpers.creds import TOKEN\n\ndef main(event):\n"
                                      "    return {'outputFields': {'token': TOKEN}}\n")
    (folder / "action.toml").write_text('object_type = "CONTACT"\n[outputs]\ntoken = "string"\n')
    monkeypatch.setenv("HS_ACTIONS_PROJECT", str(root))
    return folder, outside


def test_a_helper_linked_out_of_shared_is_refused_at_run_time_naming_the_link(attack, linked_helper):
    folder, outside = linked_helper
    report = attack(folder)
    assert report["status"] == "error"
    assert report["error"]["type"] == "ImportError", report["error"]
    assert report["error"]["message"] == (f"shared.helpers.creds ({folder.parent.parent}/shared/helpers/creds.py) is a "
                                          f"symbolic link to {outside}, outside shared/: refused")
    assert "developers-own-token" not in json.dumps(report)
