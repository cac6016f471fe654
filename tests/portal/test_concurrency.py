"""Many threads writing through one server lose nothing; processes opening one database
file at once do not trip over each other."""
import subprocess
import sys
import threading
from pathlib import Path

from hubspot import HubSpot
from hubspot.crm.contacts import SimplePublicObjectInput, SimplePublicObjectInputForCreate

from hs_actions.portal import commands
from tests.support import TOKEN

THREADS, WRITES = 8, 250


def test_8_threads_x_250_writes_lose_nothing(empty_portal):
    seed = empty_portal.backend.create("contacts", {"email": "counter@example.com", "annualrevenue": "0"})
    errors, created = [], [[] for _ in range(THREADS)]

    def work(n):
        # One API object per thread, as a loop in an action would hold it: each `.basic_api` makes
        # a new one (reading the package's version from its metadata, and a connection pool of its
        # own), which cost more CPU than the writes this test is about.
        contacts = HubSpot(access_token=TOKEN, host=empty_portal.server.url).crm.contacts.basic_api
        try:
            for i in range(WRITES):
                if i % 2:
                    contacts.update(str(seed.id), SimplePublicObjectInput(
                        properties={"firstname": f"t{n}-{i}"}))
                else:
                    record = contacts.create(SimplePublicObjectInputForCreate(
                        properties={"email": f"t{n}-{i}@example.com"}))
                    created[n].append(record.id)
        except Exception as error:  # reported below, with the thread that saw it
            errors.append((n, error))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = [i for per_thread in created for i in per_thread]
    assert len(ids) == len(set(ids)) == THREADS * WRITES // 2
    assert empty_portal.backend.counts() == {"contacts": THREADS * WRITES // 2 + 1}
    history = empty_portal.backend.get("contacts", seed.id, history=["firstname"]).history["firstname"]
    assert len(history) == THREADS * WRITES // 2
    statuses = [r["status"] for r in empty_portal.requests()]
    assert len(statuses) == THREADS * WRITES and set(statuses) == {200, 201}


# Each process imports first, says so, then waits for the go file: all open at the same moment.
FIRST_RUN = """
import sys, time
from pathlib import Path
from hs_actions.portal import commands
print("ready", flush=True)
while not Path(sys.argv[2]).exists():
    time.sleep(0.001)
portal = commands.open_local(sys.argv[1])
print(portal.backend.counts()["contacts"], len(portal.backend.tokens()))
portal.close()
"""


def test_first_runs_started_together_seed_a_fresh_database_once(tmp_path):
    db, go = tmp_path / "portal.sqlite3", tmp_path / "go"
    root = Path(__file__).resolve().parents[2]
    runs = [subprocess.Popen([sys.executable, "-c", FIRST_RUN, str(db), str(go)], cwd=root, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(8)]
    for run in runs:
        assert run.stdout.readline() == "ready\n", run.communicate()[1]
    go.touch()
    outcomes = [(run.wait(30), run.stdout.read(), run.stderr.read()) for run in runs]
    assert [(code, err) for code, _out, err in outcomes] == [(0, "")] * 8
    assert {out for _code, out, _err in outcomes} == {"300 1\n"}
    empty_portal = commands.open_local(db)
    try:
        assert empty_portal.backend.counts()["contacts"] == 300 and len(empty_portal.backend.tokens()) == 1
    finally:
        empty_portal.close()
