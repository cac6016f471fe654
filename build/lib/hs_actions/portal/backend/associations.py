"""Associations between records: v4 (labels, defaults, batches) and v3 (client 8.x).

Associations are stored both ways in the core's `assoc` table (store.py); the types they may
have are the registry's (data/association_types.json, custom objects' and labels').
"""
from __future__ import annotations

import re

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family
from hs_actions.portal.backend.store import cursor
from hs_actions.portal.models import AssociationType, ObjectType


class Associations(Family):
    """Associations v4 and v3 between records, by association type."""

    name = "associations"
    SEED_KEY = "associations"
    SEED_SHAPES = {
        "associations": 'a list of associations, e.g. [{"from": "contacts/1", "to": "companies/2"}]',
        "association": ('an object {"from": "contacts/1", "to": "companies/2", "types"?: '
                        '[{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]}'),
        "end": 'a string "<object type>/<id>", e.g. "contacts/1"',
        "types": 'a list such as [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]',
        "typeId": "an association type id, a number such as 1",
    }

    # ---- association types, and linking inside a caller's transaction ---------------------

    def association_kind(self, from_type: str, to_type: str, type_id: int, category: str) -> AssociationType:
        """The association type (from type, id, category) names; HubSpot's 400 if it does not lead to `to_type`."""
        kind = self.backend.assoc_types.get((from_type, int(type_id), category))
        if kind is None or kind.to_type != to_type:
            raise exc.AssociationTypeInvalid(
                type_id=type_id, category=category, from_type=self.backend.types[from_type].name,
                to_type=self.backend.types[to_type].name if to_type in self.backend.types else to_type)
        return kind

    def association_kind_by_id(self, from_type: str, spec) -> AssociationType:
        """The association type a v3 create's `types` entry names; the to-type follows from it."""
        if not isinstance(spec, dict):
            raise exc.InvalidInput("association types must be objects")
        category = spec.get("associationCategory", "HUBSPOT_DEFINED")
        kind = self.backend.assoc_types.get((from_type, _type_id(spec.get("associationTypeId")), category))
        if kind is None:
            raise exc.AssociationTypeInvalid(
                type_id=spec.get("associationTypeId"), category=category,
                from_type=self.backend.types[from_type].name, to_type="any object type")
        return kind

    def default_association_kind(self, from_type: str, to_type: str) -> AssociationType:
        """The unlabeled type between two object types; HubSpot's 400 for a pair that cannot associate."""
        for kind in self.backend.assoc_types.values():
            if kind.from_type == from_type and kind.to_type == to_type and kind.default:
                return kind
        raise exc.ValidationError(exc.NO_ASSOCIATION_TYPE.format(
            from_type=self.backend.types[from_type].name, to_type=self.backend.types[to_type].name))

    def link_ids(self, kind: AssociationType, from_id: int, to_id: int) -> None:
        """Associate two record ids by `kind`, both directions, inside the caller's transaction;
        both records' computed counts and dates follow."""
        inverse = self.backend.assoc_types[(kind.to_type, kind.inverse, kind.category)]
        self.conn.execute("INSERT OR IGNORE INTO assoc VALUES (?, ?, ?, ?, ?, ?)",
                          (kind.from_type, from_id, kind.to_type, to_id, kind.type_id, kind.category))
        self.conn.execute("INSERT OR IGNORE INTO assoc VALUES (?, ?, ?, ?, ?, ?)",
                          (inverse.from_type, to_id, inverse.to_type, from_id, inverse.type_id, inverse.category))
        self._refresh_pair(kind.from_type, from_id, kind.to_type, to_id)

    def _refresh_pair(self, from_type: str, from_id: int, to_type: str, to_id: int) -> None:
        """Both records' association counts and last activity dates, after a link or an unlink."""
        ft, tt = self.backend.types.get(from_type), self.backend.types.get(to_type)
        if ft and tt:
            self.backend.refresh_computed(ft, from_id, tt)
            self.backend.refresh_computed(tt, to_id, ft)

    def _pair(self, from_name: str, from_id, to_name: str, to_id) -> tuple[ObjectType, int, ObjectType, int]:
        ft, tt = self.backend.object_type(from_name), self.backend.object_type(to_name)
        return ft, self.backend.find_id(ft, from_id, None), tt, self.backend.find_id(tt, to_id, None)

    def associate_default(self, from_name: str, from_id, to_name: str, to_id) -> list[tuple]:
        """PUT .../associations/default: the unlabeled type, both directions. [(from, to, kind)]"""
        with self.backend.write():
            ft, fid, tt, tid = self._pair(from_name, from_id, to_name, to_id)
            kind = self.default_association_kind(ft.type_id, tt.type_id)
            self.link_ids(kind, fid, tid)
            inverse = self.backend.assoc_types[(kind.to_type, kind.inverse, kind.category)]
            return [(fid, tid, kind), (tid, fid, inverse)]

    def associate(self, from_name: str, from_id, to_name: str, to_id, specs: list) -> dict:
        """PUT with a list of {associationCategory, associationTypeId}: those types, both directions."""
        if not isinstance(specs, list) or not specs:
            raise exc.InvalidInput("expected a non-empty list of association types")
        with self.backend.write():
            ft, fid, tt, tid = self._pair(from_name, from_id, to_name, to_id)
            for spec in specs:
                if not isinstance(spec, dict):
                    raise exc.InvalidInput("association types must be objects")
                kind = self.association_kind(ft.type_id, tt.type_id, _type_id(spec.get("associationTypeId")),
                                        spec.get("associationCategory", "HUBSPOT_DEFINED"))
                self.link_ids(kind, fid, tid)
            return self._labels(ft, fid, tt, tid)

    def _labels(self, ft: ObjectType, fid: int, tt: ObjectType, tid: int) -> dict:
        rows = self.conn.execute("SELECT type_id, category FROM assoc WHERE from_type = ? AND from_id = ? "
                                 "AND to_type = ? AND to_id = ?", (ft.type_id, fid, tt.type_id, tid)).fetchall()
        labels = [self.backend.assoc_types[(ft.type_id, t, c)].label for t, c in rows]
        return {"fromObjectTypeId": ft.type_id, "fromObjectId": fid, "toObjectTypeId": tt.type_id,
                "toObjectId": tid, "labels": [label for label in labels if label]}

    def remove_associations(self, from_name: str, from_id, to_name: str, to_id, specs: list | None = None) -> None:
        """Remove every association (or only the given types) between two records, both directions."""
        with self.backend.write():
            ft, fid, tt, tid = self._pair(from_name, from_id, to_name, to_id)
            rows = self.conn.execute("SELECT type_id, category FROM assoc WHERE from_type = ? AND from_id = ? "
                                     "AND to_type = ? AND to_id = ?", (ft.type_id, fid, tt.type_id, tid)).fetchall()
            chosen = None if specs is None else {(_type_id(s.get("associationTypeId")), s.get("associationCategory"))
                                                 for s in specs if isinstance(s, dict)}
            for type_id, category in rows:
                if chosen is not None and (type_id, category) not in chosen:
                    continue
                inverse = self.backend.assoc_types[(ft.type_id, type_id, category)].inverse
                self.conn.execute("DELETE FROM assoc WHERE from_type = ? AND from_id = ? AND to_type = ? AND to_id = ? "
                                  "AND type_id = ? AND category = ?", (ft.type_id, fid, tt.type_id, tid, type_id, category))
                self.conn.execute("DELETE FROM assoc WHERE from_type = ? AND from_id = ? AND to_type = ? AND to_id = ? "
                                  "AND type_id = ? AND category = ?", (tt.type_id, tid, ft.type_id, fid, inverse, category))
            self._refresh_pair(ft.type_id, fid, tt.type_id, tid)

    def associations(self, from_name: str, from_id, to_name: str, limit: int = 500,
                     after: str | None = None) -> tuple[list[dict], str | None]:
        """v4 list: [{toObjectId, associationTypes: [{category, typeId, label}]}] in id order."""
        ft, tt = self.backend.object_type(from_name), self.backend.object_type(to_name)
        start = cursor(after)
        with self.lock:
            fid = self.backend.find_id(ft, from_id, None)
            rows = self.conn.execute(
                "SELECT to_id, type_id, category FROM assoc WHERE from_type = ? AND from_id = ? AND to_type = ? "
                "AND to_id > ? ORDER BY to_id, type_id", (ft.type_id, fid, tt.type_id, start)).fetchall()
        grouped: dict[int, list] = {}
        for to_id, type_id, category in rows:
            grouped.setdefault(to_id, []).append(self.backend.assoc_types[(ft.type_id, type_id, category)].with_label())
        ids = list(grouped)
        page = ids[:limit]
        results = [{"toObjectId": to_id, "associationTypes": grouped[to_id]} for to_id in page]
        return results, (str(page[-1]) if len(ids) > limit else None)

    # ---- associations v3 (what hubspot-api-client 8.x calls) --------------------------------

    def association_types(self, from_name: str, to_name: str) -> list[AssociationType]:
        ft, tt = self.backend.object_type(from_name), self.backend.object_type(to_name)
        kinds = self.backend.assoc_types.values()
        return sorted((k for k in kinds if k.from_type == ft.type_id and k.to_type == tt.type_id), key=lambda k: k.type_id)

    def association_type(self, from_name: str, to_name: str, name: str) -> AssociationType:
        """A v3 association type by its name (contact_to_company) or its numeric id."""
        for kind in self.association_types(from_name, to_name):
            if name in (kind.v3_name, str(kind.type_id)):
                return kind
        raise exc.AssociationTypeInvalid(
            type_id=name, category="any category", from_type=self.backend.object_type(from_name).name,
            to_type=self.backend.object_type(to_name).name)

    def link(self, kind: AssociationType, from_id, to_id) -> None:
        """Associate two records by one association type, both directions."""
        with self.backend.write():
            fid = self.backend.find_id(self.backend.types[kind.from_type], from_id, None)
            self.link_ids(kind, fid, self.backend.find_id(self.backend.types[kind.to_type], to_id, None))

    def associated_ids(self, from_name: str, from_id, to_name: str) -> list[dict]:
        """v3 list: one {id, type} per associated record and association type."""
        ft = self.backend.object_type(from_name)
        found, _ = self.associations(from_name, from_id, to_name, limit=10_000)
        kinds = self.backend.assoc_types
        return [{"id": str(entry["toObjectId"]), "type": kinds[(ft.type_id, t["typeId"], t["category"])].v3_name}
                for entry in found for t in entry["associationTypes"]]

    # ---- seeding ----------------------------------------------------------------------------

    @classmethod
    def check_seed(cls, check, data: dict) -> None:
        for i, link in enumerate(check.need(data.get("associations", []), list, "associations", "associations")):
            where = f"associations[{i}]"
            check.need(link, dict, where, "association")
            for end in ("from", "to"):
                value = link.get(end)
                if not isinstance(value, str) or not re.fullmatch(r"[^/\s]+/[^/\s]+", value):
                    check.fail(f"{where}.{end}", "end", value)
            if link.get("types") is not None:
                for j, kind in enumerate(check.need(link["types"], list, f"{where}.types", "types")):
                    check.need(kind, dict, f"{where}.types[{j}]", "types")
                    check.ident(kind, "associationTypeId", f"{where}.types[{j}]", "types")

    def seed_step(self, db, data: dict, stamp: int) -> int:
        """[{from: "contacts/1", to: "companies/2", types?}]: no types, the default type."""
        for index, link in enumerate(data.get("associations", [])):
            self.backend.seeding = (f"associations[{index}]", link["from"].split("/")[0])
            from_name, from_id = link["from"].split("/")
            to_name, to_id = link["to"].split("/")
            ft, fid, tt, tid = self._pair(from_name, from_id, to_name, to_id)
            kinds = ([self.association_kind(ft.type_id, tt.type_id, t["associationTypeId"],
                                            t.get("associationCategory", "HUBSPOT_DEFINED")) for t in link["types"]]
                     if link.get("types") else [self.default_association_kind(ft.type_id, tt.type_id)])
            for kind in kinds:
                self.link_ids(kind, fid, tid)
        return len(data.get("associations", []))


def _type_id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise exc.InvalidInput(f"{value!r} is not an association type id") from None
