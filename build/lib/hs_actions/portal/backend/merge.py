"""Merging two records into one, as HubSpot does it (rules and sources: data/merge.json)."""
from __future__ import annotations

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family
from hs_actions.portal.models import ObjectType, PropertyDef, Record, iso, load, now_ms

MERGE = load("merge.json")


class Merge(Family):
    """POST /crm/v3/objects/{type}/merge, and merged-away ids that keep answering."""

    name = "merge"
    TABLES = {"merged_ids": "CREATE TABLE IF NOT EXISTS merged_ids (otype TEXT, old_id INTEGER, new_id INTEGER, "
                            "PRIMARY KEY (otype, old_id)) WITHOUT ROWID;"}

    def extend_registry(self, db) -> None:
        # Every mergeable type has the "Merged record IDs" property the merge writes.
        spec = MERGE["mergedIds"]
        types = self.backend.types
        for type_id, defs in self.backend.defs.items():
            if type_id in types and self._mergeable(types[type_id]) and spec["name"] not in defs:
                defs[spec["name"]] = PropertyDef.from_data(spec, None, len(defs))

    @staticmethod
    def _mergeable(ot: ObjectType) -> bool:
        return ot.name in MERGE["types"] or (ot.custom and MERGE["customObjects"])

    def merged_into(self, ot: ObjectType, old_id: int) -> int | None:
        """The id of the record `old_id` was merged into (it answers as that record), or None."""
        row = self.conn.execute("SELECT new_id FROM merged_ids WHERE otype = ? AND old_id = ?",
                                (ot.type_id, old_id)).fetchone()
        return row[0] if row else None

    def forget_merged_into(self, type_id: str, new_id: int) -> None:
        """The ids merged into `new_id` no longer answer (it was deleted for good)."""
        self.conn.execute("DELETE FROM merged_ids WHERE otype = ? AND new_id = ?", (type_id, new_id))

    def merge(self, object_type: str, primary_id, merged_id) -> Record:
        """Merge `merged_id` into `primary_id`: a new record (new id) with the primary's values,
        the merged record's values where the primary has none (and data/merge.json's exceptions),
        both records' history and associations; both old ids then resolve to it.
        Ignores: list memberships of dynamic lists are not re-evaluated."""
        ot = self.backend.object_type(object_type)
        if not self._mergeable(ot):
            raise exc.ValidationError(exc.MERGE_UNSUPPORTED.format(object_type=ot.name))
        with self.backend.write() as db:
            pid, sid = self.backend.find_id(ot, primary_id, None), self.backend.find_id(ot, merged_id, None)
            if pid == sid:
                raise exc.ValidationError(exc.MERGE_SAME.format(id=pid))
            new_id = self.backend.next_id()
            created = min(r[0] for r in db.execute(
                "SELECT created FROM objects WHERE otype = ? AND id IN (?, ?)", (ot.type_id, pid, sid)))
            stamp = now_ms()
            db.execute("INSERT INTO objects (otype, id, created, updated) VALUES (?, ?, ?, ?)",
                       (ot.type_id, new_id, created, stamp))
            values = self._merged_values(ot, pid, sid, new_id, created, stamp)
            db.executemany("INSERT INTO pv VALUES (?, ?, ?, ?, ?, ?)",
                           [(ot.type_id, new_id, name, *value) for name, value in values.items()])
            db.execute("UPDATE history SET oid = ? WHERE otype = ? AND oid IN (?, ?)", (new_id, ot.type_id, pid, sid))
            self._move_associations(ot, pid, sid, new_id)
            for table, column in (("objects", "id"), ("pv", "oid")):
                db.execute(f"DELETE FROM {table} WHERE otype = ? AND {column} IN (?, ?)", (ot.type_id, pid, sid))
            db.execute("UPDATE merged_ids SET new_id = ? WHERE otype = ? AND new_id IN (?, ?)",
                       (new_id, ot.type_id, pid, sid))
            db.executemany("INSERT OR REPLACE INTO merged_ids VALUES (?, ?, ?)",
                           [(ot.type_id, pid, new_id), (ot.type_id, sid, new_id)])
            self.backend.replace_members(ot.type_id, [pid, sid], new_id)
            return self.backend.load_records(ot, [new_id], ot.default_properties)[new_id]

    def _merged_values(self, ot: ObjectType, pid: int, sid: int, new_id: int, created: int, stamp: int) -> dict:
        """(value, folded, num) of each property of the merged record."""
        rows: dict[int, dict[str, tuple]] = {pid: {}, sid: {}}
        for oid, name, *value in self.conn.execute(
                "SELECT oid, name, value, folded, num FROM pv WHERE otype = ? AND oid IN (?, ?)", (ot.type_id, pid, sid)):
            rows[oid][name] = tuple(value)
        primary, merged = rows[pid], rows[sid]
        values = {**merged, **primary}
        defs = self.backend.defs[ot.type_id]
        for name, rule in MERGE["rules"].get(ot.name, {}).items():
            mine, theirs = primary.get(name), merged.get(name)
            if not (mine and theirs) or mine[1] == theirs[1]:
                continue
            if rule["keep"] == "furthest" and name in defs:
                order = defs[name].option_values()
                values[name] = max(mine, theirs, key=lambda v: order.index(v[0]) if v[0] in order else -1)
            target = rule.get("addTo")
            if target in defs:
                listed = [v for v in (values.get(target) or ("",))[0].split(";") if v]
                if theirs[0] not in listed:
                    joined = ";".join([*listed, theirs[0]])
                    values[target] = (joined, joined.lower(), None)
        ids = {int(i) for record in (primary, merged)
               for i in (record.get(MERGE["mergedIds"]["name"]) or ("",))[0].split(";") if i.isdigit()}
        merged_ids = ";".join(str(i) for i in sorted(ids | {pid, sid}))
        values[MERGE["mergedIds"]["name"]] = (merged_ids, merged_ids, None)
        values["hs_object_id"] = (str(new_id), str(new_id), float(new_id))
        values[ot.created_property] = (iso(created), str(created), float(created))
        values[ot.modified_property] = (iso(stamp), str(stamp), float(stamp))
        return values

    def _move_associations(self, ot: ObjectType, pid: int, sid: int, new_id: int) -> None:
        """Both records' associations to the new record; the merged record's links of a
        "Primary" label the primary record also has are dropped (an unlabeled link stays)."""
        db, t = self.conn, ot.type_id
        db.execute("DELETE FROM assoc WHERE from_type = ? AND to_type = ? AND from_id IN (?, ?) AND to_id IN (?, ?)",
                   (t, t, pid, sid, pid, sid))
        primary_kinds = [k for k in self.backend.assoc_types.values()
                         if k.from_type == t and k.label == MERGE["primaryLabel"]]
        for kind in primary_kinds:
            has = db.execute("SELECT 1 FROM assoc WHERE from_type = ? AND from_id = ? AND type_id = ? AND category = ?",
                             (t, pid, kind.type_id, kind.category)).fetchone()
            if not has:
                continue
            dropped = [r[0] for r in db.execute(
                "SELECT to_id FROM assoc WHERE from_type = ? AND from_id = ? AND type_id = ? AND category = ?",
                (t, sid, kind.type_id, kind.category))]
            inverse = self.backend.assoc_types[(kind.to_type, kind.inverse, kind.category)]
            db.execute("DELETE FROM assoc WHERE from_type = ? AND from_id = ? AND type_id = ? AND category = ?",
                       (t, sid, kind.type_id, kind.category))
            db.executemany("DELETE FROM assoc WHERE from_type = ? AND from_id = ? AND to_type = ? AND to_id = ? "
                           "AND type_id = ? AND category = ?",
                           [(kind.to_type, to_id, t, sid, inverse.type_id, inverse.category) for to_id in dropped])
            for to_id in dropped:
                self.backend.link_ids(self.backend.default_association_kind(t, kind.to_type), sid, to_id)
        for end in ("from", "to"):
            db.execute(f"UPDATE OR IGNORE assoc SET {end}_id = ? WHERE {end}_type = ? AND {end}_id IN (?, ?)",
                       (new_id, t, pid, sid))
            db.execute(f"DELETE FROM assoc WHERE {end}_type = ? AND {end}_id IN (?, ?)", (t, pid, sid))
