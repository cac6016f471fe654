"""GDPR delete: a contact removed for good, as POST /crm/v3/objects/contacts/gdpr-delete does."""
from __future__ import annotations

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family
from hs_actions.portal.models import ObjectType, now_ms

GDPR_TYPES = ("contacts",)   # HubSpot's contacts API documents it; other types are not modelled


class Gdpr(Family):
    """Permanent deletion of contacts, and the blocklist of emails it leaves."""

    name = "gdpr"
    TABLES = {"gdpr_blocklist": "CREATE TABLE IF NOT EXISTS gdpr_blocklist (email TEXT PRIMARY KEY, at INTEGER);"}

    def gdpr_delete(self, object_type: str, object_id, id_property: str | None = None) -> None:
        """Delete the contact (live or archived) with its values, history, associations, list
        memberships and merged-away ids. HubSpot's docs: "If email address is not found, the
        email address will be added to a blocklist"; so does the portal (an unknown id is a 404).
        Ignores: the blocklist does not stop a later create with that email (HubSpot's answer
        to one is not published)."""
        ot = self.backend.object_type(object_type)
        if not str(object_id).strip():   # else a blank email would join the blocklist
            raise exc.InvalidInput(exc.FIELD_REQUIRED.format(path="objectId"))
        if ot.name not in GDPR_TYPES:
            raise exc.Unmodelled(exc.UNMODELLED_ROUTE.format(
                method="POST", path=f"/crm/v3/objects/{object_type}/gdpr-delete",
                family=f"GDPR delete of {ot.name}; the local portal models it for contacts only"))
        with self.backend.write() as db:
            try:
                oid = self.backend.find_id(ot, object_id, id_property)
            except exc.ObjectNotFound:
                try:
                    oid = self.backend.find_id(ot, object_id, id_property, archived=True)
                except exc.ObjectNotFound:
                    if id_property != "email":
                        raise
                    db.execute("INSERT OR REPLACE INTO gdpr_blocklist VALUES (?, ?)",
                               (str(object_id).strip().lower(), now_ms()))
                    return
            self._purge(ot, oid)

    def gdpr_blocklist(self) -> list[str]:
        with self.lock:
            return [r[0] for r in self.conn.execute("SELECT email FROM gdpr_blocklist ORDER BY email")]

    def _purge(self, ot: ObjectType, oid: int) -> None:
        db, t = self.conn, ot.type_id
        for table, column in (("objects", "id"), ("pv", "oid"), ("history", "oid")):
            db.execute(f"DELETE FROM {table} WHERE otype = ? AND {column} = ?", (t, oid))
        db.execute("DELETE FROM assoc WHERE (from_type = ? AND from_id = ?) OR (to_type = ? AND to_id = ?)",
                   (t, oid, t, oid))
        self.backend.forget_merged_into(t, oid)
        self.backend.drop_members(t, [oid])
