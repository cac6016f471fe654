"""Private-app tokens and the scopes each grants: what the server checks every call against.

Tokens come from `Portal.add_token` and seeds (`tokens`); a revoked token stays, answered as
expired. Ignores: OAuth, token expiry other than revoking.
"""
from __future__ import annotations

import json

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family
from hs_actions.portal.models import Token, all_scopes, now_ms


class Tokens(Family):
    """Adding, revoking and reading tokens."""

    name = "tokens"
    TABLES = {"tokens": "CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, name TEXT, scopes TEXT, "
                        "revoked_at INTEGER);"}
    SEED_KEY = "tokens"
    SEED_SHAPES = {
        "tokens": 'a list of tokens, e.g. [{"token": "pat-local", "scopes": ["crm.objects.contacts.read"]}]',
        "token": 'an object {"token": "pat-local", "scopes": ["crm.objects.contacts.read"], "name"?}',
        "scopes": 'a list of scope names, e.g. ["crm.objects.contacts.read"]',
    }

    def add_token(self, token: str, scopes: list[str], name: str = "") -> None:
        with self.backend.write() as db:
            db.execute("INSERT OR REPLACE INTO tokens VALUES (?, ?, ?, NULL)", (token, name, json.dumps(list(scopes))))

    def revoke_token(self, token: str) -> None:
        with self.backend.write() as db:
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

    @classmethod
    def check_seed(cls, check, data: dict) -> None:
        for i, token in enumerate(check.need(data.get("tokens", []), list, "tokens", "tokens")):
            where = f"tokens[{i}]"
            check.need(token, dict, where, "token")
            check.text(token, "token", where, "token")
            for j, scope in enumerate(check.need(token.get("scopes"), list, f"{where}.scopes", "scopes")):
                check.need(scope, str, f"{where}.scopes[{j}]", "scopes")

    def seed_step(self, db, data: dict, stamp: int) -> int:
        known = all_scopes()
        self.backend.seeding = None   # a token's refusal names its entry itself
        for index, spec in enumerate(data.get("tokens", [])):
            scopes = spec["scopes"]
            unknown = [scope for scope in scopes if scope not in known]
            if unknown:
                # A token with a misspelt scope would only fail later, as a 403 in some run.
                raise exc.ValidationError(exc.SEED_UNKNOWN_SCOPES.format(
                    index=index, scopes=", ".join(map(repr, unknown)), known=", ".join(known)))
            db.execute("INSERT OR REPLACE INTO tokens VALUES (?, ?, ?, NULL)",
                       (spec["token"], spec.get("name", ""), json.dumps(spec["scopes"])))
        return len(data.get("tokens", []))
