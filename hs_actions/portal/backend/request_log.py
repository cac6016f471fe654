"""The request log: every call the portal answered, with the scopes it needed and the body it
was sent, by run.

What `Portal.requests()`, `scopes_needed()`, a run's report and its snapshots read. Secret
values given to `Portal.mask_secrets` are never stored, and are masked in entries logged
before they were given. Bodies are a table of their own: a database made before they were
logged gains it when opened, with no column to add to its log.
"""
from __future__ import annotations

import json

from hs_actions.portal.backend.family import Family
from hs_actions.portal.models import iso

_KEYS = ("at", "method", "path", "query", "status", "duration_ms", "scope", "scopes", "run", "token", "category")
# A body over this is logged as a note of its size: far above what custom code sends in a
# call (a batch of 100 records), and the log of a long `portal serve` stays small.
BODY_KEPT_BYTES = 1024 * 1024


class RequestLog(Family):
    """Logging a call (the server, after answering it) and reading the log."""

    name = "request_log"
    TABLES = {"requests": "CREATE TABLE IF NOT EXISTS requests (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER, "
                          "method TEXT, path TEXT, query TEXT, status INTEGER, duration_ms REAL, scope TEXT, "
                          "scopes TEXT, run TEXT, token TEXT, category TEXT);"
                          "CREATE INDEX IF NOT EXISTS requests_run ON requests (run);",
              "request_bodies": "CREATE TABLE IF NOT EXISTS request_bodies (seq INTEGER PRIMARY KEY, body TEXT);"}

    def log(self, entry: dict) -> None:
        """Log one call; entry["body"] is the bytes it was sent (None or b"" for none)."""
        body = entry.get("body") or b""
        if len(body) > BODY_KEPT_BYTES:
            body = f"({len(body):,} bytes, over the {BODY_KEPT_BYTES:,} the log keeps)".encode()
        entry = self.backend.masks.all({**entry, "body": body.decode("utf-8", errors="replace") if body else None})
        with self.backend.write() as db:
            seq = db.execute("INSERT INTO requests (at, method, path, query, status, duration_ms, scope, scopes, run, "
                             "token, category) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (entry["at"], entry["method"], entry["path"], entry["query"], entry["status"],
                              entry["duration_ms"], entry["scope"], json.dumps(entry["scopes"]), entry["run"],
                              entry["token"], entry["category"])).lastrowid
            if entry["body"] is not None:
                db.execute("INSERT INTO request_bodies (seq, body) VALUES (?, ?)", (seq, entry["body"]))

    def requests(self, run: str | None = None) -> list[dict]:
        sql = (f"SELECT {', '.join('r.' + key for key in _KEYS)}, b.body FROM requests r LEFT JOIN request_bodies b "
               f"ON b.seq = r.seq{{}} ORDER BY r.seq").format(" WHERE r.run = ?" if run is not None else "")
        with self.lock:
            rows = self.conn.execute(sql, (run,) if run is not None else ()).fetchall()
        entries = [dict(zip((*_KEYS, "body"), row)) for row in rows]
        for entry in entries:
            entry["scopes"] = json.loads(entry["scopes"])
            entry["unmodelled"] = entry["scopes"] is None   # a call HubSpot serves and the portal does not
            entry["at"] = iso(entry["at"])
            entry["body"] = _parsed(entry["body"])
        return self.backend.masks.all(entries)   # entries logged before a value was given are masked too


def _parsed(body: str | None):
    """A logged body as the JSON it holds, or its text when it holds none (a form, plain text)."""
    if body is None:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body
