"""Arguments a run would misread are refused at the call, naming the argument: a string of
hosts, secrets that are not strings, inputs that are no mapping; an event nested absurdly
deep is an EventError (exit 2 from the command line), not a RecursionError."""
import os
import subprocess
import sys

import pytest

from hs_actions.core import project
from hs_actions.core.errors import EventError

CODE = 'def main(event):\n    return {"outputFields": {}}\n'
SECRET = 'object_type = "CONTACT"\nsecrets = ["TOKEN"]\n[inputs]\nemail = "email"\n'


@pytest.mark.parametrize("options, message", [
    ({"allow_hosts": "x.com"},
     "allow_hosts='x.com': give a list of host names, e.g. ['x.com'] (a string is read as its characters)"),
    ({"allow_hosts": ["x.com", ""]},
     "allow_hosts=['x.com', '']: give a list of host names, e.g. ['example.com', '127.0.0.1:8080']"),
    ({"secrets": {"TOKEN": 123}}, "secrets={'TOKEN': 123}: TOKEN is int 123: the environment holds strings only"),
    ({"environ": {"TOKEN": b"abc"}},
     "environ={'TOKEN': b'abc'}: TOKEN is bytes b'abc': the environment holds strings only"),
    ({"secrets": "TOKEN=abc"}, "secrets='TOKEN=abc': give a dict of secret names to values (got str)"),
    ({"inputs": [("email", "a@b.c")]},
     "inputs=[('email', 'a@b.c')]: give a dict of input field names to values (got list)"),
    ({"inputs": {1: "a@b.c"}}, "inputs={1: 'a@b.c'}: its keys are input field names, strings (got int)"),
    ({"event": '{"inputFields": {}}'}, "event='{\"inputFields\": {}}': give the event as a dict (got str)"),
    ({"event_file": 3}, "event_file=3: give a path (got int)"),
    ({"object_id": "12"}, "object_id='12': give the record's id as a whole number greater than 0"),
    ({"object_id": True}, "object_id=True: give the record's id as a whole number greater than 0"),
    ({"warm": "yes"}, "warm='yes': give True or False"),
])
def test_arguments_of_the_wrong_type_are_refused_naming_them(run_action, make_action, options, message):
    folder = make_action(CODE, SECRET)
    with pytest.raises(TypeError) as raised:
        run_action(folder, **{"secrets": {"TOKEN": "a-token"}, **options})
    assert str(raised.value) == message


def test_arguments_of_the_right_types_run(run_action, make_action):
    result = run_action(make_action(CODE, SECRET), secrets={"TOKEN": "a-token"}, inputs={"email": None},
                        allow_hosts={"example.com"}, object_id=3, warm=False, environ={})
    assert result.ok, result.error


def deep(levels):
    return '{"inputFields": ' + '{"a": ' * levels + "1" + "}" * levels + "}"


def test_an_event_file_nested_100000_deep_is_a_clean_exit_2(tmp_path, make_action):
    folder = make_action(CODE)
    event = tmp_path / "deep.json"
    event.write_text(deep(100_000))
    done = subprocess.run([sys.executable, "-m", "hs_actions.cli", "run", str(folder), "--event", str(event),
                           "--portal-db", str(tmp_path / "portal.sqlite3")],
                          capture_output=True, text=True, cwd=project.current().root, env=os.environ)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (f"hs-actions: {event}: the event is nested more than 100 levels deep; HubSpot's events "
                           f"are a few levels deep (origin, object, inputFields)\n")


@pytest.mark.parametrize("levels", [150, 100_000])
def test_an_event_nested_too_deep_is_an_event_error_through_run_action(run_action, make_action, tmp_path, levels):
    folder = make_action(CODE)
    (tmp_path / "deep.json").write_text(deep(levels))
    with pytest.raises(EventError, match=rf"^{tmp_path}/deep.json: the event is nested more than 100 levels deep"):
        run_action(folder, event_file=tmp_path / "deep.json")
    nested = {}
    for _ in range(levels):
        nested = {"a": nested}
    with pytest.raises(EventError, match=r"^the event given: the event is nested more than 100 levels deep"):
        run_action(folder, event={"inputFields": {}, "extra": nested})


def test_an_event_98_levels_deep_still_runs(run_action, make_action, tmp_path):
    (tmp_path / "deep.json").write_text(deep(98))
    assert run_action(make_action(CODE), event_file=tmp_path / "deep.json").ok


def test_limits_above_hubspots_are_run_with_a_warning_and_hubspots_own_without(run_action, make_action):
    folder = make_action(CODE, SECRET)
    loose = run_action(folder, secrets={"TOKEN": "a-token"}, timeout=25, memory=256)
    assert loose.ok, loose.error
    assert [w for w in loose.warnings if "above HubSpot's" in w] == [
        "timeout 25 s is above HubSpot's 20 s: a run this long passes here and times out in HubSpot",
        "memory 256 MB is above HubSpot's 128 MB: a run this large passes here and is stopped in HubSpot"]
    assert not [w for w in run_action(folder, secrets={"TOKEN": "a-token"}, timeout=20, memory=128).warnings
                if "above HubSpot's" in w]
