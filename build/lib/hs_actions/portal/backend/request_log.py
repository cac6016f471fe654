"""The request log: every call the portal answered, with the scopes it needed, by run.

What `Portal.requests()`, `scopes_needed()` and a run's report read. Secret values given to
`Portal.mask_secrets` are never stored, and are masked in entries logged before they were given.
"""
from __future__ import annotations

import json

from hs_actions.portal.backend.family import Family
from hs_actions.portal.models import iso

_KEYS = ("at", "method", "path", "query", "status", "duration_ms", "scope", "scopes", "run", "token", "category")


class RequestLog(Family):
    """Logging a call (the server, after answering it) and reading the log."""

    name = "request_log"
    TABLES = {"requests": "CREATE TABLE IF NOT EXISTS requests (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER, "
                          "method TEXT, path TEXT, query TEXT, status INTEGER, duration_ms REAL, scope TEXT, "
                          "scopes TEXT, run TEXT, token TEXT, category TEXT);"
                          "CREATE INDEX IF NOT EXISTS requests_run ON requests (run);"}

    def log(self, entry: dict) -> None:
        entry = self.backend.masks.all(entry)
        with self.backend.write() as db:
            db.execute("INSERT INTO requests (at, method, path, query, status, duration_ms, scope, scopes, run, token, "
                       "category) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (entry["at"], entry["method"], entry["path"], entry["query"], entry["status"],
                        entry["duration_ms"], entry["scope"], json.dumps(entry["scopes"]), entry["run"],
                        entry["token"], entry["category"]))

    def requests(self, run: str | None = None) -> list[dict]:
        sql = (f"SELECT {', '.join(_KEYS)} FROM requests{{}} ORDER BY seq").format(
            " WHERE run = ?" if run is not None else "")
        with self.lock:
            rows = self.conn.execute(sql, (run,) if run is not None else ()).fetchall()
        entries = [dict(zip(_KEYS, row)) for row in rows]
        for entry in entries:
            entry["scopes"] = json.loads(entry["scopes"])
            entry["unmodelled"] = entry["scopes"] is None   # a call HubSpot serves and the portal does not
            entry["at"] = iso(entry["at"])
        return self.backend.masks.all(entries)   # entries logged before a value was given are masked too
