"""Secrets: only the declared ones reach the action, from explicit > environment > .env."""
import json

import pytest

from hs_actions.core.errors import SecretError
from hs_actions.harness import secrets
from hs_actions.core.masking import Masks

SHOW_ENV = "import os, json\nprint(json.dumps(dict(os.environ)))\ndef main(event):\n    return {'outputFields': {}}\n"
TWO = 'object_type = "CONTACT"\nsecrets = ["TOKEN", "OTHER"]\n'


def test_order_explicit_then_environment_then_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("TOKEN=from-file\nOTHER=file-other\nTHIRD=file-third\n")
    values = secrets.resolve(("TOKEN", "OTHER", "THIRD"), explicit={"TOKEN": "explicit"},
                             environ={"TOKEN": "env", "OTHER": "env-other"}, env_file=env_file)
    assert values == {"TOKEN": "explicit", "OTHER": "env-other", "THIRD": "file-third"}


def test_only_declared_secrets_reach_the_action_read_at_import_time(run_action, make_action, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("OTHER=from-file\nUNDECLARED_IN_FILE=x\n")
    result = run_action(make_action(SHOW_ENV, TWO), secrets={"TOKEN": "t0ken-value"},
                        environ={"HOME": "/root", "AWS_SECRET": "leak", "OTHER": ""}, env_file=env_file)
    assert result.ok, result.error
    seen = json.loads(result.logs.replace("[secret TOKEN]", "t0ken-value").replace("[secret OTHER]", "from-file"))
    assert seen == {"TOKEN": "t0ken-value", "OTHER": "from-file", "TZ": "UTC", "LANG": "en_US.UTF-8",
                    "PATH": "/usr/local/bin:/usr/bin:/bin"}


def test_missing_secret_stops_the_run_naming_it(run_action, make_action, tmp_path):
    with pytest.raises(SecretError) as caught:
        run_action(make_action(SHOW_ENV, TWO), secrets={"TOKEN": "x"}, environ={}, env_file=tmp_path / "missing.env")
    assert str(caught.value) == f"{tmp_path / 'missing.env'}: no such env file"
    (tmp_path / "empty.env").write_text("")
    with pytest.raises(SecretError) as caught:
        run_action(make_action(SHOW_ENV, TWO), secrets={"TOKEN": "x"}, environ={}, env_file=tmp_path / "empty.env")
    assert str(caught.value).startswith(
        f"secret OTHER has no value: looked in the values given to the run, the environment and {tmp_path / 'empty.env'}. "
        f"Add `OTHER=...` to {tmp_path / 'empty.env'}")


def test_more_than_1000_characters_of_secrets_is_refused(run_action, make_action):
    folder = make_action(SHOW_ENV, TWO)
    assert run_action(folder, secrets={"TOKEN": "a" * 500, "OTHER": "b" * 500}, environ={}).ok
    with pytest.raises(SecretError, match=r"the secrets of this action total 1,001 characters \(TOKEN: 500, OTHER: 501\); HubSpot allows at most 1,000"):
        run_action(folder, secrets={"TOKEN": "a" * 500, "OTHER": "b" * 501}, environ={})


def test_undeclared_secret_reads_as_none(run_action, make_action):
    code = "import os\ndef main(event):\n    return {'outputFields': {'v': repr(os.getenv('NOT_TICKED'))}}\n"
    result = run_action(make_action(code, 'object_type = "CONTACT"\n[outputs]\nv = "string"\n'), environ={"NOT_TICKED": "x"})
    assert result.outputs == {"v": "None"}


def test_secret_values_are_masked_everywhere(run_action, make_action):
    code = ("import os\n"
            "def main(event):\n"
            "    token = os.environ['TOKEN']\n"
            "    print('using', token)\n"
            "    if event['inputFields'].get('fail'):\n"
            "        raise ValueError('bad token ' + token)\n"
            "    return {'outputFields': {'echo': token}}\n")
    manifest = 'object_type = "CONTACT"\nsecrets = ["TOKEN"]\n[inputs]\nfail = { value = "" }\n[outputs]\necho = "string"\n'
    folder = make_action(code, manifest)
    token = "pat-local-masked-value"
    ok = run_action(folder, secrets={"TOKEN": token})
    failed = run_action(folder, secrets={"TOKEN": token}, inputs={"fail": "yes"})
    assert ok.logs == "using [secret TOKEN]\n" and ok.outputs == {"echo": "[secret TOKEN]"}
    assert failed.error.message == "bad token [secret TOKEN]"
    for result in (ok, failed):
        from hs_actions.harness import report
        assert token not in json.dumps(result.to_dict(), default=str) + report.human(result)


def test_mask_prefers_longest_values():
    assert Masks({"A": "abcdef", "B": "abcdefg"}).text("abcdef abcdefg") == "[secret A] [secret B]"


def test_values_too_short_to_mask_are_left_and_named(run_action, make_action):
    code = "import os\ndef main(event):\n    return {'outputFields': {'v': 'example.com ' + os.environ['TOKEN']}}\n"
    result = run_action(make_action(code, 'object_type = "CONTACT"\nsecrets = ["TOKEN"]\n[outputs]\nv = "string"\n'),
                        secrets={"TOKEN": "com"})
    assert result.outputs == {"v": "example.com com"}
    assert result.event["object"] == {"objectType": "CONTACT", "objectId": 1}
    assert "secret TOKEN is only 3 characters long, too short to mask" in result.warnings[-1]


@pytest.mark.parametrize("content, message", [
    (b"TOKEN=abc\n\xff\xfe\n", "not UTF-8 text (byte 10): save it as UTF-8"),
    (b"TOKEN=abc\nthis line is secret-ish\n", "line 2: not a NAME=value line; fix or remove it (# starts a comment)"),
])
def test_unreadable_env_file_is_named_without_its_contents(tmp_path, content, message):
    env_file = tmp_path / ".env"
    env_file.write_bytes(content)
    with pytest.raises(SecretError) as caught:
        secrets.resolve(("TOKEN",), environ={}, env_file=env_file)
    assert str(caught.value).startswith(str(env_file)) and str(caught.value).endswith(message)
    assert "secret-ish" not in str(caught.value)


PRINTS_ITS_TOKEN = """
import os

def main(event):
    print("using", os.environ["TOKEN"])
    return {"outputFields": {"echo": "Bearer " + os.environ["TOKEN"], "fine": "x"}}
"""
PRINTS = 'object_type = "CONTACT"\nsecrets = ["TOKEN"]\n[outputs]\necho = "string"\nfine = "string"\n'


def test_a_run_that_prints_or_returns_a_secret_is_warned_naming_where(attack, make_action):
    report = attack(make_action(PRINTS_ITS_TOKEN, PRINTS), secrets={"TOKEN": "printed-t0ken-value"})
    assert report["status"] == "success", report["error"]
    assert "printed-t0ken-value" not in str(report)
    assert ("the action printed or returned secret TOKEN (in the logs, output 'echo'): masked here, but nothing "
            "says HubSpot masks an action's logs or outputs, which everyone who can see the workflow reads"
            ) in report["warnings"]


SENDS_ITS_TOKEN = """
import os
import requests

def main(event):
    token = os.environ["TOKEN"]
    headers = {"Authorization": "Bearer " + token}
    requests.get("https://api.hubapi.com/crm/v3/objects/contacts/1", headers=headers)   # as it should
    requests.patch("https://api.hubapi.com/crm/v3/objects/contacts/1", params={"key": token}, headers=headers,
                   json={"properties": {"message": "token " + token}})
    return {"outputFields": {}}
"""


def test_a_run_that_sends_a_secret_to_hubspot_as_data_is_warned_naming_the_call(attack, make_action):
    report = attack(make_action(SENDS_ITS_TOKEN, 'object_type = "CONTACT"\nsecrets = ["TOKEN"]\n'),
                    secrets={"TOKEN": "sent-t0ken-value"})
    assert report["status"] == "success", report["error"]
    assert "sent-t0ken-value" not in str(report)
    assert [w for w in report["warnings"] if "secret TOKEN" in w] == [
        "the action sent secret TOKEN to HubSpot's API as data (in the query and body of PATCH "
        "/crm/v3/objects/contacts/1): masked here, but HubSpot keeps what it is sent (a property value, a note) "
        "where anyone who can see the record reads it; send a token only as the Authorization header"]
