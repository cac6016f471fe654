"""Association labels (USER_DEFINED association types) created, renamed and deleted through
/crm/v4/associations/{from}/{to}/labels. They join the registry's association types at once."""
from __future__ import annotations

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family
from hs_actions.portal.models import AssociationType, id_number

USER_DEFINED = "USER_DEFINED"


class Labels(Family):
    """Labels between two object types: each is a pair of type ids, one per direction."""

    name = "labels"
    REGISTRY_TABLES = ("association_labels",)
    TABLES = {"association_labels": "CREATE TABLE IF NOT EXISTS association_labels (from_type TEXT, to_type TEXT, "
                                    "type_id INTEGER, inverse INTEGER, label TEXT, name TEXT, "
                                    "PRIMARY KEY (from_type, type_id)) WITHOUT ROWID;"}
    SEED_KEY = "labels"
    SEED_SHAPES = {
        "associationlabels": ('a list of association labels, e.g. [{"from": "contacts", "to": "companies", '
                              '"label": "Manager"}]'),
        "associationlabel": ('an object {"from": "contacts", "to": "companies", "label": "Manager", "inverseLabel"?, '
                             '"name"?, "typeId"?: 1001, "inverseTypeId"?: 1002}'),
    }
    # Seeded associations may name a label's type ids.
    SEED_RELOADS_REGISTRY = True

    def extend_registry(self, db) -> None:
        rows = db.execute("SELECT from_type, to_type, type_id, inverse, label, name FROM association_labels").fetchall()
        types, kinds = self.backend.types, self.backend.assoc_types
        for from_type, to_type, type_id, inverse, label, name in rows:
            if from_type in types and to_type in types:
                kinds[(from_type, type_id, USER_DEFINED)] = AssociationType(
                    from_type, to_type, type_id, inverse, label, USER_DEFINED, False, name)

    def create_association_label(self, from_name: str, to_name: str, spec) -> list[AssociationType]:
        """A label between two types that HubSpot lets associate: [this direction, the inverse].
        Without inverseLabel the label reads the same both ways."""
        ft, tt = self.backend.object_type(from_name), self.backend.object_type(to_name)
        label, name = _text(spec, "label"), _text(spec, "name")
        inverse_label = _text(spec, "inverseLabel", required=False) or label
        self.backend.default_association_kind(ft.type_id, tt.type_id)   # HubSpot's 400 for a pair that cannot associate
        with self.backend.write() as db:
            forward, backward = self._add_label(db, ft, tt, label, name, inverse_label)
        self.backend.load_registry()
        return [self.backend.assoc_types[(ft.type_id, forward, USER_DEFINED)],
                self.backend.assoc_types[(tt.type_id, backward, USER_DEFINED)]]

    def _add_label(self, db, ft, tt, label: str, name: str, inverse_label: str,
                   ids: tuple[int, int] | None = None) -> tuple[int, int]:
        """Store a label pair (inside the caller's transaction); `ids` keeps an account's own type
        ids (a seed copied from it), else the next free ones. (forward, backward)"""
        taken = db.execute("SELECT 1 FROM association_labels WHERE name = ? AND ((from_type = ? AND to_type = ?) "
                           "OR (from_type = ? AND to_type = ?))",
                           (name, ft.type_id, tt.type_id, tt.type_id, ft.type_id)).fetchone()
        if taken:
            raise exc.PortalConflict(exc.LABEL_EXISTS.format(name=name, from_type=ft.name, to_type=tt.name))
        last = int(db.execute("SELECT COALESCE(MAX(CAST(value AS INTEGER)), 1000) FROM meta "
                              "WHERE key = 'next_association_type'").fetchone()[0])
        forward, backward = ids or (last + 1, last + 2)
        kinds = self.backend.assoc_types
        if any((ft.type_id, i, USER_DEFINED) in kinds or (tt.type_id, i, USER_DEFINED) in kinds for i in (forward, backward)):
            raise exc.PortalConflict(exc.LABEL_ID_TAKEN.format(ids=f"{forward}/{backward}", from_type=ft.name, to_type=tt.name))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('next_association_type', ?)", (max(last, forward, backward),))
        db.executemany("INSERT INTO association_labels VALUES (?, ?, ?, ?, ?, ?)", [
            (ft.type_id, tt.type_id, forward, backward, label, name),
            (tt.type_id, ft.type_id, backward, forward, inverse_label, name)])
        return forward, backward

    def update_association_label(self, from_name: str, to_name: str, spec) -> None:
        """Rename a label (and, with inverseLabel, its inverse)."""
        if not isinstance(spec, dict):
            raise exc.InvalidInput("expected a JSON object")
        kind = self._user_label(from_name, to_name, spec.get("associationTypeId"))
        label = _text(spec, "label")
        inverse_label = _text(spec, "inverseLabel", required=False)
        with self.backend.write() as db:
            db.execute("UPDATE association_labels SET label = ? WHERE from_type = ? AND type_id = ?",
                       (label, kind.from_type, kind.type_id))
            if inverse_label:
                db.execute("UPDATE association_labels SET label = ? WHERE from_type = ? AND type_id = ?",
                           (inverse_label, kind.to_type, kind.inverse))
        self.backend.load_registry()

    def delete_association_label(self, from_name: str, to_name: str, type_id) -> None:
        """Delete a label and its inverse; refused while records are associated with it."""
        kind = self._user_label(from_name, to_name, type_id)
        with self.backend.write() as db:
            used = db.execute("SELECT COUNT(*) FROM assoc WHERE from_type = ? AND type_id = ? AND category = ?",
                              (kind.from_type, kind.type_id, USER_DEFINED)).fetchone()[0]
            if used:
                raise exc.ValidationError(exc.LABEL_IN_USE.format(type_id=kind.type_id, label=kind.label, count=used))
            db.execute("DELETE FROM association_labels WHERE (from_type = ? AND type_id = ?) OR "
                       "(from_type = ? AND type_id = ?)", (kind.from_type, kind.type_id, kind.to_type, kind.inverse))
        self.backend.load_registry()

    def _user_label(self, from_name: str, to_name: str, type_id) -> AssociationType:
        ft, tt = self.backend.object_type(from_name), self.backend.object_type(to_name)
        text = str(type_id).strip()
        number = id_number(text)
        if number is None:
            raise exc.InvalidInput(f"associationTypeId must be an integer, not {type_id!r}")
        found = [k for k in self.backend.assoc_types.values()
                 if k.from_type == ft.type_id and k.to_type == tt.type_id and k.type_id == number]
        if not found:
            raise exc.ObjectNotFound(exc.LABEL_NOT_FOUND.format(type_id=text, from_type=ft.name, to_type=tt.name))
        kind = found[0]
        with self.lock:
            created = self.conn.execute("SELECT 1 FROM association_labels WHERE from_type = ? AND type_id = ?",
                                        (kind.from_type, kind.type_id)).fetchone()
        if kind.category != USER_DEFINED or not created:
            raise exc.ValidationError(exc.LABEL_NOT_USER_DEFINED.format(type_id=text, category=kind.category,
                                                                       from_type=ft.name, to_type=tt.name))
        return kind

    # ---- seeding ----------------------------------------------------------------------------

    @classmethod
    def check_seed(cls, check, data: dict) -> None:
        for i, spec in enumerate(check.need(data.get("labels", []), list, "labels", "associationlabels")):
            where = f"labels[{i}]"
            check.need(spec, dict, where, "associationlabel")
            for key in ("from", "to", "label"):
                check.text(spec, key, where, "associationlabel")
            if ("typeId" in spec) != ("inverseTypeId" in spec):
                check.fail(f"{where}.typeId", "associationlabel", spec)
            for key in ("typeId", "inverseTypeId"):
                check.ident(spec, key, where, "associationlabel", required=False)

    def seed_step(self, db, data: dict, stamp: int) -> int:
        """Type ids a seed gives are kept (code may name them), else the next free ones."""
        for index, spec in enumerate(data.get("labels", [])):
            self.backend.seeding = (f"labels[{index}]", spec["from"])
            ft, tt = self.backend.object_type(spec["from"]), self.backend.object_type(spec["to"])
            ids = (int(spec["typeId"]), int(spec["inverseTypeId"])) if spec.get("typeId") is not None else None
            self._add_label(db, ft, tt, spec["label"], spec.get("name") or spec["label"].lower().replace(" ", "_"),
                            spec.get("inverseLabel") or spec["label"], ids)
        return len(data.get("labels", []))


def _text(spec, key: str, required: bool = True) -> str | None:
    if not isinstance(spec, dict):
        raise exc.InvalidInput("expected a JSON object")
    value = spec.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise exc.InvalidInput(f"{key} must be a non-empty string")
    return value
