"""Masking everywhere a secret can travel: logs (masked before they are cut), output names,
exception names, every field of a result, the portal's request log, warm runs; in pytest and
through the CLI (--json and the report). Each check scans the whole result, not only the
field the secret was put in."""
import json
import re
import sqlite3
import textwrap

import pytest
import requests

from hs_actions.harness import report
from hs_actions.harness.logs import LOG_HEAD_BYTES as HEAD, LOG_TAIL_BYTES as TAIL

SECRET = "pat-na1-Q7ZK3M8VX2LD9WB4T6YF"      # no 6 characters of it occur in anything else a run shows
EARLIER = "pat-na1-J5RN8C2HP4XM7QA3G9UE"     # a warm run's previous value
MASK = "[secret TOKEN]"
MANIFEST = 'object_type = "CONTACT"\nsecrets = ["TOKEN"]\n[outputs]\n'


def pieces(text: str, secrets=(SECRET, EARLIER)) -> list[str]:
    """The pieces of the secrets (6 characters or more) that `text` shows."""
    return [s[i:i + 6] for s in secrets for i in range(len(s) - 5) if s[i:i + 6] in text]


def leaks(data, where: str = "result") -> list[str]:
    """Where in `data` (every string, dict keys included) a piece of a secret shows."""
    if isinstance(data, str):
        return [where] if pieces(data) else []
    if isinstance(data, dict):
        return [w for key, value in data.items() for w in leaks(key, f"{where} (a key)") + leaks(value, f"{where}.{key}")]
    if isinstance(data, list):
        return [w for i, value in enumerate(data) for w in leaks(value, f"{where}[{i}]")]
    return []


def assert_masked(result) -> None:
    assert leaks(result.to_dict()) == []
    assert pieces(json.dumps(result.to_dict(), default=str) + report.human(result)) == []


# Printed where the log's head ends: today's cut kept its first 8 and last 8 characters.
ACROSS_HEAD = f"""\
import os, sys
def main(event):
    sys.stdout.write('x' * {HEAD - 8} + os.environ['TOKEN'] + 'y' * {TAIL - 8})
    return {{'outputFields': {{}}}}
"""
ACROSS_HEAD_LOGS = "x" * (HEAD - 8) + MASK + "y" * (TAIL - 8)

# Printed where the log's tail starts: today's cut kept its last 10 characters.
ACROSS_TAIL = f"""\
import os, sys
def main(event):
    sys.stdout.write('x' * {HEAD} + '-' * 1000 + os.environ['TOKEN'] + 'z' * {TAIL - 10})
    return {{'outputFields': {{}}}}
"""
ACROSS_TAIL_LOGS = "x" * HEAD + "\n[hs-actions: 1,000 bytes of log dropped here]\n" + MASK + "z" * (TAIL - 10)

OUTPUT_NAME = """\
import os
def main(event):
    return {'outputFields': {os.environ['TOKEN']: 'v'}}
"""

# A class named after the secret, in a module named after it.
EXCEPTION_NAMES = """\
import os
def main(event):
    token = os.environ['TOKEN']
    raise type(token, (Exception,), {'__module__': token})('boom')
"""

REQUEST = """\
import os, requests
def main(event):
    token = os.environ['TOKEN']
    requests.get('https://api.hubapi.com/crm/v3/objects/contacts/' + token, params={'hapikey': token},
                 headers={'Authorization': 'Bearer ' + token})
    return {'outputFields': {}}
"""
REQUESTED = ("/crm/v3/objects/contacts/[secret TOKEN]", "hapikey=[secret TOKEN]")


@pytest.mark.parametrize("code, logs", [(ACROSS_HEAD, ACROSS_HEAD_LOGS), (ACROSS_TAIL, ACROSS_TAIL_LOGS)],
                         ids=["head", "tail"])
def test_a_secret_printed_where_the_log_is_cut_is_masked_whole(run_action, make_action, code, logs):
    result = run_action(make_action(code, MANIFEST), secrets={"TOKEN": SECRET})
    assert result.logs == logs
    assert_masked(result)


def test_a_secret_split_between_two_reads_of_the_log_is_masked(run_action, make_action):
    # Written in two pieces, the first ending inside the two bytes of "ü", read apart.
    secret = "pässwort-Zürich-42"
    code = ("import os, time\n"
            "def main(event):\n"
            "    data = os.environ['TOKEN'].encode()\n"
            "    os.write(1, data[:13])\n"
            "    time.sleep(0.2)\n"
            "    os.write(1, data[13:] + b'\\n')\n"
            "    return {'outputFields': {}}\n")
    result = run_action(make_action(code, MANIFEST), secrets={"TOKEN": secret})
    assert result.logs == MASK + "\n"


def test_where_the_log_is_cut_no_character_is_split(run_action, make_action):
    whole = run_action(make_action(f"import sys\ndef main(event):\n    sys.stdout.write('x' * {HEAD - 1} + 'é' * 3)\n"
                                   "    return {'outputFields': {}}\n"))
    assert whole.logs == "x" * (HEAD - 1) + "é" * 3
    count = TAIL // 3 + 100     # three bytes each: the tail's cut falls inside one
    cut = run_action(make_action(f"import sys\ndef main(event):\n    sys.stdout.write('x' * {HEAD} + '€' * {count})\n"
                                 "    return {'outputFields': {}}\n"))
    dropped = (3 * count - TAIL) // 3 * 3
    assert cut.logs == "x" * HEAD + f"\n[hs-actions: {dropped} bytes of log dropped here]\n" + "€" * (count - dropped // 3)


def test_an_output_named_after_a_secret_is_masked(run_action, make_action):
    result = run_action(make_action(OUTPUT_NAME, MANIFEST), secrets={"TOKEN": SECRET})
    assert result.outputs == {MASK: "v"}
    assert result.output_errors[0].startswith(f"output '{MASK}' is not declared in action.toml")
    assert_masked(result)


def test_an_exception_named_after_a_secret_is_masked(run_action, make_action):
    result = run_action(make_action(EXCEPTION_NAMES, MANIFEST), secrets={"TOKEN": SECRET})
    assert (result.error.type, result.error.message) == (MASK, "boom")
    assert result.error.traceback.endswith(f"\n{MASK}.{MASK}: boom\n")
    assert_masked(result)


def test_the_portal_request_log_and_its_assertions_mask_secret_values(run_action, make_action, portal):
    result = run_action(make_action(REQUEST, MANIFEST), secrets={"TOKEN": SECRET})
    assert [(c["path"], c["query"], c["status"]) for c in result.api_calls] == [(*REQUESTED, 401)]
    assert_masked(result)
    # Every entry is masked, also one sent without the run's tag; the database keeps no copy.
    requests.get(f"{portal.server.url}/crm/v3/objects/contacts/{SECRET}")
    assert [(c["path"], c["query"]) for c in portal.requests()] == [REQUESTED, (REQUESTED[0], "")]
    assert pieces(repr(portal.backend.conn.execute("SELECT * FROM requests").fetchall())) == []
    assert len(portal.assert_requested("GET", re.escape("/crm/v3/objects/contacts/[secret TOKEN]"), times=2)) == 2
    with pytest.raises(AssertionError) as caught:
        portal.assert_requested("DELETE", f"/crm/v3/objects/contacts/{SECRET}")
    assert str(caught.value) == (
        "DELETE /crm/v3/objects/contacts/[secret TOKEN] was requested never. Most similar of the 2 requests made:\n"
        "  GET /crm/v3/objects/contacts/[secret TOKEN] -> 401\n  GET /crm/v3/objects/contacts/[secret TOKEN] -> 401")


def test_a_warm_run_masks_the_secrets_of_the_runs_before_it(run_action, make_action, portal):
    code = ("import os, requests\n"
            "KEPT = os.environ['TOKEN']     # read at import: a warm run keeps it\n"
            "RUNS = []\n"
            "def main(event):\n"
            "    RUNS.append(1)\n"
            "    print('run', len(RUNS), 'kept', KEPT, 'now', os.environ['TOKEN'])\n"
            "    requests.get('https://api.hubapi.com/crm/v3/objects/contacts/' + KEPT)\n"
            "    return {'outputFields': {'kept': KEPT}}\n")
    folder = make_action(code, MANIFEST + 'kept = "string"\n')
    first = run_action(folder, secrets={"TOKEN": EARLIER}, warm=True)
    second = run_action(folder, secrets={"TOKEN": SECRET}, warm=True)
    assert first.logs == f"run 1 kept {MASK} now {MASK}\n"
    assert second.logs == f"run 2 kept {MASK} now {MASK}\n"
    assert second.outputs == {"kept": MASK}
    for result in (first, second):
        assert_masked(result)
    assert [c["path"] for c in portal.requests()] == [REQUESTED[0]] * 2


def test_a_log_is_masked_once_even_when_the_value_occurs_in_its_mask(run_action, make_action):
    # Masked as it is read, then again with the whole result: the mask must come out whole.
    code = "import os\ndef main(event):\n    print(os.environ['TOKEN'], '[secret TOKEN]')\n    return {'outputFields': {}}\n"
    result = run_action(make_action(code, MANIFEST), secrets={"TOKEN": "secret"})
    assert result.logs == f"{MASK} {MASK}\n"


@pytest.fixture(scope="module")
def cli_root(tmp_path_factory):
    """A folder holding the env file with the secret TOKEN, the portal database and the actions."""
    root = tmp_path_factory.mktemp("masking-cli")
    (root / "secrets.env").write_text(f"TOKEN={SECRET}\n")
    return root


@pytest.fixture
def cli(cli_root, cli_main):
    """cli(code, *args) -> (exit code, stdout, stderr, portal database) of `hs-actions run` on
    an action holding `code`, its secret TOKEN in an env file given by --env-file: the CLI's
    main() in this process, its output read at the file descriptors (tests/cli runs the command
    end to end, in a process of its own)."""
    db = cli_root / "portal.sqlite3"

    def run(code: str, *args):
        folder = cli_root / f"action_{len(list(cli_root.glob('action_*')))}"
        folder.mkdir()
        (folder / "action.py").write_text(textwrap.dedent(code))
        (folder / "action.toml").write_text(MANIFEST)
        done = cli_main("run", folder, "--env-file", cli_root / "secrets.env", "--portal-db", db, *args,
                        env={"TOKEN": None})
        return (*done, db)

    return run


@pytest.mark.parametrize("code, expected", [
    (ACROSS_HEAD, lambda data: data["logs"] == ACROSS_HEAD_LOGS),
    (ACROSS_TAIL, lambda data: data["logs"] == ACROSS_TAIL_LOGS),
    (OUTPUT_NAME, lambda data: data["outputFields"] == {MASK: "v"}),
    (EXCEPTION_NAMES, lambda data: data["error"]["type"] == MASK),
    (REQUEST, lambda data: [(c["path"], c["query"]) for c in data["api_calls"]] == [REQUESTED]),
], ids=["log-head-cut", "log-tail-cut", "output-name", "exception-names", "portal-request"])
def test_the_cli_masks_the_json_and_the_report(cli, code, expected):
    code_json, out, err, db = cli(code, "--json")
    data = json.loads(out)
    assert code_json in (0, 1) and expected(data)
    assert leaks(data) == [] and pieces(err) == []
    code_human, out, err, _ = cli(code)
    assert code_human == code_json and MASK in out
    assert pieces(out + err) == []
    # The portal's database (and its write-ahead log) keeps no copy either.
    with sqlite3.connect(db) as conn:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert pieces(repr([conn.execute(f"SELECT * FROM {t}").fetchall() for t in tables])) == []
    for file in db.parent.glob(db.name + "*"):
        assert pieces(file.read_bytes().decode("latin-1")) == [], file

