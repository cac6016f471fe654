"""Owners: the users records are assigned to (`hubspot_owner_id`), as the CRM owners API reads them.

Owners come from seeds (`owners`). Ignores: teams beyond what a seed gives, owner writes.
"""
from __future__ import annotations

import json

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family
from hs_actions.portal.backend.store import cursor
from hs_actions.portal.models import Owner

OWNERS_LIMIT_MAX = 500


class Owners(Family):
    """GET /crm/v3/owners, an owner by id or user id; whether an owner id may be written."""

    name = "owners"
    TABLES = {"owners": "CREATE TABLE IF NOT EXISTS owners (id TEXT PRIMARY KEY, email TEXT, body TEXT);"}
    SEED_KEY = "owners"
    SEED_SHAPES = {
        "owners": 'a list of owners, e.g. [{"id": "101", "email": "o@example.com", "firstName": "O", "lastName": "W"}]',
        "owner": 'an object {"id": "101", "email"?, "firstName"?, "lastName"?, "userId"?, "teams"?, "archived"?}',
    }

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

    def owner_is_active(self, owner_id: str) -> bool:
        """Whether a live (not archived) owner has this id: what a property of owners takes."""
        for (body,) in self.conn.execute("SELECT body FROM owners WHERE id = ?", (owner_id,)):
            if not json.loads(body)["archived"]:
                return True
        return False

    @classmethod
    def check_seed(cls, check, data: dict) -> None:
        for i, owner in enumerate(check.need(data.get("owners", []), list, "owners", "owners")):
            check.need(owner, dict, f"owners[{i}]", "owner")
            check.ident(owner, "id", f"owners[{i}]", "owner")
            if "email" in owner:
                check.need(owner["email"], str, f"owners[{i}].email", "text")

    def seed_step(self, db, data: dict, stamp: int) -> int:
        for index, spec in enumerate(data.get("owners", [])):
            self.backend.seeding = (f"owners[{index}]", "owners")
            owner = Owner.from_data(spec, stamp)
            db.execute("INSERT OR REPLACE INTO owners VALUES (?, ?, ?)",
                       (owner.id, owner.email, json.dumps(owner.__dict__)))
        return len(data.get("owners", []))
