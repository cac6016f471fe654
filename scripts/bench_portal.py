"""How fast the local portal answers the official client, next to a do-nothing server.

    .venv/bin/python scripts/bench_portal.py [--contacts 10000] [--calls 300] [--db FILE]

Seeds a portal with N contacts of some 35 properties each, then times the official hubspot-api-client doing get,
update and a two-filter search against it, and doing the same calls against a baseline:
an http.server that replays the portal's own answer to each kind of call and does nothing
else (same threading server, keep-alive and single write per response as the portal, and
the client parses the same bodies, so the ratio is what the portal's own work costs). Prints median milliseconds, requests per
second and portal/baseline ratios; then times building the default seed (every object type).
Targets: search < 20 ms median; get and update within 2x of the baseline; the default seed
in under 2 seconds.
"""
from __future__ import annotations

import argparse
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hubspot import HubSpot  # noqa: E402
from hubspot.crm.contacts import PublicObjectSearchRequest, SimplePublicObjectInput  # noqa: E402

from hs_actions.portal.portal import Portal  # noqa: E402

TOKEN = "pat-na1-bench"
STAGES = ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer"]
SEARCH_BODY = {
    "filterGroups": [{"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"},
                                  {"propertyName": "annualrevenue", "operator": "GT", "value": "50000"}]}],
    "properties": ["email", "firstname", "annualrevenue"], "limit": 10}
SEARCH = PublicObjectSearchRequest(filter_groups=SEARCH_BODY["filterGroups"], properties=SEARCH_BODY["properties"],
                                   limit=SEARCH_BODY["limit"])


# Text properties every bench contact also fills: records as wide as a real account's.
WIDE = ["jobtitle", "address", "zip", "state", "country", "website", "phone", "mobilephone", "salutation", "message",
        "twitterhandle", "linkedinbio", "school", "degree", "field_of_study", "job_function", "seniority", "gender",
        "marital_status", "military_status", "relationship_status", "work_email", "start_date", "graduation_date",
        "company_size", "industry", "hs_linkedin_url", "hs_analytics_source_data_1"][:-1]


def contacts(n: int) -> dict:
    rng = random.Random(7)
    return {"records": {"contacts": [
        {"id": str(i), "createdAt": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z",
         "properties": {"email": f"person{i}@example.com", "firstname": f"First{i}", "lastname": f"Last{i % 97}",
                        "lifecyclestage": rng.choice(STAGES), "annualrevenue": str(rng.randint(0, 100000)),
                        "company": f"Company {i % 500}", "city": rng.choice(["Boston", "Dublin", "Berlin"]),
                        **{name: f"{name} {i}" for name in WIDE}}}
        for i in range(1, n + 1)]}}


def default_seed_seconds(builds: int = 5) -> tuple[float, int]:
    """(median seconds to build the default seed into a fresh file database, records it adds)."""
    samples, records = [], 0
    with tempfile.TemporaryDirectory(prefix="hs-bench-seed-") as folder:
        for i in range(builds):
            portal = Portal(db=str(Path(folder) / f"seed{i}.sqlite3"))
            started = time.perf_counter()
            records = portal.seed_default()["records"]
            samples.append(time.perf_counter() - started)
            portal.close()
    return statistics.median(samples), records


class _Canned(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bodies: dict = {}

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        payload = self.bodies[self.command if not self.path.endswith("/search") else "SEARCH"]
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=utf-8\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(payload) + payload)

    do_GET = do_PATCH = do_POST = _answer

    def log_message(self, *args):
        pass


def baseline(bodies: dict[str, bytes]) -> ThreadingHTTPServer:
    """A server answering GET, PATCH and search with the given bodies."""
    _Canned.bodies = bodies
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Canned)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def timed(call, calls: int) -> tuple[float, float]:
    """(median ms, requests per second) of `calls` calls after a short warm-up."""
    for _ in range(10):
        call()
    samples = []
    started = time.perf_counter()
    for _ in range(calls):
        t = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples), calls / (time.perf_counter() - started)


def operations(client: HubSpot, rng: random.Random, n: int) -> dict:
    api = client.crm.contacts
    return {
        "get": lambda: api.basic_api.get_by_id(str(rng.randint(1, n)), properties=["email", "lifecyclestage"]),
        "update": lambda: api.basic_api.update(str(rng.randint(1, n)), SimplePublicObjectInput(
            properties={"firstname": f"Bench{rng.randint(0, 999)}"})),
        "search": lambda: api.search_api.do_search(SEARCH),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--db", help="portal database file (default: a temporary file)")
    args = parser.parse_args()

    scratch = None if args.db else tempfile.TemporaryDirectory(prefix="hs-bench-")  # removed on exit
    db = args.db or str(Path(scratch.name) / "portal.sqlite3")
    portal = Portal(db=db)
    portal.reset()
    started = time.perf_counter()
    portal.seed(contacts(args.contacts))
    print(f"seeded {args.contacts} contacts ({10 + len(WIDE)} properties each) into {db} in "
          f"{time.perf_counter() - started:.1f} s")
    portal.add_token(TOKEN)
    portal.rate_limit("unlimited")            # the bench measures speed, not HubSpot's limits
    served = portal.serve()

    client = HubSpot(access_token=TOKEN, host=served.url)
    found = client.crm.contacts.search_api.do_search(SEARCH)
    print(f"search: {found.total} of {args.contacts} contacts match lifecyclestage = customer AND annualrevenue > 50000")
    canned = baseline(_answers(served.url))
    baseline_client = HubSpot(access_token=TOKEN, host=f"http://127.0.0.1:{canned.server_address[1]}")

    print(f"\n{'call':<8} {'portal ms':>10} {'req/s':>8} {'baseline ms':>12} {'req/s':>8} {'ratio':>6}")
    results = {}
    for name in ("get", "update", "search"):
        p_ms, p_rps = timed(operations(client, random.Random(1), args.contacts)[name], args.calls)
        b_ms, b_rps = timed(operations(baseline_client, random.Random(1), args.contacts)[name], args.calls)
        results[name] = (p_ms, b_ms)
        print(f"{name:<8} {p_ms:>10.2f} {p_rps:>8.0f} {b_ms:>12.2f} {b_rps:>8.0f} {p_ms / b_ms:>6.2f}")

    seed_s, records = default_seed_seconds()
    print(f"\ndefault seed: {records} records of every type built in {seed_s:.2f} s (median of 5)")
    print("\ntargets:")
    verdicts = [("search median < 20 ms", results["search"][0] < 20), ("default seed builds in < 2 s", seed_s < 2)]
    verdicts += [(f"{n} within 2x of baseline", results[n][0] < 2 * results[n][1]) for n in ("get", "update")]
    for label, ok in verdicts:
        print(f"  {'met ' if ok else 'MISSED'}  {label}")
    canned.shutdown()
    portal.close()
    return 0


def _answers(url: str) -> dict[str, bytes]:
    """The portal's own answers to one get, update and search, for the baseline to replay."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    contact = f"{url}/crm/v3/objects/contacts/1"
    return {
        "GET": session.get(contact, params={"properties": ["email", "lifecyclestage"]}).content,
        "PATCH": session.patch(contact, json={"properties": {"firstname": "Bench"}}).content,
        "SEARCH": session.post(f"{url}/crm/v3/objects/contacts/search", json=SEARCH_BODY).content,
    }


if __name__ == "__main__":
    sys.exit(main())
