"""Lists v3 basics: read lists and their memberships, add and remove records by hand.

Lists come from seeds (`lists`). A DYNAMIC list's members are whatever its seed says: its
filters are not modelled, so its memberships never change here.
"""
from __future__ import annotations

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family
from hs_actions.portal.backend.store import cursor
from hs_actions.portal.models import id_number, now_ms

MEMBERSHIPS_LIMIT_DEFAULT, MEMBERSHIPS_LIMIT_MAX = 100, 250
PROCESSING_TYPES = ("MANUAL", "SNAPSHOT", "DYNAMIC")
MANUAL_TYPES = ("MANUAL", "SNAPSHOT")   # HubSpot's lists whose members are added and removed by hand


class Lists(Family):
    """Lists of records of one object type, and their memberships."""

    name = "lists"
    SEED_KEY = "lists"
    SEED_SHAPES = {
        "lists": ('a list of lists, e.g. [{"name": "VIP", "objectType": "contacts", "processingType": "MANUAL", '
                  '"members": ["1", "2"]}]'),
        "list": ('an object {"id"?, "name": "VIP", "objectType"?: "contacts", "processingType"?: "MANUAL", '
                 '"members"?: [ids]}'),
        "members": 'a list of record ids, e.g. ["1", "2"]',
    }
    TABLES = {
        "lists": "CREATE TABLE IF NOT EXISTS lists (id INTEGER PRIMARY KEY, name TEXT, otype TEXT, "
                 "processing_type TEXT, version INTEGER, created INTEGER, updated INTEGER);",
        "list_members": "CREATE TABLE IF NOT EXISTS list_members (list_id INTEGER, otype TEXT, oid INTEGER, "
                        "added INTEGER, PRIMARY KEY (list_id, oid)) WITHOUT ROWID;",
    }

    def crm_list(self, list_id) -> dict:
        """{id, name, otype, processing_type, version, created, updated, size}; 404 if none."""
        number = id_number(str(list_id).strip())
        row = None
        if number is not None:
            with self.lock:
                row = self.conn.execute(_LIST + " WHERE id = ?", (number,)).fetchone()
        if row is None:
            raise exc.ObjectNotFound(exc.LIST_NOT_FOUND.format(id=list_id))
        return _list(row)

    def crm_list_by_name(self, object_type: str, name: str) -> dict:
        ot = self.backend.object_type(object_type)
        with self.lock:
            row = self.conn.execute(_LIST + " WHERE otype = ? AND name = ?", (ot.type_id, name)).fetchone()
        if row is None:
            raise exc.ObjectNotFound(exc.LIST_NOT_FOUND_BY_NAME.format(name=name, object_type=ot.type_id))
        return _list(row)

    def crm_lists(self, ids: list) -> list[dict]:
        """The lists with these ids, in that order; ids of no list are left out."""
        found = []
        for list_id in ids:
            try:
                found.append(self.crm_list(list_id))
            except exc.ObjectNotFound:
                continue
        return found

    def list_memberships(self, list_id, limit: int = MEMBERSHIPS_LIMIT_DEFAULT, after=None,
                         join_order: bool = False) -> tuple[list[tuple[int, int]], int, str | None]:
        """([(record id, added ms)], total, next after): by record id, or by when they joined."""
        found = self.crm_list(list_id)
        order = "added, oid" if join_order else "oid"
        with self.lock:
            members = self.conn.execute(f"SELECT oid, added FROM list_members WHERE list_id = ? ORDER BY {order}",
                                        (found["id"],)).fetchall()
        start = cursor(after)
        return members[start:start + limit], len(members), (str(start + limit) if start + limit < len(members) else None)

    def change_memberships(self, list_id, add: list, remove: list) -> tuple[list[str], list[str], list[str]]:
        """(added, removed, missing) record ids of a MANUAL or SNAPSHOT list; ids that are not
        records of the list's type are `missing`, members added again are left as they were."""
        found = self.crm_list(list_id)
        if found["processing_type"] not in MANUAL_TYPES:
            raise exc.ValidationError(exc.LIST_NOT_MANUAL.format(id=found["id"], type=found["processing_type"]))
        ot = self.backend.types[found["otype"]]
        added, removed, missing = [], [], []
        stamp = now_ms()
        with self.backend.write() as db:
            for record_id in add:
                oid = self._member_id(ot, record_id, missing)
                if oid is not None and db.execute("INSERT OR IGNORE INTO list_members VALUES (?, ?, ?, ?)",
                                                  (found["id"], ot.type_id, oid, stamp)).rowcount:
                    added.append(str(oid))
            for record_id in remove:
                oid = self._member_id(ot, record_id, missing)
                if oid is not None and db.execute("DELETE FROM list_members WHERE list_id = ? AND oid = ?",
                                                  (found["id"], oid)).rowcount:
                    removed.append(str(oid))
            if added or removed:
                db.execute("UPDATE lists SET version = version + 1, updated = ? WHERE id = ?", (stamp, found["id"]))
        return added, removed, missing

    def _member_id(self, ot, record_id, missing: list) -> int | None:
        try:
            return self.backend.find_id(ot, record_id, None)
        except exc.ObjectNotFound:
            missing.append(str(record_id))
            return None

    def record_memberships(self, object_type: str, record_id) -> list[tuple[dict, int]]:
        """[(list, added ms)] of the lists the record is in, by list id; 404 if no such record."""
        ot = self.backend.object_type(object_type)
        with self.lock:
            oid = self.backend.find_id(ot, record_id, None)
            rows = self.conn.execute("SELECT list_id, added FROM list_members WHERE otype = ? AND oid = ? "
                                     "ORDER BY list_id", (ot.type_id, oid)).fetchall()
        return [(self.crm_list(list_id), added) for list_id, added in rows]

    # ---- what happens to members when records merge or are deleted ---------------------------

    def replace_members(self, otype: str, old_ids: list[int], new_id: int) -> None:
        """The records `old_ids` leave every list, and `new_id` joins each they were in (a merge)."""
        marks = ",".join("?" * len(old_ids))
        self.conn.execute(f"INSERT OR IGNORE INTO list_members SELECT list_id, otype, ?, MIN(added) FROM list_members "
                          f"WHERE otype = ? AND oid IN ({marks}) GROUP BY list_id", (new_id, otype, *old_ids))
        self.drop_members(otype, old_ids)

    def drop_members(self, otype: str, ids: list[int]) -> None:
        """The records leave every list (deleted for good)."""
        self.conn.execute(f"DELETE FROM list_members WHERE otype = ? AND oid IN ({','.join('?' * len(ids))})",
                          (otype, *ids))

    # ---- seeding ----------------------------------------------------------------------------

    @classmethod
    def check_seed(cls, check, data: dict) -> None:
        for i, crm_list in enumerate(check.need(data.get("lists", []), list, "lists", "lists")):
            where = f"lists[{i}]"
            check.need(crm_list, dict, where, "list")
            check.text(crm_list, "name", where, "list")
            check.ident(crm_list, "id", where, "list", required=False)
            for key in ("objectType", "processingType"):
                check.text(crm_list, key, where, "list", required=False)
            for j, member in enumerate(check.need(crm_list.get("members", []), list, f"{where}.members", "members")):
                if not (isinstance(member, str) and member.strip().isdigit()) and \
                        not (isinstance(member, int) and not isinstance(member, bool) and member >= 0):
                    check.fail(f"{where}.members[{j}]", "id", member)

    def seed_step(self, db, data: dict, stamp: int) -> int:
        """Add seed lists (shape: README "Seeding"); members must be records of the list's type."""
        lists = data.get("lists", [])
        for index, spec in enumerate(lists):
            self.backend.seeding = (f"lists[{index}]", "lists")
            ot = self.backend.object_type(spec.get("objectType", "contacts"))
            kind = spec.get("processingType", "MANUAL")
            if kind not in PROCESSING_TYPES:
                raise exc.ValidationError(exc.SEED_LIST_TYPE.format(type=kind, allowed=", ".join(PROCESSING_TYPES)))
            for what, sql, values in ((f"named {spec['name']} for {ot.name}", "otype = ? AND name = ?",
                                       (ot.type_id, spec["name"])), (f"with id {spec.get('id')}", "id = ?", (spec.get("id"),))):
                if db.execute(f"SELECT 1 FROM lists WHERE {sql}", values).fetchone():
                    raise exc.PortalConflict(exc.SEED_LIST_EXISTS.format(what=what))
            list_id = db.execute("INSERT INTO lists VALUES (?, ?, ?, ?, 1, ?, ?)",
                                 (spec.get("id"), spec["name"], ot.type_id, kind, stamp, stamp)).lastrowid
            for position, record_id in enumerate(spec.get("members", [])):
                self.backend.seeding = (f"lists[{index}].members[{position}]", "lists")
                db.execute("INSERT OR IGNORE INTO list_members VALUES (?, ?, ?, ?)",
                           (list_id, ot.type_id, self.backend.find_id(ot, record_id, None), stamp))
        return len(lists)


_LIST = ("SELECT id, name, otype, processing_type, version, created, updated, "
         "(SELECT COUNT(*) FROM list_members m WHERE m.list_id = lists.id) FROM lists")


def _list(row) -> dict:
    keys = ("id", "name", "otype", "processing_type", "version", "created", "updated", "size")
    return dict(zip(keys, row))
