"""Portal: the local HubSpot account that actions run against.

    portal = Portal(db=":memory:")          # or a file: state survives restarts
    portal.seed_default()
    portal.add_token("pat-na1-test", ALL_SCOPES)
    server = portal.serve()                 # background thread; server.url, server.close()
    ...
    portal.requests(run="run-1")            # what the run called, with the scopes it needed
    portal.mask_secrets({"TOKEN": value})   # the log shows [secret TOKEN], never the value
"""
from __future__ import annotations

import json
import re
import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Mapping

from hs_actions.core import project
from hs_actions.portal.backend import Backend
from hs_actions.portal.limits import ForcedFailures, RateLimiter
from hs_actions.portal.models import DATA, all_scopes
from hs_actions.portal.server import PortalServer

DEFAULT_SEED = DATA / "seed_default.json"
# The token of the local portal's development app (every scope). It is the value
# .env.example gives each secret, so actions run against the seeded portal out of the box.
# Only this machine's portal knows it; it means nothing to HubSpot.
LOCAL_TOKEN = "local-portal-token"


ALL_SCOPES = all_scopes()


def default_db() -> Path:
    """The project's portal database, which the CLI's commands share: state survives between them."""
    return project.current().state / "portal.sqlite3"


class Portal:
    """A HubSpot account on this machine: records, properties, owners, tokens, rate limits."""

    def __init__(self, db: str | Path = ":memory:", portal_id: int = 0, tier: str | None = None):
        if portal_id == 0:
            from hs_actions.core.project import settings
            portal_id = int(settings()["portal_id"])
        self.portal_id = portal_id
        self.backend = Backend(str(db), portal_id)
        self.limiter = RateLimiter(tier)
        self.failures = ForcedFailures()
        self._hooks: list[tuple] = []
        self._hooks_lock = threading.Lock()
        self.servers: list[PortalServer] = []

    # ---- state ------------------------------------------------------------------------------

    def seed(self, data: dict) -> dict:
        """Add seed data (keys and shapes: README.md, "Seeding"); counts of what was added.
        All or nothing: a seed that is refused raises hs_actions.core.errors.SeedError, naming the entry
        and the shape expected, and adds nothing."""
        return self.backend.seed(data)

    def seed_default(self) -> dict:
        """Owners, a few hundred contacts, companies, deals and tickets, with associations."""
        return self.seed(json.loads(DEFAULT_SEED.read_text()))

    def reset(self) -> None:
        """Back to empty: records, owners, tokens, custom objects, the request log, forced
        failures and rate-limit counters. The rate-limit tier is kept."""
        self.backend.reset()
        self.failures.reset()
        with self._hooks_lock:
            self._hooks.clear()
        with self.limiter.lock:
            self.limiter.reset()

    def snapshot(self) -> sqlite3.Connection:
        """A copy of the whole state, in memory, for restore(): SQLite's backup API, taken
        between requests (under the backend's lock), so it is never half a write."""
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        with self.backend.lock:
            self.backend.conn.backup(copy)
        return copy

    def restore(self, snapshot: sqlite3.Connection) -> None:
        """Back to the state snapshot() took: records, tokens, the request log, the registry.
        Rate-limit counters and forced failures are not state of the database: unchanged."""
        with self.backend.lock:
            snapshot.backup(self.backend.conn)
        self.backend.load_registry()

    def load_copy(self, db: str | Path) -> None:
        """Replace this portal's state by a copy of the database file `db` (another portal's),
        which is only read: work on the copy changes nothing there."""
        with closing(sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True)) as source:
            self.restore(source)

    def record_ids(self, object_type: str, ids=None) -> list[int]:
        """The ids of the type's records that exist (not archived), in order; only those among
        `ids` when given. An object type the portal does not model raises its PortalError."""
        type_id = self.backend.object_type(object_type).type_id
        with self.backend.lock:
            found = [row[0] for row in self.backend.conn.execute(
                "SELECT id FROM objects WHERE otype = ? AND archived = 0 ORDER BY id", (type_id,))]
        if ids is None:
            return found
        wanted = set(ids)
        return [i for i in found if i in wanted]

    def contents(self) -> dict:
        """Every record and association, to compare two states: "records" maps (object type's
        name, id) to the record's properties, those a write sets (not the ones the portal
        computes or stamps: created and modified dates, hs_object_id...); "archived" the
        (type, id) of archived records; "associations" (from type, from id, to type, to id,
        category, type id) tuples, each stored direction once."""
        backend = self.backend
        with backend.lock:
            objects = backend.conn.execute("SELECT otype, id, archived FROM objects").fetchall()
            values = backend.conn.execute("SELECT otype, oid, name, value FROM pv").fetchall()
            links = backend.conn.execute(
                "SELECT from_type, from_id, to_type, to_id, category, type_id FROM assoc").fetchall()
        name = {t: ot.name for t, ot in backend.types.items()}
        stamped = {}
        for t, ot in backend.types.items():
            defs = backend.defs.get(t, {})
            stamped[t] = {ot.created_property, ot.modified_property, "hs_object_id", "hs_lastmodifieddate",
                          "hs_createdate"} | {n for n, d in defs.items() if d.computed or d.calculated}
        records = {(name.get(t, t), i): {} for t, i, archived in objects if not archived}
        for t, i, prop, value in values:
            key = (name.get(t, t), i)
            if key in records and prop not in stamped.get(t, ()):
                records[key][prop] = value
        return {
            "records": records,
            "archived": {(name.get(t, t), i) for t, i, archived in objects if archived},
            "associations": {(name.get(a, a), i, name.get(b, b), j, c, k) for a, i, b, j, c, k in links},
        }

    def record(self, object_type: str, object_id) -> dict | None:
        """{id, properties (every set value), createdAt, updatedAt, archived}, or None."""
        found = self.backend.record(object_type, object_id)
        return found.to_dict() if found else None

    def callbacks(self) -> list[dict]:
        """Workflow callbacks completed through /automation/v4/actions/callbacks/{id}/complete."""
        return self.backend.callbacks()

    def close(self) -> None:
        for server in self.servers:
            server.close()
        self.servers.clear()
        self.backend.close()

    # ---- tokens, limits, failures -----------------------------------------------------------

    def add_token(self, token: str, scopes: list[str] | None = None, name: str = "") -> str:
        """A private-app token with these scopes (all of them when None)."""
        self.backend.add_token(token, ALL_SCOPES if scopes is None else scopes, name)
        return token

    def revoke_token(self, token: str) -> None:
        """The token now answers 401 EXPIRED_AUTHENTICATION, as a rotated one does."""
        self.backend.revoke_token(token)

    def rate_limit(self, tier: str = "starter") -> None:
        """starter | professional | enterprise | increase | unlimited (no limit, no headers)."""
        self.limiter.set_tier(tier)

    def on_request(self, method: str, path_regex: str, callback) -> None:
        """Call `callback()` once, right after the next `method` call on a path matching the
        regex has been answered: what someone else does in the account meanwhile (a test's
        way to change a flow between a deploy's read and its write)."""
        with self._hooks_lock:
            self._hooks.append((method.upper(), re.compile(path_regex), callback))

    def after_request(self, method: str, path: str) -> None:
        """Run (and forget) the on_request callbacks this answered call matches."""
        with self._hooks_lock:
            due = [h for h in self._hooks if h[0] in (method, "*") and h[1].search(path)]
            self._hooks = [h for h in self._hooks if h not in due]
        for _method, _pattern, callback in due:
            callback()

    def fail(self, method: str, path_regex: str, status: int = 429, times: int = 1,
             retry_after: int | None = None) -> None:
        """Make the next `times` calls of `method` ("*" for any) on paths matching the regex
        fail with `status`: 429 (HubSpot's RATE_LIMIT body and headers) or a 5xx, with a
        Retry-After header of `retry_after` seconds when given."""
        self.failures.add(method, path_regex, status, times, retry_after)

    def tamper(self, method: str, path_regex: str, *, status: int | None = None, body: bytes | None = None,
               delay: float = 0.0, drop: bool = False, times: int = 1) -> None:
        """After serving the next `times` calls of `method` on paths matching the regex (what
        they do is done: a write lands), change their answer: hold it back `delay` seconds (a
        client's timeout loses it), `drop` the connection without one, or answer `status` (a
        5xx gets HubSpot's error body) or `body`, raw bytes (with status 200 unless given).
        How a lost or unreadable answer to a write looks to a client."""
        if status is not None and not (200 <= status <= 299 or 500 <= status <= 599):
            raise ValueError(f"a tampered answer is a 2xx or a 5xx, not {status}")
        self.failures.add_tamper(method, path_regex, times, {"status": status, "body": body, "delay": delay,
                                                             "drop": drop})

    # ---- serving and the request log --------------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> PortalServer:
        """Serve over HTTP in a background thread; the returned server has url, port, close()."""
        server = PortalServer(self, host, port).start()
        self.servers.append(server)
        return server

    @property
    def server(self) -> PortalServer | None:
        """The server most recently started by serve(), if any."""
        return self.servers[-1] if self.servers else None

    def requests(self, run: str | None = None) -> list[dict]:
        """Logged requests (all, or one run's): method, path, query, status, duration_ms,
        scope (the first scope needed), scopes, run, token (its name), category, at, and
        unmodelled: a call HubSpot serves that the portal does not model (its scopes None: unknown).
        Values given to mask_secrets() show as [secret NAME]."""
        return self.backend.requests(run)

    def mask_secrets(self, secrets: Mapping[str, str]) -> None:
        """Keep these values (name -> value) out of the request log: it stores and returns
        [secret NAME] in their place, in every entry (exact copies of 6 characters or more).
        They stay masked for the portal's lifetime, reset() included: a request sent later
        (by a warm run that kept one) is masked too."""
        with self.backend.lock:
            self.backend.masks = self.backend.masks.plus(secrets)

    def masked(self, text: str) -> str:
        """`text` with the values given to mask_secrets() masked (for messages about the log)."""
        return self.backend.masks.text(text)

    def scopes_needed(self, run: str | None = None) -> list[str]:
        """The minimal scopes the logged calls (of one run) needed, sorted; unmodelled calls'
        scopes are unknown and not among them."""
        return sorted({s for entry in self.requests(run) for s in entry["scopes"] or ()})
