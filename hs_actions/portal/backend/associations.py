"""Associations between records: v4 (labels, defaults, batches) and v3 (client 8.x)."""
from __future__ import annotations

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.store import _int, cursor
from hs_actions.portal.models import AssociationType, ObjectType

class Associations:
    """Associations v4 and v3 between records, by association type."""

    # ---- associations -----------------------------------------------------------------------

    def _assoc_type(self, from_type: str, to_type: str, type_id: int, category: str) -> AssociationType:
        kind = self.assoc_types.get((from_type, int(type_id), category))
        if kind is None or kind.to_type != to_type:
            raise exc.ValidationError(exc.ASSOCIATION_TYPE_INVALID.format(
                type_id=type_id, category=category, from_type=self.types[from_type].name,
                to_type=self.types[to_type].name if to_type in self.types else to_type))
        return kind

    def _assoc_by_id(self, from_type: str, spec) -> AssociationType:
        """The association type a v3 create's `types` entry names; the to-type follows from it."""
        if not isinstance(spec, dict):
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail="association types must be objects"))
        category = spec.get("associationCategory", "HUBSPOT_DEFINED")
        kind = self.assoc_types.get((from_type, _int(spec.get("associationTypeId")), category))
        if kind is None:
            raise exc.ValidationError(exc.ASSOCIATION_TYPE_INVALID.format(
                type_id=spec.get("associationTypeId"), category=category,
                from_type=self.types[from_type].name, to_type="any object type"))
        return kind

    def _default_type(self, from_type: str, to_type: str) -> AssociationType:
        for kind in self.assoc_types.values():
            if kind.from_type == from_type and kind.to_type == to_type and kind.default:
                return kind
        raise exc.ValidationError(exc.NO_ASSOCIATION_TYPE.format(
            from_type=self.types[from_type].name, to_type=self.types[to_type].name))

    def _link(self, kind: AssociationType, from_id: int, to_id: int) -> None:
        inverse = self.assoc_types[(kind.to_type, kind.inverse, kind.category)]
        self.conn.execute("INSERT OR IGNORE INTO assoc VALUES (?, ?, ?, ?, ?, ?)",
                          (kind.from_type, from_id, kind.to_type, to_id, kind.type_id, kind.category))
        self.conn.execute("INSERT OR IGNORE INTO assoc VALUES (?, ?, ?, ?, ?, ?)",
                          (inverse.from_type, to_id, inverse.to_type, from_id, inverse.type_id, inverse.category))
        self._refresh_pair(kind.from_type, from_id, kind.to_type, to_id)

    def _refresh_pair(self, from_type: str, from_id: int, to_type: str, to_id: int) -> None:
        """Both records' association counts and last activity dates, after a link or an unlink."""
        ft, tt = self.types.get(from_type), self.types.get(to_type)
        if ft and tt:
            self._refresh(ft, from_id, tt)
            self._refresh(tt, to_id, ft)

    def _pair(self, from_name: str, from_id, to_name: str, to_id) -> tuple[ObjectType, int, ObjectType, int]:
        ft, tt = self.object_type(from_name), self.object_type(to_name)
        return ft, self._find_id(ft, from_id, None), tt, self._find_id(tt, to_id, None)

    def associate_default(self, from_name: str, from_id, to_name: str, to_id) -> list[tuple]:
        """PUT .../associations/default: the unlabeled type, both directions. [(from, to, kind)]"""
        with self._write():
            ft, fid, tt, tid = self._pair(from_name, from_id, to_name, to_id)
            kind = self._default_type(ft.type_id, tt.type_id)
            self._link(kind, fid, tid)
            inverse = self.assoc_types[(kind.to_type, kind.inverse, kind.category)]
            return [(fid, tid, kind), (tid, fid, inverse)]

    def associate(self, from_name: str, from_id, to_name: str, to_id, specs: list) -> dict:
        """PUT with a list of {associationCategory, associationTypeId}: those types, both directions."""
        if not isinstance(specs, list) or not specs:
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail="expected a non-empty list of association types"))
        with self._write():
            ft, fid, tt, tid = self._pair(from_name, from_id, to_name, to_id)
            for spec in specs:
                if not isinstance(spec, dict):
                    raise exc.ValidationError(exc.INVALID_INPUT.format(detail="association types must be objects"))
                kind = self._assoc_type(ft.type_id, tt.type_id, _int(spec.get("associationTypeId")),
                                        spec.get("associationCategory", "HUBSPOT_DEFINED"))
                self._link(kind, fid, tid)
            return self._labels(ft, fid, tt, tid)

    def _labels(self, ft: ObjectType, fid: int, tt: ObjectType, tid: int) -> dict:
        rows = self.conn.execute("SELECT type_id, category FROM assoc WHERE from_type = ? AND from_id = ? "
                                 "AND to_type = ? AND to_id = ?", (ft.type_id, fid, tt.type_id, tid)).fetchall()
        labels = [self.assoc_types[(ft.type_id, t, c)].label for t, c in rows]
        return {"fromObjectTypeId": ft.type_id, "fromObjectId": fid, "toObjectTypeId": tt.type_id,
                "toObjectId": tid, "labels": [label for label in labels if label]}

    def remove_associations(self, from_name: str, from_id, to_name: str, to_id, specs: list | None = None) -> None:
        """Remove every association (or only the given types) between two records, both directions."""
        with self._write():
            ft, fid, tt, tid = self._pair(from_name, from_id, to_name, to_id)
            rows = self.conn.execute("SELECT type_id, category FROM assoc WHERE from_type = ? AND from_id = ? "
                                     "AND to_type = ? AND to_id = ?", (ft.type_id, fid, tt.type_id, tid)).fetchall()
            chosen = None if specs is None else {(_int(s.get("associationTypeId")), s.get("associationCategory"))
                                                 for s in specs if isinstance(s, dict)}
            for type_id, category in rows:
                if chosen is not None and (type_id, category) not in chosen:
                    continue
                inverse = self.assoc_types[(ft.type_id, type_id, category)].inverse
                self.conn.execute("DELETE FROM assoc WHERE from_type = ? AND from_id = ? AND to_type = ? AND to_id = ? "
                                  "AND type_id = ? AND category = ?", (ft.type_id, fid, tt.type_id, tid, type_id, category))
                self.conn.execute("DELETE FROM assoc WHERE from_type = ? AND from_id = ? AND to_type = ? AND to_id = ? "
                                  "AND type_id = ? AND category = ?", (tt.type_id, tid, ft.type_id, fid, inverse, category))
            self._refresh_pair(ft.type_id, fid, tt.type_id, tid)

    def associations(self, from_name: str, from_id, to_name: str, limit: int = 500,
                     after: str | None = None) -> tuple[list[dict], str | None]:
        """v4 list: [{toObjectId, associationTypes: [{category, typeId, label}]}] in id order."""
        ft, tt = self.object_type(from_name), self.object_type(to_name)
        start = cursor(after)
        with self.lock:
            fid = self._find_id(ft, from_id, None)
            rows = self.conn.execute(
                "SELECT to_id, type_id, category FROM assoc WHERE from_type = ? AND from_id = ? AND to_type = ? "
                "AND to_id > ? ORDER BY to_id, type_id", (ft.type_id, fid, tt.type_id, start)).fetchall()
        grouped: dict[int, list] = {}
        for to_id, type_id, category in rows:
            grouped.setdefault(to_id, []).append(self.assoc_types[(ft.type_id, type_id, category)].with_label())
        ids = list(grouped)
        page = ids[:limit]
        results = [{"toObjectId": to_id, "associationTypes": grouped[to_id]} for to_id in page]
        return results, (str(page[-1]) if len(ids) > limit else None)

    # ---- associations v3 (what hubspot-api-client 8.x calls) --------------------------------

    def association_types(self, from_name: str, to_name: str) -> list[AssociationType]:
        ft, tt = self.object_type(from_name), self.object_type(to_name)
        return sorted((k for k in self.assoc_types.values() if k.from_type == ft.type_id and k.to_type == tt.type_id),
                      key=lambda k: k.type_id)

    def association_type(self, from_name: str, to_name: str, name: str) -> AssociationType:
        """A v3 association type by its name (contact_to_company) or its numeric id."""
        for kind in self.association_types(from_name, to_name):
            if name in (kind.v3_name, str(kind.type_id)):
                return kind
        raise exc.ValidationError(exc.ASSOCIATION_TYPE_INVALID.format(
            type_id=name, category="any category", from_type=self.object_type(from_name).name,
            to_type=self.object_type(to_name).name))

    def link(self, kind: AssociationType, from_id, to_id) -> None:
        """Associate two records by one association type, both directions."""
        with self._write():
            fid = self._find_id(self.types[kind.from_type], from_id, None)
            self._link(kind, fid, self._find_id(self.types[kind.to_type], to_id, None))

    def associated_ids(self, from_name: str, from_id, to_name: str) -> list[dict]:
        """v3 list: one {id, type} per associated record and association type."""
        ft = self.object_type(from_name)
        found, _ = self.associations(from_name, from_id, to_name, limit=10_000)
        return [{"id": str(entry["toObjectId"]), "type": self.assoc_types[(ft.type_id, t["typeId"], t["category"])].v3_name}
                for entry in found for t in entry["associationTypes"]]
