"""Objects (HubSpot's word for the records of every type): property values validated as HubSpot
does, the properties the portal computes, and the objects v3 operations. Records live in the
core's tables (store.py), which search, merge and GDPR delete read too."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family
from hs_actions.portal.backend.store import cursor
from hs_actions.portal.models import (InvalidValue, ObjectType, Record, id_number, iso, now_ms, parse_time,
                                      property_errors)

LIST_LIMIT_MAX = 100
# The logged activities whose hs_timestamp makes a record's "Last Activity Date"
# (notes_last_updated). HubSpot also counts a task when it is completed; the portal does not.
ACTIVITY_TYPES = ("notes", "calls", "emails", "meetings", "communications", "postal_mail")


# ---- computed properties: rule name (a property's "computed" in data/properties) -> inputs, value

def _email_domain(values: dict, backend, ot) -> str:
    email = values.get("email") or ""
    return email.rpartition("@")[2].lower() if "@" in email else ""


def _stage(values: dict, backend, ot) -> dict:
    pipelines = backend.pipelines.get(ot.type_id, {})
    chosen = [pipelines[values["pipeline"]]] if values.get("pipeline") in pipelines else pipelines.values()
    for pipeline in chosen:
        for stage in pipeline["stages"]:
            if stage["id"] == values.get("dealstage"):
                return stage.get("metadata", {})
    return {}


def _deal_closed(values: dict, backend, ot) -> str:
    return "true" if _stage(values, backend, ot).get("isClosed") == "true" else "false"


def _deal_closed_won(values: dict, backend, ot) -> str:
    metadata = _stage(values, backend, ot)
    won = metadata.get("isClosed") == "true" and float(metadata.get("probability") or 0) == 1.0
    return "true" if won else "false"


def _line_item_amount(values: dict, backend, ot) -> str:
    """quantity x (price less the unit discount), less the discount percentage; none without a
    price and a quantity."""
    try:
        price, quantity = Decimal(values["price"]), Decimal(values["quantity"])
        unit = price - Decimal(values.get("discount") or 0)
        amount = quantity * unit * (1 - Decimal(values.get("hs_discount_percentage") or 0) / 100)
    except (KeyError, InvalidOperation):
        return ""
    text = format(amount.normalize(), "f")
    return text


DERIVED = {
    "email_domain": (("email",), _email_domain),
    "deal_closed": (("dealstage", "pipeline"), _deal_closed),
    "deal_closed_won": (("dealstage", "pipeline"), _deal_closed_won),
    "line_item_amount": (("price", "quantity", "discount", "hs_discount_percentage"), _line_item_amount),
}


class Objects(Family):
    """Records of every object type: create, read, update, archive, batches; the record ids
    other families resolve (`find_id`) and the records they answer with (`load_records`)."""

    name = "objects"
    SEED_KEY = "records"
    SEED_SHAPES = {
        "records": ('an object of lists of records by object type, e.g. {"contacts": [{"id": "1", '
                    '"properties": {"email": "ada@example.com"}}]}'),
        "recordlist": 'a list of records, e.g. [{"id": "1", "properties": {"email": "ada@example.com"}}]',
        "record": 'an object {"id"?, "createdAt"?, "updatedAt"?, "archived"?, "properties": {"name": "value"}}',
        "values": 'an object of property values, e.g. {"email": "ada@example.com"}',
    }

    def _encode(self, ot: ObjectType, values: dict, system: bool = False) -> dict:
        """Validated (value, folded, num) of each written property; HubSpot's 400 otherwise."""
        if not isinstance(values, dict):
            raise exc.InvalidInput("properties must be an object")
        defs = self.backend.defs[ot.type_id]
        encoded, problems = {}, []
        for name, raw in values.items():
            prop = defs.get(name)
            if prop is None:
                problems.append(InvalidValue(name, "PROPERTY_DOESNT_EXIST", exc.PROPERTY_DOESNT_EXIST.format(name=name)))
                continue
            if prop.read_only_value and not system:
                problems.append(InvalidValue(name, "READ_ONLY_VALUE", exc.PROPERTY_READ_ONLY.format(name=name)))
                continue
            try:
                encoded[name] = prop.encode(raw)
                if prop.referenced_object_type == "OWNER" and encoded[name][0] and not system:
                    self._check_owner(name, encoded[name][0])
            except InvalidValue as problem:
                if problem.code == "INVALID_INPUT":
                    raise exc.ValidationError(problem.message) from None
                problems.append(problem)
        if problems:
            raise property_errors(problems)
        return encoded

    def _check_owner(self, name: str, value: str) -> None:
        if not self.backend.owner_is_active(value):
            raise InvalidValue(name, "INVALID_OPTION", exc.OWNER_OPTION.format(value=value))

    def _check_unique(self, ot: ObjectType, encoded: dict, exclude: int | None = None,
                      pending: dict | None = None) -> None:
        for name in ot.unique_properties:
            if name not in encoded or encoded[name][0] == "":
                continue
            folded = encoded[name][1]
            row = self.conn.execute(
                "SELECT pv.oid FROM pv JOIN objects o ON o.otype = pv.otype AND o.id = pv.oid "
                "WHERE pv.otype = ? AND pv.name = ? AND pv.folded = ? AND o.archived = 0 AND pv.oid != ?",
                (ot.type_id, name, folded, exclude if exclude is not None else -1)).fetchone()
            existing = row[0] if row else (pending or {}).get((name, folded))
            if existing is not None:
                raise exc.PortalConflict(exc.UNIQUE_CONFLICT.format(singular=ot.singular.capitalize(), id=existing))
            if pending is not None:
                pending[(name, folded)] = "(earlier in this batch)"

    # ---- writing records ------------------------------------------------------------------

    def next_id(self) -> int:
        """A new record id, never used before in this portal (inside the caller's transaction)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'next_id'").fetchone()
        next_id = int(row[0]) if row else 1
        self._bump_id(next_id)
        return next_id

    def peek_next_id(self) -> int:
        """The id the next record created will get (nothing is taken): ids from here on, read
        before and after a run, are those the run's calls made the portal assign."""
        with self.lock:
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'next_id'").fetchone()
        return int(row[0]) if row else 1

    def _bump_id(self, used: int) -> None:
        # meta.value is TEXT: compare both sides as integers (SQLite orders any text after
        # any integer, so MAX(9001, '8001') would move the counter back to 8001).
        self.conn.execute(
            "INSERT INTO meta VALUES ('next_id', ?) ON CONFLICT(key) DO UPDATE SET "
            "value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))", (used + 1,))

    def _store(self, ot: ObjectType, oid: int, encoded: dict, stamp: int, source: str) -> None:
        db = self.conn
        for name, (value, folded, num) in encoded.items():
            if value == "":
                db.execute("DELETE FROM pv WHERE otype = ? AND oid = ? AND name = ?", (ot.type_id, oid, name))
            else:
                db.execute("INSERT OR REPLACE INTO pv VALUES (?, ?, ?, ?, ?, ?)",
                           (ot.type_id, oid, name, value, folded, num))
            db.execute("INSERT INTO history VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (ot.type_id, oid, name, value, stamp, source, None))
        modified = (iso(stamp), str(stamp), float(stamp))
        db.execute("INSERT OR REPLACE INTO pv VALUES (?, ?, ?, ?, ?, ?)",
                   (ot.type_id, oid, ot.modified_property, *modified))
        db.execute("UPDATE objects SET updated = ? WHERE otype = ? AND id = ?", (stamp, ot.type_id, oid))
        self._derive(ot, oid, encoded)
        if "hs_timestamp" in encoded and ot.name in ACTIVITY_TYPES:
            self._refresh_linked(ot, oid)

    # ---- computed properties --------------------------------------------------------------

    def _derive(self, ot: ObjectType, oid: int, written) -> None:
        """Recompute the record's own computed properties whose inputs were just written."""
        for name, rule in self.backend.computed.get(ot.type_id, ()):
            if rule in DERIVED and any(i in written for i in DERIVED[rule][0]):
                inputs, compute = DERIVED[rule]
                values = dict(self.conn.execute(
                    f"SELECT name, value FROM pv WHERE otype = ? AND oid = ? AND name IN ({','.join('?' * len(inputs))})",
                    (ot.type_id, oid, *inputs)).fetchall())
                self._set_computed(ot, oid, name, compute(values, self.backend, ot))

    def _set_computed(self, ot: ObjectType, oid: int, name: str, value: str) -> None:
        if value == "":
            self.conn.execute("DELETE FROM pv WHERE otype = ? AND oid = ? AND name = ?", (ot.type_id, oid, name))
            return
        self.conn.execute("INSERT OR REPLACE INTO pv VALUES (?, ?, ?, ?, ?, ?)",
                          (ot.type_id, oid, name, *self.backend.defs[ot.type_id][name].encode(value)))

    def refresh_computed(self, ot: ObjectType, oid: int, other: ObjectType) -> None:
        """Recompute the record's properties that count or date its associations with `other`
        (num_associated_<type>, notes_last_updated): after a link, an unlink or an archive."""
        for name, rule in self.backend.computed.get(ot.type_id, ()):
            if rule == f"count:{other.name}":
                (count,) = self.conn.execute(
                    "SELECT COUNT(DISTINCT a.to_id) FROM assoc a JOIN objects o ON o.otype = a.to_type AND o.id = a.to_id "
                    "WHERE a.from_type = ? AND a.from_id = ? AND a.to_type = ? AND o.archived = 0",
                    (ot.type_id, oid, other.type_id)).fetchone()
                self._set_computed(ot, oid, name, str(count))
            elif rule == "last_activity" and other.name in ACTIVITY_TYPES:
                activity = [t.type_id for t in self.backend.types.values() if t.name in ACTIVITY_TYPES and not t.custom]
                (latest,) = self.conn.execute(
                    f"SELECT MAX(pv.num) FROM assoc a JOIN objects o ON o.otype = a.to_type AND o.id = a.to_id "
                    f"JOIN pv ON pv.otype = a.to_type AND pv.oid = a.to_id AND pv.name = 'hs_timestamp' "
                    f"WHERE a.from_type = ? AND a.from_id = ? AND o.archived = 0 "
                    f"AND a.to_type IN ({','.join('?' * len(activity))})", (ot.type_id, oid, *activity)).fetchone()
                self._set_computed(ot, oid, name, "" if latest is None else str(int(latest)))

    def _refresh_linked(self, ot: ObjectType, oid: int) -> None:
        """Refresh what every record associated with this one computes from it."""
        for to_type, to_id in self.conn.execute(
                "SELECT DISTINCT to_type, to_id FROM assoc WHERE from_type = ? AND from_id = ?", (ot.type_id, oid)).fetchall():
            if to_type in self.backend.types and self.backend.computed.get(to_type):
                self.refresh_computed(self.backend.types[to_type], to_id, ot)

    def _insert(self, ot: ObjectType, values: dict, source: str = "API", oid: int | None = None,
                created: int | None = None, system: bool = False, pending: dict | None = None,
                updated: int | None = None) -> int:
        encoded = self._encode(ot, values, system=system)
        missing = ot.missing_required(values)
        if missing:
            raise exc.ValidationError(exc.REQUIRED_PROPERTIES.format(hubspot_name=ot.hubspot_name),
                                      context={"properties": missing})
        self._check_unique(ot, encoded, pending=pending)
        if oid is None:
            oid = self.next_id()
        else:
            self._bump_id(oid)
        if ot.created_property in encoded and encoded[ot.created_property][0]:
            created = int(encoded[ot.created_property][2])
        stamp = updated or (created if system else None) or now_ms()
        created = created if created is not None else stamp
        self.conn.execute("INSERT INTO objects (otype, id, created, updated) VALUES (?, ?, ?, ?)",
                          (ot.type_id, oid, created, stamp))
        encoded[ot.created_property] = (iso(created), str(created), float(created))
        encoded["hs_object_id"] = (str(oid), str(oid), float(oid))
        self._store(ot, oid, encoded, stamp, source)
        return oid

    def find_id(self, ot: ObjectType, object_id, id_property: str | None, archived: bool = False) -> int:
        """The numeric id of a live (or, with archived, an archived) record; 404 if none. An id
        merged away answers as the live record it was merged into (merge.py, `merged_into`)."""
        if id_property and id_property != "hs_object_id":
            prop = self.backend.defs[ot.type_id].get(id_property)
            if prop is None or not prop.has_unique_value:
                raise exc.ValidationError(exc.PROPERTY_NOT_FOUND.format(name=id_property, object_type=ot.name))
            row = self.conn.execute(
                "SELECT pv.oid FROM pv JOIN objects o ON o.otype = pv.otype AND o.id = pv.oid "
                "WHERE pv.otype = ? AND pv.name = ? AND pv.folded = ? AND o.archived = ?",
                (ot.type_id, id_property, str(object_id).strip().lower(), int(archived))).fetchone()
            if row is None:
                raise exc.RecordNotFound(str(object_id))
            return row[0]
        text = str(object_id).strip()
        number = id_number(text)
        if number is None:
            raise exc.RecordNotFound(text)
        row = self.conn.execute("SELECT id FROM objects WHERE otype = ? AND id = ? AND archived = ?",
                                (ot.type_id, number, int(archived))).fetchone()
        if row is None:
            merged = None if archived else self.backend.merged_into(ot, number)
            if merged is None:
                raise exc.RecordNotFound(text)
            return merged
        return row[0]

    # ---- reading records ------------------------------------------------------------------

    def load_records(self, ot: ObjectType, ids: list[int], names: list[str] | None,
                     history: list[str] | None = None, associations: list[str] | None = None) -> dict[int, Record]:
        """Records by id. names=None: every property with a value; otherwise exactly the
        requested, defined properties (None where unset). Unknown names are ignored, as HubSpot does."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT id, created, updated, archived, archived_at FROM objects WHERE otype = ? AND id IN ({marks})",
            (ot.type_id, *ids)).fetchall()
        defs = self.backend.defs[ot.type_id]
        wanted = None if names is None else [n for n in dict.fromkeys(names) if n in defs]
        records = {}
        for oid, created, updated, archived, archived_at in rows:
            props = {} if wanted is None else dict.fromkeys(wanted)
            records[oid] = Record(ot.type_id, oid, props, created, updated, bool(archived), archived_at)
        if wanted is None:
            query = f"SELECT oid, name, value FROM pv WHERE otype = ? AND oid IN ({marks})"
            params = (ot.type_id, *ids)
        elif wanted:
            query = (f"SELECT oid, name, value FROM pv WHERE otype = ? AND oid IN ({marks}) "
                     f"AND name IN ({','.join('?' * len(wanted))})")
            params = (ot.type_id, *ids, *wanted)
        else:
            query = None
        if query:
            for oid, name, value in self.conn.execute(query, params):
                records[oid].properties[name] = value
        if history:
            asked = [n for n in dict.fromkeys(history) if n in defs]
            for record in records.values():
                record.history = {n: [] for n in asked}
            if asked:
                for oid, name, value, ts, source_type, source_id in self.conn.execute(
                        f"SELECT oid, name, value, ts, source_type, source_id FROM history WHERE otype = ? "
                        f"AND oid IN ({marks}) AND name IN ({','.join('?' * len(asked))}) "
                        f"ORDER BY ts DESC, rowid DESC", (ot.type_id, *ids, *asked)):
                    entry = {"value": value, "timestamp": iso(ts), "sourceType": source_type}
                    if source_id:
                        entry["sourceId"] = source_id
                    records[oid].history[name].append(entry)
        for to_name in associations or ():
            to_type = self.backend.spellings.get(to_name.lower())
            if to_type is None:
                continue
            kind = self.backend.association_kind
            for oid, record in records.items():
                found = [{"id": str(to_id), "type": kind(ot.type_id, to_type.type_id, type_id, cat).v3_name or str(type_id)}
                         for to_id, type_id, cat in self.conn.execute(
                             "SELECT to_id, type_id, category FROM assoc WHERE from_type = ? AND from_id = ? "
                             "AND to_type = ? ORDER BY to_id, type_id", (ot.type_id, oid, to_type.type_id))]
                if found:
                    key = f"p{self.backend.portal_id}_{to_type.name}" if to_type.custom else to_type.name
                    record.associations = record.associations or {}
                    record.associations[key] = {"results": found}
        return records

    def get(self, object_type: str, object_id, properties: list[str] | None = None,
            history: list[str] | None = None, associations: list[str] | None = None,
            archived: bool = False, id_property: str | None = None) -> Record:
        """GET one record. Ignores: `propertiesWithHistory` limits on history length."""
        ot = self.backend.object_type(object_type)
        with self.lock:
            oid = self.find_id(ot, object_id, id_property, archived)
            return self.load_records(ot, [oid], self.asked_properties(ot, properties), history, associations)[oid]

    def record(self, object_type: str, object_id) -> Record | None:
        """Every property with a value (for building a workflow event), or None."""
        ot = self.backend.object_type(object_type)
        with self.lock:
            try:
                oid = self.find_id(ot, object_id, None)
            except exc.ObjectNotFound:
                return None
            return self.load_records(ot, [oid], None)[oid]

    def list(self, object_type: str, limit: int = 10, after: str | None = None,
             properties: list[str] | None = None, history: list[str] | None = None,
             associations: list[str] | None = None, archived: bool = False) -> tuple[list[Record], str | None]:
        """A page of records in id order and the `after` of the next page (None at the end)."""
        ot = self.backend.object_type(object_type)
        start = cursor(after)
        with self.lock:
            ids = [r[0] for r in self.conn.execute(
                "SELECT id FROM objects WHERE otype = ? AND archived = ? AND id > ? ORDER BY id LIMIT ?",
                (ot.type_id, int(archived), start, limit + 1))]
            page = ids[:limit]
            records = self.load_records(ot, page, self.asked_properties(ot, properties), history, associations)
        return [records[i] for i in page], (str(page[-1]) if len(ids) > limit else None)

    # ---- create, update, archive ------------------------------------------------------------

    def create(self, object_type: str, properties: dict, associations: list | None = None) -> Record:
        """Create one record (and its associations). 409 CONFLICT on a taken unique value."""
        ot = self.backend.object_type(object_type)
        with self.backend.write():
            oid = self._insert(ot, properties)
            self._associate_inputs(ot, oid, associations)
            return self.load_records(ot, [oid], self._returned(ot, properties))[oid]

    @staticmethod
    def asked_properties(ot: ObjectType, properties: list[str] | None) -> list[str]:
        """What a read answers with: the defaults, or the named properties plus the three
        HubSpot always adds (create date, last-modified date, hs_object_id)."""
        if not properties:
            return ot.default_properties
        return [*properties, ot.created_property, ot.modified_property, "hs_object_id"]

    def _returned(self, ot: ObjectType, written: dict) -> list[str]:
        """What a create/update answers with: the written properties and the defaults."""
        return list(dict.fromkeys([*ot.default_properties, *written]))

    def _associate_inputs(self, ot: ObjectType, oid: int, associations) -> None:
        for entry in associations or ():
            if not isinstance(entry, dict):
                raise exc.InvalidInput("associations must be a list of objects")
            to_id = str((entry.get("to") or {}).get("id", ""))
            for spec in entry.get("types") or ():
                kind = self.backend.association_kind_by_id(ot.type_id, spec)
                self.backend.link_ids(kind, oid, self.find_id(self.backend.types[kind.to_type], to_id, None))

    def update(self, object_type: str, object_id, properties: dict, id_property: str | None = None) -> Record:
        """PATCH one record: only the given properties change; an empty string clears one."""
        ot = self.backend.object_type(object_type)
        with self.backend.write():
            oid = self.find_id(ot, object_id, id_property)
            encoded = self._encode(ot, properties)
            self._check_unique(ot, encoded, exclude=oid)
            self._store(ot, oid, encoded, now_ms(), "API")
            return self.load_records(ot, [oid], self._returned(ot, properties))[oid]

    def archive(self, object_type: str, object_id) -> None:
        """Move a record to the recycle bin (archived=true). 404 if it is not live."""
        ot = self.backend.object_type(object_type)
        with self.backend.write():
            oid = self.find_id(ot, object_id, None)
            self._archive(ot, oid)

    def _archive(self, ot: ObjectType, oid: int) -> None:
        stamp = now_ms()
        self.conn.execute("UPDATE objects SET archived = 1, archived_at = ?, updated = ? WHERE otype = ? AND id = ?",
                          (stamp, stamp, ot.type_id, oid))
        self._refresh_linked(ot, oid)   # archived records no longer count

    # ---- batches ----------------------------------------------------------------------------

    @staticmethod
    def _check_distinct(ids) -> None:
        """HubSpot refuses a whole batch that names one record twice (400), before doing any of it."""
        seen, repeated = set(), []
        for key in (str(i) for i in ids):
            if key in seen and key not in repeated:
                repeated.append(key)
            seen.add(key)
        if repeated:
            raise exc.ValidationError(exc.DUPLICATE_IDS.format(ids=", ".join(repeated)), context={"ids": repeated})

    def _not_found(self, ot: ObjectType, ids: list[str]) -> exc.PortalError:
        return exc.ObjectNotFound(exc.BATCH_NOT_FOUND.format(hubspot_name=ot.hubspot_name), context={"ids": ids})

    def batch_read(self, object_type: str, ids: list, properties=None, history=None,
                   id_property: str | None = None, archived: bool = False):
        """(records, errors): ids not found are one OBJECT_NOT_FOUND error (HubSpot's 207); an
        id given twice fails the batch (400; unconfirmed for read, see README)."""
        ot = self.backend.object_type(object_type)
        self._check_distinct(self.backend.check_batch(ids))
        found, missing = [], []
        with self.lock:
            for object_id in ids:
                try:
                    found.append(self.find_id(ot, object_id, id_property, archived))
                except exc.ObjectNotFound:
                    missing.append(str(object_id))
            records = self.load_records(ot, found, self.asked_properties(ot, properties), history)
        return [records[i] for i in dict.fromkeys(found)], ([self._not_found(ot, missing)] if missing else [])

    def batch_create(self, object_type: str, inputs: list) -> list[Record]:
        """All or nothing, as HubSpot: one invalid input fails the whole batch with its 400/409."""
        ot = self.backend.object_type(object_type)
        self.backend.check_batch(inputs)
        with self.backend.write():
            pending: dict = {}
            ids = []
            for entry in inputs:
                if not isinstance(entry, dict):
                    raise exc.InvalidInput("each input must be an object")
                oid = self._insert(ot, entry.get("properties") or {}, pending=pending)
                self._associate_inputs(ot, oid, entry.get("associations"))
                ids.append(oid)
            names = self._returned(ot, {k: 1 for e in inputs for k in (e.get("properties") or {})})
            records = self.load_records(ot, ids, names)
        return [records[i] for i in ids]

    def batch_update(self, object_type: str, inputs: list, id_property: str | None = None):
        """(records, errors): unknown ids are reported (207); invalid values and an id given
        twice fail the batch (400)."""
        ot = self.backend.object_type(object_type)
        self._check_distinct(e["id"] for e in self.backend.check_batch(inputs) if isinstance(e, dict) and "id" in e)
        with self.backend.write():
            done, missing = [], []
            for entry in inputs:
                if not isinstance(entry, dict) or "id" not in entry:
                    raise exc.InvalidInput("each input needs an id")
                encoded = self._encode(ot, entry.get("properties") or {})
                try:
                    oid = self.find_id(ot, entry["id"], entry.get("idProperty", id_property))
                except exc.ObjectNotFound:
                    missing.append(str(entry["id"]))
                    continue
                self._check_unique(ot, encoded, exclude=oid)
                self._store(ot, oid, encoded, now_ms(), "API")
                done.append(oid)
            names = self._returned(ot, {k: 1 for e in inputs for k in (e.get("properties") or {})})
            records = self.load_records(ot, done, names)
        return [records[i] for i in dict.fromkeys(done)], ([self._not_found(ot, missing)] if missing else [])

    def batch_upsert(self, object_type: str, inputs: list, required: bool = False) -> list[tuple[Record, bool]]:
        """Update the record whose unique `idProperty` has the value `id`, or create it with
        that value; all or nothing, as batch create; an id given twice fails the batch (400).
        With `required` (a 2026-09 path) the account's required properties are checked as a
        create (the idProperty's value counts as set) or as an update checks them. [(record, created)]"""
        ot = self.backend.object_type(object_type)
        self._check_distinct(e["id"] for e in self.backend.check_batch(inputs)
                             if isinstance(e, dict) and e.get("id") is not None)
        with self.backend.write():
            done = []
            for entry in inputs:
                if not isinstance(entry, dict) or entry.get("id") is None or not entry.get("idProperty"):
                    raise exc.InvalidInput("each input needs id and idProperty")
                properties = dict(entry.get("properties") or {})
                try:
                    oid = self.find_id(ot, entry["id"], entry["idProperty"])
                except exc.ObjectNotFound:
                    properties[entry["idProperty"]] = str(entry["id"])
                    if required:
                        self.backend.check_account_required(ot.name, properties, creating=True)
                    done.append((self._insert(ot, properties), True))
                    continue
                if required:
                    self.backend.check_account_required(ot.name, properties, creating=False)
                encoded = self._encode(ot, properties)
                self._check_unique(ot, encoded, exclude=oid)
                self._store(ot, oid, encoded, now_ms(), "API")
                done.append((oid, False))
            names = self._returned(ot, {k: 1 for e in inputs for k in (e.get("properties") or {})})
            records = self.load_records(ot, [oid for oid, _ in done], names)
        return [(records[oid], created) for oid, created in done]

    def batch_archive(self, object_type: str, ids: list) -> None:
        """Archive each live id; ids not found are ignored (HubSpot answers 204 regardless). An id
        given twice fails the batch (400; unconfirmed for archive, see README)."""
        ot = self.backend.object_type(object_type)
        self._check_distinct(self.backend.check_batch(ids))
        with self.backend.write():
            for object_id in ids:
                try:
                    self._archive(ot, self.find_id(ot, object_id, None))
                except exc.ObjectNotFound:
                    pass

    # ---- seeding ----------------------------------------------------------------------------

    @classmethod
    def check_seed(cls, check, data: dict) -> None:
        for object_type, listed in check.need(data.get("records", {}), dict, "records", "records").items():
            for i, record in enumerate(check.need(listed, list, f"records.{object_type}", "recordlist")):
                where = f"records.{object_type}[{i}]"
                check.need(record, dict, where, "record")
                check.ident(record, "id", where, "record", required=False)
                if "properties" in record:
                    check.need(record["properties"], dict, f"{where}.properties", "values")
                for key in ("createdAt", "updatedAt"):
                    check.time(record, key, where)

    def seed_step(self, db, data: dict, stamp: int) -> int:
        """Records keep their given ids and timestamps; values go through the API's validation,
        read-only properties allowed."""
        count = 0
        for object_type, records in data.get("records", {}).items():
            self.backend.seeding = (f"records.{object_type}", object_type)
            ot = self.backend.object_type(object_type)
            for index, spec in enumerate(records):
                self.backend.seeding = (f"records.{object_type}[{index}]", object_type)
                created = parse_time(spec["createdAt"]) if spec.get("createdAt") else None
                updated = parse_time(spec["updatedAt"]) if spec.get("updatedAt") else None
                oid = int(spec["id"]) if spec.get("id") is not None else None
                if oid is not None and db.execute("SELECT 1 FROM objects WHERE otype = ? AND id = ?",
                                                  (ot.type_id, oid)).fetchone():
                    raise exc.PortalConflict(exc.SEED_RECORD_EXISTS.format(object_type=object_type, id=oid))
                oid = self._insert(ot, spec.get("properties", {}), source=spec.get("sourceType", "IMPORT"),
                                   oid=oid, created=created, system=True, updated=updated)
                if spec.get("archived"):
                    self._archive(ot, oid)
                count += 1
        return count
