"""Faults from the command line: --fail and --rate-limit on `run` and `portal serve`."""
import json
import os
import re
import signal
import subprocess
import sys

import pytest
import requests

from hs_actions.core import project
from hs_actions.portal.portal import LOCAL_TOKEN

HS = [sys.executable, "-m", "hs_actions.cli"]
# Three reads of contact 1 with requests: their statuses, and the rate-limit header of the last.
PROBE = """
import os
import requests


def main(event):
    headers = {"Authorization": "Bearer " + os.getenv("TOKEN")}
    answers = [requests.get("https://api.hubapi.com/crm/v3/objects/contacts/1", headers=headers) for _ in range(3)]
    return {"outputFields": {"statuses": " ".join(str(a.status_code) for a in answers),
                             "limit": answers[-1].headers.get("X-HubSpot-RateLimit-Max", "none"),
                             "body": answers[0].text}}
"""
PROBE_MANIFEST = 'object_type = "CONTACT"\nsecrets = ["TOKEN"]\n[outputs]\nstatuses = "string"\nlimit = "string"\nbody = "string"\n'


def hs(*args, env=None):
    """The command in a process of its own: the end-to-end test of each command's --fail (the
    other tests run main() in this process, run_cli in conftest.py)."""
    done = subprocess.run([*HS, *map(str, args)], capture_output=True, text=True, cwd=project.current().root,
                          env={**os.environ, "TOKEN": LOCAL_TOKEN, **(env or {})})
    return done.returncode, done.stdout, done.stderr


# Runs that only read the default seed get seeded_portal_db (a copy of a portal the session
# seeded once): seeding a fresh file costs each run 0.2 s of CPU.
@pytest.fixture
def db(tmp_path):
    return tmp_path / "portal.sqlite3"


@pytest.fixture
def probe(make_action):
    return make_action(PROBE, PROBE_MANIFEST)


@pytest.fixture
def outputs(run_cli):
    """outputs(*args) -> the outputFields of `hs-actions run *args --json`, run in this process."""
    def run(*args):
        code, out, err = run_cli("run", *args, "--json", env={"TOKEN": LOCAL_TOKEN})
        assert code == 0, err
        return json.loads(out)["outputFields"]
    return run


def test_fail_answers_the_next_matching_call_of_that_run(probe, seeded_portal_db, outputs):
    code, out, err = hs("run", probe, "--portal-db", seeded_portal_db, "--json",
                        "--fail", r"GET /crm/v3/objects/contacts/\d+ 503")
    assert code == 0, err
    found = json.loads(out)["outputFields"]
    assert found["statuses"] == "503 200 200"
    body = json.loads(found["body"])
    assert (body["status"], body["category"]) == ("error", "INTERNAL_ERROR")
    assert outputs(probe, "--portal-db", seeded_portal_db)["statuses"] == "200 200 200"  # nothing kept for the next run


def test_fail_times_and_several_rules(probe, seeded_portal_db, outputs):
    found = outputs(probe, "--portal-db", seeded_portal_db, "--fail", "* /contacts/1$ 500 2",
                    "--fail", "GET /contacts/ 429")
    assert found["statuses"] == "500 500 429"
    assert outputs(probe, "--portal-db", seeded_portal_db, "--fail", "POST .* 500 5")["statuses"] == "200 200 200"


def test_a_rule_that_matched_no_call_is_a_warning(probe, seeded_portal_db, run_cli):
    # A typo in the regex must not pass for a tested failure.
    code, out, _ = run_cli("run", probe, "--portal-db", seeded_portal_db, "--json",
                           "--fail", "GET /crm/v3/objects/contact/1 500",
                           "--fail", r"GET /contacts/\d+ 503", env={"TOKEN": LOCAL_TOKEN})
    result = json.loads(out)
    assert result["outputFields"]["statuses"] == "503 200 200"
    assert [w for w in result["warnings"] if w.startswith("--fail")] == [
        "--fail 'GET /crm/v3/objects/contact/1 500' matched no API call of this run: nothing was forced to fail "
        "(check its method and path regex against the API calls above)"]


def test_a_forced_429_is_a_retry_of_the_action(seeded_portal_db, run_cli):
    code, out, _ = run_cli("run", "archive_contact", "--object-id", "7", "--portal-db", seeded_portal_db, "--json",
                           "--fail", r"DELETE /crm/v3/objects/contacts/\d+ 429")
    result = json.loads(out)
    assert (code, result["status"]) == (1, "retry")
    assert [(c["method"], c["status"]) for c in result["api_calls"]] == [("GET", 200), ("DELETE", 429)]


@pytest.mark.parametrize("tier, limit", [("professional", "190"), ("unlimited", "none"), (None, "100")])
def test_rate_limit_picks_the_tier(probe, seeded_portal_db, tier, limit, outputs):
    chosen = ["--rate-limit", tier] if tier else []
    assert outputs(probe, "--portal-db", seeded_portal_db, *chosen)["limit"] == limit


@pytest.mark.parametrize("command, prog", [(["run", "lead_score"], "hs-actions run"),
                                           (["portal", "serve"], "hs-actions portal serve")])
@pytest.mark.parametrize("option, value, message", [
    ("--fail", "GET /x", "'GET /x': write it as METHOD PATH_REGEX STATUS [TIMES], e.g. "
                         "'DELETE /crm/v3/objects/contacts/\\d+ 429'"),
    ("--fail", "GET /x 429 1 2", "'GET /x 429 1 2': write it as METHOD PATH_REGEX STATUS [TIMES]"),
    ("--fail", "GET /x( 429", "'GET /x( 429': PATH_REGEX '/x(' is not a regular expression: missing ), "
                              "unterminated subpattern at position 2"),
    ("--fail", "GET /x 404", "'GET /x 404': a forced failure is a 429 or a 5xx status, not 404"),
    ("--fail", "GET /x 5OO", "'GET /x 5OO': STATUS '5OO' is not an HTTP status: 429 or a 5xx, e.g. 503"),
    ("--fail", "GET /x 503 0", "'GET /x 503 0': TIMES '0' is not a whole number of calls, 1 or more"),
    ("--fail", "FETCH /x 503", "'FETCH /x 503': METHOD 'FETCH' is none of the portal's: DELETE, GET, PATCH, "
                               "POST, PUT, or * for any"),
    ("--rate-limit", "pro", "unknown rate-limit tier 'pro'; use one of starter, professional, enterprise, "
                            "increase, unlimited"),
])
def test_a_bad_value_is_a_usage_error_naming_the_option(command, prog, option, value, message, db, run_cli):
    code, out, err = run_cli(*command, option, value, "--portal-db", db)
    assert (code, out) == (2, "")
    assert err.splitlines()[-1].startswith(f"{prog}: error: argument {option}: {message}")
    assert not db.exists()


def test_serve_forces_failures_and_rate_limits_while_it_serves(db):
    server = subprocess.Popen([*HS, "portal", "serve", "--db", db, "--rate-limit", "professional",
                               "--fail", "GET /crm/v3/objects/contacts/1$ 503 2"],
                              cwd=project.current().root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        banner = [server.stdout.readline(), server.stdout.readline()]
        url = re.match(r"Local portal on (http://\S+) ", banner[0]).group(1)
        assert "; rate limits of the professional tier. Ctrl-C stops it." in banner[0]
        assert banner[1] == "  forced: the next 2 GET call(s) on a path matching /crm/v3/objects/contacts/1$ get 503\n"
        headers = {"Authorization": f"Bearer {LOCAL_TOKEN}"}
        answers = [requests.get(f"{url}/crm/v3/objects/contacts/1", headers=headers, timeout=10) for _ in range(3)]
        assert [a.status_code for a in answers] == [503, 503, 200]
        assert answers[0].json()["category"] == "INTERNAL_ERROR"
        assert answers[2].headers["X-HubSpot-RateLimit-Max"] == "190"
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(10) == 0
