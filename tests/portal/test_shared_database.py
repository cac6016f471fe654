"""Several processes on one portal database file: two `portal serve` see each other's properties
and schemas, and a long write by another process (a `portal seed`) makes a serving portal wait,
never answer 500."""
import json
import re
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend import store
from hs_actions.portal.portal import LOCAL_TOKEN, Portal

ROOT = Path(__file__).resolve().parents[2]
HS = [sys.executable, "-m", "hs_actions.cli"]
AUTH = {"Authorization": f"Bearer {LOCAL_TOKEN}"}
HELD = 6.0     # seconds another process holds the write lock: longer than the 5 s a write once waited
# Another process in the middle of a long transaction (as `portal seed` of a big file is): it
# takes the write lock, says so, holds it, then commits.
HOLDER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT OR REPLACE INTO meta VALUES ('held', '1')")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
"""


def serve(db: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([*HS, "portal", "serve", "--portal-db", str(db), "--rate-limit", "unlimited"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:\d+", line)
    assert found, line + process.stderr.read()
    return process, found.group()


@pytest.fixture
def served(tmp_path):
    """Start `portal serve` processes on one database; stopped (SIGTERM) at the end."""
    started = []

    def start(db):
        process, url = serve(db)
        started.append(process)
        return url
    yield start
    for process in started:
        process.terminate()
        process.wait(30)


def test_two_serves_see_each_others_properties_and_a_seed_s_schemas(tmp_path, served):
    db = tmp_path / "portal.sqlite3"
    first, second = served(db), served(db)
    with requests.Session() as a, requests.Session() as b:
        assert a.get(f"{first}/crm/v3/properties/contacts/shoe_size", headers=AUTH).status_code == 404  # cached
        created = b.post(f"{second}/crm/v3/properties/contacts", headers=AUTH, json={
            "name": "shoe_size", "label": "Shoe size", "type": "number", "fieldType": "number",
            "groupName": "contactinformation"})
        assert created.status_code == 201, created.text
        assert a.get(f"{first}/crm/v3/properties/contacts/shoe_size", headers=AUTH).json()["type"] == "number"
        record = a.post(f"{first}/crm/v3/objects/contacts", headers=AUTH,
                        json={"properties": {"email": "feet@example.com", "shoe_size": "44"}})
        assert record.status_code == 201, record.text
        # A seed run by a third process: its custom object is served by both at once.
        seed = tmp_path / "pets.json"
        seed.write_text(json.dumps({"schemas": [{"name": "pets", "objectTypeId": "2-77", "primaryDisplayProperty":
                                                 "pet_name", "properties": [{"name": "pet_name", "type": "string",
                                                                             "fieldType": "text"}]}]}))
        done = subprocess.run([*HS, "portal", "seed", str(seed), "--portal-db", str(db)], cwd=ROOT,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        for url, session in ((first, a), (second, b)):
            assert [s["name"] for s in session.get(f"{url}/crm/v3/schemas", headers=AUTH).json()["results"]] == ["pets"]
            pet = session.post(f"{url}/crm/v3/objects/pets", headers=AUTH, json={"properties": {"pet_name": "Rex"}})
            assert pet.status_code == 201, pet.text


def test_writes_wait_for_another_process_s_long_transaction_and_none_fails(tmp_path, served):
    db = tmp_path / "portal.sqlite3"
    url = served(db)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), str(HELD)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "holding\n"
    started = time.monotonic()
    statuses: list[int] = []

    def work(n):
        with requests.Session() as session:
            for i in range(5):
                statuses.append(session.post(f"{url}/crm/v3/objects/contacts", headers=AUTH, json={
                    "properties": {"email": f"w{n}-{i}@example.com"}}).status_code)
                statuses.append(session.get(f"{url}/crm/v3/objects/contacts?limit=1", headers=AUTH).status_code)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert holder.wait(30) == 0
    assert sorted(set(statuses)) == [200, 201] and len(statuses) == 40
    assert time.monotonic() - started >= HELD - 1      # they waited for it, rather than failing
    every = {"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*@example.com"}
    found = requests.post(f"{url}/crm/v3/objects/contacts/search", headers=AUTH,
                          json={"filterGroups": [{"filters": [every]}], "limit": 1}).json()
    assert found["total"] == 20                        # every write landed


def test_a_lock_held_past_the_wait_is_a_503_naming_it_and_reads_still_answer(tmp_path, monkeypatch, capfd):
    monkeypatch.setattr(store, "BUSY_WAIT", 0.3)      # the limit, not the code: held past it here
    db = tmp_path / "portal.sqlite3"
    portal = Portal(db=db)
    portal.add_token(LOCAL_TOKEN)
    server = portal.serve()
    other = sqlite3.connect(db, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with requests.Session() as session:
            answer = session.post(f"{server.url}/crm/v3/objects/contacts", headers=AUTH,
                                  json={"properties": {"email": "late@example.com"}})
            assert answer.status_code == 503
            assert answer.headers["Retry-After"] == "1"
            assert answer.json()["message"] == exc.DATABASE_BUSY.format(path=db, seconds=0)
            assert answer.json()["category"] == "INTERNAL_ERROR"
            # A read goes on (WAL): it is answered; only its log entry waits for the lock, and is lost.
            assert session.get(f"{server.url}/crm/v3/objects/contacts?limit=1", headers=AUTH).status_code == 200
        assert "but not logged: The local portal's database" in capfd.readouterr().err
        other.execute("ROLLBACK")
        assert requests.post(f"{server.url}/crm/v3/objects/contacts", headers=AUTH,
                             json={"properties": {"email": "late@example.com"}}).status_code == 201
    finally:
        other.close()
        portal.close()


def test_a_memory_portal_never_looks_for_other_processes():
    portal = Portal(db=":memory:")
    try:
        assert portal.backend.shared is False
        portal.backend.refresh_registry()               # nothing to compare: returns at once
    finally:
        portal.close()
