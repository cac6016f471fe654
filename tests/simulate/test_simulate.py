"""hs-actions simulate: enrollments scheduled as HubSpot does, each a real run of the action."""
import json
import os
import subprocess
import sys

import pytest

from hs_actions.core import project
from hs_actions.core.errors import ToolkitError
from hs_actions.portal.portal import LOCAL_TOKEN, Portal
from hs_actions.simulate.commands import default_lanes
from hs_actions.simulate.report import human
from hs_actions.simulate.retry import RetryRule
from tests.support import write_action

SLEEPS = '''
import time


def main(event):
    time.sleep(0.2)
    return {"outputFields": {}}
'''
ODD_FAILS = '''
def main(event):
    if event["object"]["objectId"] % 2:
        raise KeyError("odd")
    return {"outputFields": {}}
'''

ARCHIVES = '''
import os
from hubspot import HubSpot


def main(event):
    client = HubSpot(access_token=os.getenv("TOKEN"))
    client.crm.contacts.basic_api.archive(event["object"]["objectId"])
    client.crm.owners.owners_api.get_page(limit=1)
    return {"outputFields": {"email": event["inputFields"]["email"]}}
'''

TWO_READS = '''
import os
from hubspot import HubSpot


def main(event):
    client = HubSpot(access_token=os.getenv("TOKEN"))
    client.crm.contacts.basic_api.get_by_id(event["object"]["objectId"])
    client.crm.owners.owners_api.get_page(limit=1)
    return {"outputFields": {}}
'''


def test_every_enrollment_runs_once_when_the_limits_allow(simulate):
    report = simulate("round_robin_owner", enrollments=20, tier="enterprise")
    f = report.data
    assert report.exit_code == 0
    assert (f["enrollments"], f["succeeded"], f["failed"], f["executions"], f["retries"]) == (20, 20, {}, 20, 0)
    assert (f["api_calls"], f["rate_limited"], f["calls_per_enrollment"]) == (40, 0, 2.0)
    assert f["daily_budget_used"] == 40 / 1_000_000
    assert 0 < f["execution_ms"]["p50"] <= f["execution_ms"]["p95"]
    assert 0 < f["hubspot_seconds"] < 20 and f["wall_seconds"] > 0
    assert f["slowest_enrollment"]["executions"] == 1
    assert f["isolation"]["sandbox"] in ("namespaces", "none")
    # The runs at once here are named with the times they shaped.
    assert (f["lanes"], f["cores"]) == (default_lanes(20, 10), os.cpu_count())


def test_a_spike_over_the_rate_limit_is_retried_a_minute_later(simulate):
    # 60 two-call executions at once (well within ten seconds, however slow this machine): calls
    # past the window's 100th get a 429, raised out of main. About 10 executions: running at
    # once, one may have its first call in and its second refused, and lanes running in
    # parallel may refuse a few more (a late call is refused if any window holding it is full).
    f = simulate("round_robin_owner", enrollments=60, tier="starter", concurrency=60).data
    assert f["succeeded"] == 60 and 9 <= f["retries"] <= 20 and f["rate_limited"] == f["retries"]
    assert 120 + f["retries"] <= f["api_calls"] <= 120 + 2 * f["retries"]   # a failed attempt made 1 or 2 calls
    assert 60 < f["hubspot_seconds"] < 75
    assert f["slowest_enrollment"]["executions"] == 2 and f["slowest_enrollment"]["hubspot_seconds"] > 60


def test_an_execution_rate_limit_spreads_the_spike_under_the_rate_limit(simulate):
    f = simulate("round_robin_owner", enrollments=60, tier="starter", rate=4.0).data
    assert (f["succeeded"], f["retries"], f["rate_limited"]) == (60, 0, 0)
    assert f["hubspot_seconds"] >= 59 / 4
    assert f["execution_rate"] == 4.0


def test_hubspot_gives_up_after_three_days(simulate):
    report = simulate("round_robin_owner", enrollments=2, failures=[("*", ".*", 429, 1000)])
    f = report.data
    assert report.exit_code == 1
    assert f["failed"] == {"retries exhausted": 2} and f["succeeded"] == 0
    rule, attempts, first, at = RetryRule(), 1, 0.0, 0.0
    while (at := rule.next_attempt(first, at, attempts - 1)) is not None:
        attempts += 1
    assert f["executions"] == 2 * attempts and f["retries"] == 2 * (attempts - 1)
    assert 3 * 86400 - 8 * 3600 < f["hubspot_seconds"] <= 3 * 86400 + 60


def test_a_retry_runs_with_the_inputs_of_the_first_execution_when_the_record_is_gone(simulate, tmp_path, monkeypatch):
    # The first execution archives its contact, then is rate limited; the retry does not read
    # the contact again (HubSpot enrolled it with its properties), and its archive answers 404.
    monkeypatch.setenv("TOKEN", LOCAL_TOKEN)
    folder, _ = write_action(tmp_path, ARCHIVES, 'object_type = "CONTACT"\nsecrets = ["TOKEN"]\n'
                                                 '[inputs]\nemail = "email"\n[outputs]\nemail = "string"\n')
    report = simulate(folder, enrollments=1, failures=[("GET", "/crm/v3/owners/", 429, 1)])
    assert report.exit_code == 1
    assert (report.data["executions"], report.data["failed"]) == (2, {"NotFoundException": 1})

REMEMBERS = '''
SEEN = []


def main(event):
    SEEN.append(event["object"]["objectId"])
    if len(SEEN) > 1:
        raise RuntimeError("module state of an earlier execution")
    return {"outputFields": {}}
'''


def test_executions_reuse_warm_processes_unless_cold(simulate, tmp_path):
    """Under a bulk enrollment HubSpot reuses a container, module state and all: an action that
    relies on a fresh module fails there, and so here; --cold starts each from a fresh process."""
    folder, _ = write_action(tmp_path, REMEMBERS, 'object_type = "CONTACT"\n[outputs]\n')
    warm = simulate(folder, enrollments=8, concurrency=2, lanes=2)
    assert warm.data["processes"] == "warm"
    assert warm.data["failed"] == {"RuntimeError": 8 - 2}   # the first execution of each lane's process succeeds
    cold = simulate(folder, enrollments=8, concurrency=2, lanes=2, cold=True)
    assert (cold.data["processes"], cold.data["succeeded"], cold.exit_code) == ("cold", 8, 0)


@pytest.mark.parametrize("enrollments, concurrency, cores, lanes", [
    (1, 10, 2, 1),          # never more lanes (runtimes started) than enrollments
    (3, 10, 2, 2),          # a lane a core for a few
    (300, 10, 2, 4),        # one more a core for every 250
    (10_000, 10, 2, 8),     # four a core at most
    (10_000, 3, 2, 3),      # never more than run at once in HubSpot
    (10_000, 100, 16, 64),
])
def test_lanes_grow_with_the_enrollments_up_to_four_a_core(enrollments, concurrency, cores, lanes):
    assert default_lanes(enrollments, concurrency, cores) == lanes


def test_failures_are_counted_by_kind(simulate, tmp_path):
    folder, _ = write_action(tmp_path, ODD_FAILS, 'object_type = "CONTACT"\n[outputs]\n')
    report = simulate(folder, enrollments=4)
    assert report.exit_code == 1
    assert (report.data["succeeded"], report.data["failed"], report.data["retries"]) == (2, {"KeyError": 2}, 0)


def test_an_execution_over_the_actions_budget_succeeds_as_hubspot_sees_it_and_is_counted_apart(
        simulate, tmp_path, monkeypatch):
    # [budget] is the team's, never HubSpot's: HubSpot would have succeeded these executions.
    monkeypatch.setenv("TOKEN", LOCAL_TOKEN)
    folder, _ = write_action(tmp_path, TWO_READS, 'object_type = "CONTACT"\nsecrets = ["TOKEN"]\n[outputs]\n'
                                                  '[budget]\napi_calls = 1\n')
    report = simulate(folder, enrollments=3)
    f = report.data
    assert (report.exit_code, f["succeeded"], f["failed"]) == (0, 3, {})
    assert f["over_budget"]["executions"] == 3
    assert f["over_budget"]["first"]["budget_errors"] == ["budget.api_calls: made 2 API calls, 1 over its budget of 1"]
    assert ("  over [budget]   3 execution(s), which HubSpot counts as succeeded; the first, record "
            f"{f['over_budget']['first']['object_id']}: budget.api_calls: made 2 API calls") in "\n".join(human(f))


def test_concurrency_bounds_the_executions_at_once(simulate, tmp_path):
    folder, _ = write_action(tmp_path, SLEEPS)
    one_at_a_time = simulate(folder, enrollments=6, concurrency=1).data
    all_at_once = simulate(folder, enrollments=6, concurrency=6).data
    assert one_at_a_time["hubspot_seconds"] >= 6 * 0.2
    assert all_at_once["hubspot_seconds"] < 3 * 0.2


def test_the_human_report(simulate):
    report = simulate("round_robin_owner", enrollments=3, tier="professional", as_json=False)
    text = report.text()
    assert text.startswith("simulate round_robin_owner: 3 enrollments, professional tier, concurrency 10")
    for line in ("succeeded       3 of 3 (all succeeded)", "api calls       6 (2 per enrollment), 0 rate limited",
                 "daily budget    under 0.01% used", "slowest         record ",
                 f"ms (here: {default_lanes(3, 10)} at once on {os.cpu_count()} cores, against the local portal)"):
        assert line in text


def test_an_input_given_applies_to_every_execution(simulate, tmp_path):
    folder, _ = write_action(tmp_path, ODD_FAILS.replace('event["object"]["objectId"] % 2', 'event["inputFields"]["flag"] == "odd"'),
                             'object_type = "CONTACT"\n[inputs]\nflag = "firstname"\n[outputs]\n')
    assert simulate(folder, enrollments=3).data["failed"] == {}
    assert simulate(folder, enrollments=3, inputs=["flag=odd"]).data["failed"] == {"KeyError": 3}
    with pytest.raises(ToolkitError, match="--input 'flag': write it as NAME=VALUE"):
        simulate(folder, enrollments=3, inputs=["flag"])


def test_records_come_from_a_file_of_ids(simulate, tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("# enrolled\n7\n\n12  # a comment\n")
    report = simulate("round_robin_owner", object_ids=ids)
    assert (report.exit_code, report.data["enrollments"]) == (0, 2)


@pytest.mark.parametrize("text, message", [
    ("7\nseven\n", "ids.txt:2: 'seven' is not a record id"),
    ("7\n7\n", "ids.txt:2: record 7 is listed twice (first on line 1)"),
    ("# none\n", "lists no record ids"),
    ("7\n99999\n", "the local portal has no CONTACT 99999: add --generate"),
])
def test_a_bad_file_of_ids_is_refused_naming_the_line(simulate, tmp_path, text, message):
    ids = tmp_path / "ids.txt"
    ids.write_text(text)
    with pytest.raises(ToolkitError, match=message.replace("(", r"\(").replace(")", r"\)")) as raised:
        simulate("round_robin_owner", object_ids=ids)
    assert raised.value.exit_code == 2


def test_more_enrollments_than_records_need_generate(simulate, seeded_db):
    with pytest.raises(ToolkitError, match="has 300 CONTACT records, and --enrollments asks for 305: add "
                                           "--generate to create the missing 5"):
        simulate("round_robin_owner", enrollments=305)
    report = simulate("lead_score", enrollments=305, generate=True, tier="enterprise")
    assert (report.exit_code, report.data["succeeded"]) == (0, 305)
    on_file = Portal(db=seeded_db)
    try:
        assert on_file.backend.counts()["contacts"] == 300    # generated in the copy only
    finally:
        on_file.close()


def test_generated_records_have_values_of_their_properties_types(seeded_db):
    from hs_actions.action.folder import load
    from hs_actions.simulate.enrollments import choose

    portal = Portal(db=":memory:")
    portal.load_copy(seeded_db)
    try:
        ids = choose(portal, load("lead_score"), ids=[5, 9001, 9002], generate=True)
        assert ids == [5, 9001, 9002]
        made = portal.record("contacts", 9001)["properties"]
        assert made["email"] == "enrolled9001@example.com"
        assert set(made) >= {"jobtitle", "numemployees", "email", "hs_analytics_num_visits"}
    finally:
        portal.close()


@pytest.mark.parametrize("options, message", [
    ({}, "give --enrollments N or --object-ids FILE"),
    ({"enrollments": 0}, "--enrollments 0: give a number of records"),
    ({"enrollments": 2, "tier": "free"}, "--tier 'free'"),
    ({"enrollments": 2, "concurrency": 0}, "--concurrency 0"),
    ({"enrollments": 2, "backoff": 0.5}, "--retry-backoff 0.5: HubSpot's wait between retries only grows"),
    ({"enrollments": 2, "retry_check": True, "failures": [("*", ".*", 429, 1)]}, "leave out --fail"),
])
def test_bad_options_are_refused(simulate, options, message):
    with pytest.raises(ToolkitError, match=message) as raised:
        simulate("round_robin_owner", **options)
    assert raised.value.exit_code == 2


def test_the_command_line_end_to_end(seeded_db):
    done = subprocess.run([sys.executable, "-m", "hs_actions.cli", "simulate", "round_robin_owner", "--enrollments", "3",
                           "--tier", "capacity", "--execution-rate", "2/second", "--portal-db", str(seeded_db), "--json"],
                          capture_output=True, text=True, cwd=project.current().root, env=os.environ)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert (figures["tier"], figures["succeeded"], figures["execution_rate"]) == ("capacity", 3, 2.0)
    # Progress: not a terminal, so one final line.
    assert done.stderr.strip().splitlines()[-1].startswith("simulate: 3/3 enrollments settled, 3 executions")
    bad = subprocess.run([sys.executable, "-m", "hs_actions.cli", "simulate", "round_robin_owner", "--enrollments", "3",
                          "--execution-rate", "fast"], capture_output=True, text=True, cwd=project.current().root)
    assert bad.returncode == 2 and "write it as N/second, N/minute or N/hour" in bad.stderr


def test_a_signal_ends_the_executions_under_way(make_action, seeded_db):
    """SIGTERM while executions of a slow action run: simulate ends at once (exit 143), not when
    they reach their time limit (20 s)."""
    import signal
    import time

    folder = make_action("import time\n\ndef main(event):\n    time.sleep(60)\n    return {'outputFields': {}}\n",
                         'object_type = "CONTACT"\n')
    command = subprocess.Popen([sys.executable, "-m", "hs_actions.cli", "simulate", str(folder), "--enrollments", "2",
                                "--portal-db", str(seeded_db)], cwd=project.current().root,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3.0)   # set up, its executions under way
        command.send_signal(signal.SIGTERM)
        assert command.wait(10) == 143   # without ending them: when they time out, 20 s in
    finally:
        command.kill()


def test_every_tier_simulate_offers_is_a_tier_of_the_portals_rate_limiter():
    from hs_actions.portal.limits import RateLimiter
    from hs_actions.simulate import TIERS

    limits = {tier: (RateLimiter(tier).per_interval, RateLimiter(tier).daily) for tier in TIERS}   # ValueError if not
    assert limits["capacity"] == limits["increase"] != limits["enterprise"]   # two names, one pack
