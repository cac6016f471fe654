"""What belongs to the account rather than to records: pipelines, owners, tokens, callbacks, the request log."""
from __future__ import annotations

import json

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.store import cursor
from hs_actions.portal.models import Owner, Token, iso, now_ms

OWNERS_LIMIT_MAX = 500


class Account:
    """Pipelines, owners, tokens, workflow callbacks and the request log."""

    # ---- pipelines --------------------------------------------------------------------------

    def pipeline_list(self, object_type: str) -> list[dict]:
        return list(self.pipelines.get(self.object_type(object_type).type_id, {}).values())

    def pipeline(self, object_type: str, pipeline_id: str) -> dict:
        ot = self.object_type(object_type)
        found = self.pipelines.get(ot.type_id, {}).get(pipeline_id)
        if found is None:
            raise exc.ObjectNotFound(exc.PIPELINE_NOT_FOUND.format(id=pipeline_id, object_type=ot.name))
        return found

    def stage(self, object_type: str, pipeline_id: str, stage_id: str) -> dict:
        for stage in self.pipeline(object_type, pipeline_id)["stages"]:
            if stage["id"] == stage_id:
                return stage
        raise exc.ObjectNotFound(exc.STAGE_NOT_FOUND.format(id=stage_id, pipeline=pipeline_id))

    # ---- owners -----------------------------------------------------------------------------

    def owners(self, email: str | None = None, after: str | None = None, limit: int = 100,
               archived: bool = False) -> tuple[list[Owner], str | None]:
        with self.lock:
            rows = self.conn.execute("SELECT body FROM owners ORDER BY CAST(id AS INTEGER), id").fetchall()
        owners = [o for o in (Owner(**json.loads(b)) for (b,) in rows) if o.archived == archived
                  and (email is None or o.email.lower() == email.lower())]
        start = cursor(after)
        return owners[start:start + limit], (str(start + limit) if start + limit < len(owners) else None)

    def owner(self, owner_id: str, id_property: str = "id", archived: bool = False) -> Owner:
        with self.lock:
            rows = self.conn.execute("SELECT body FROM owners").fetchall()
        for owner in (Owner(**json.loads(b)) for (b,) in rows):
            key = owner.user_id if id_property == "userId" else owner.id
            if str(key) == str(owner_id) and owner.archived == archived:
                return owner
        raise exc.ObjectNotFound(exc.OWNER_NOT_FOUND.format(id=owner_id), context={"id": [str(owner_id)]})

    # ---- tokens, callbacks, the request log -------------------------------------------------

    def add_token(self, token: str, scopes: list[str], name: str = "") -> None:
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO tokens VALUES (?, ?, ?, NULL)", (token, name, json.dumps(list(scopes))))

    def revoke_token(self, token: str) -> None:
        with self._write() as db:
            db.execute("UPDATE tokens SET revoked_at = ? WHERE token = ?", (now_ms(), token))

    def token(self, token: str) -> Token | None:
        with self.lock:
            row = self.conn.execute("SELECT token, name, scopes, revoked_at FROM tokens WHERE token = ?",
                                    (token,)).fetchone()
        return Token(row[0], row[1], json.loads(row[2]), row[3]) if row else None

    def tokens(self) -> list[Token]:
        with self.lock:
            rows = self.conn.execute("SELECT token, name, scopes, revoked_at FROM tokens").fetchall()
        return [Token(r[0], r[1], json.loads(r[2]), r[3]) for r in rows]

    def complete_callback(self, callback_id: str, body) -> None:
        self.complete_callbacks([(callback_id, body)])

    def complete_callbacks(self, completions: list[tuple[str, object]]) -> None:
        """Record (callback id, {"outputFields": {...}}) completions: all of them, or none."""
        for _callback_id, body in completions:
            if not isinstance(body, dict) or not isinstance(body.get("outputFields", {}), dict):
                raise exc.ValidationError(exc.INVALID_INPUT.format(detail="expected {\"outputFields\": {...}}"))
        stamp = now_ms()
        with self._write() as db:
            db.executemany("INSERT INTO callbacks VALUES (?, ?, ?)",
                           [(callback_id, json.dumps(body), stamp) for callback_id, body in completions])

    def callbacks(self) -> list[dict]:
        with self.lock:
            rows = self.conn.execute("SELECT callback_id, body, at FROM callbacks ORDER BY rowid").fetchall()
        return [{"callbackId": c, "body": json.loads(b), "at": iso(a)} for c, b, a in rows]

    def log(self, entry: dict) -> None:
        entry = self.masks.all(entry)
        with self._write() as db:
            db.execute("INSERT INTO requests (at, method, path, query, status, duration_ms, scope, scopes, run, token, "
                       "category) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (entry["at"], entry["method"], entry["path"], entry["query"], entry["status"],
                        entry["duration_ms"], entry["scope"], json.dumps(entry["scopes"]), entry["run"],
                        entry["token"], entry["category"]))

    def requests(self, run: str | None = None) -> list[dict]:
        sql = ("SELECT at, method, path, query, status, duration_ms, scope, scopes, run, token, category "
               "FROM requests{} ORDER BY seq").format(" WHERE run = ?" if run is not None else "")
        with self.lock:
            rows = self.conn.execute(sql, (run,) if run is not None else ()).fetchall()
        keys = ("at", "method", "path", "query", "status", "duration_ms", "scope", "scopes", "run", "token", "category")
        entries = [dict(zip(keys, row)) for row in rows]
        for entry in entries:
            entry["scopes"] = json.loads(entry["scopes"])
            entry["unmodelled"] = entry["scopes"] is None   # a call HubSpot serves and the portal does not
            entry["at"] = iso(entry["at"])
        return self.masks.all(entries)   # entries logged before a value was given are masked too
