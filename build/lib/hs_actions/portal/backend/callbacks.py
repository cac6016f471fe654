"""Workflow callbacks: what an action that answered "wait" hands back when it completes
(POST /automation/v4/actions/callbacks/{callbackId}/complete, and the batch), kept for
`Portal.callbacks()`. Ignores: resuming a workflow, which the portal does not run."""
from __future__ import annotations

import json

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family
from hs_actions.portal.models import iso, now_ms


class Callbacks(Family):
    """Completed callbacks, in the order they came."""

    name = "callbacks"
    TABLES = {"callbacks": "CREATE TABLE IF NOT EXISTS callbacks (callback_id TEXT, body TEXT, at INTEGER);"}

    def complete_callback(self, callback_id: str, body) -> None:
        self.complete_callbacks([(callback_id, body)])

    def complete_callbacks(self, completions: list[tuple[str, object]]) -> None:
        """Record (callback id, {"outputFields": {...}}) completions: all of them, or none."""
        for _callback_id, body in completions:
            if not isinstance(body, dict) or not isinstance(body.get("outputFields", {}), dict):
                raise exc.InvalidInput("expected {\"outputFields\": {...}}")
        stamp = now_ms()
        with self.backend.write() as db:
            db.executemany("INSERT INTO callbacks VALUES (?, ?, ?)",
                           [(callback_id, json.dumps(body), stamp) for callback_id, body in completions])

    def callbacks(self) -> list[dict]:
        with self.lock:
            rows = self.conn.execute("SELECT callback_id, body, at FROM callbacks ORDER BY rowid").fetchall()
        return [{"callbackId": c, "body": json.loads(b), "at": iso(a)} for c, b, a in rows]
