"""The portal's state and HubSpot's rules over it, in SQLite. Nothing here knows about HTTP.

One connection, guarded by one lock: the server's threads take turns, and SQLite never sees
two writers (8 threads x 250 writes lose nothing). With a file the database is in WAL mode,
so another process (`hs-actions portal show`) can read while the server writes.

Property values live one row per (object, property) with a folded (lower-case) copy and a
numeric copy, indexed by (object type, property, value): a search filter is an index range
scan, not a scan of every record.
"""
from __future__ import annotations

import fnmatch
import json
import re
import sqlite3
import threading
from contextlib import contextmanager

from hs_actions.errors import SeedError
from hs_actions.masking import Masks
from hs_actions.portal import exceptions as exc
from hs_actions.portal.models import (AssociationType, InvalidValue, ObjectType, Owner, PropertyDef,
                                  Record, Token, all_scopes, iso, load, now_ms, parse_time,
                                  property_errors)

BATCH_MAX = 100
LIST_LIMIT_MAX = 100
OWNERS_LIMIT_MAX = 500
SEARCH_LIMIT_MAX = 200
SEARCH_WINDOW = 10_000
SEARCH_MAX_GROUPS = 5
SEARCH_MAX_FILTERS_PER_GROUP = 6
SEARCH_MAX_FILTERS = 18
OPERATORS = ("EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY",
             "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN")
_COMPARISONS = {"EQ": "=", "NEQ": "=", "LT": "<", "LTE": "<=", "GT": ">", "GTE": ">="}
_NUMERIC_TYPES = ("number", "datetime", "date")
_TOKEN_SPLIT = re.compile(r"[\s,;.@_\-/:()]+")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS objects (
    otype TEXT, id INTEGER, created INTEGER, updated INTEGER, archived INTEGER DEFAULT 0,
    archived_at INTEGER, PRIMARY KEY (otype, id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pv (
    otype TEXT, oid INTEGER, name TEXT, value TEXT, folded TEXT, num REAL,
    PRIMARY KEY (otype, oid, name)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pv_folded ON pv (otype, name, folded, oid);
CREATE INDEX IF NOT EXISTS pv_num ON pv (otype, name, num, oid);
CREATE TABLE IF NOT EXISTS history (
    otype TEXT, oid INTEGER, name TEXT, value TEXT, ts INTEGER, source_type TEXT, source_id TEXT);
CREATE INDEX IF NOT EXISTS history_object ON history (otype, oid, name);
CREATE TABLE IF NOT EXISTS assoc (
    from_type TEXT, from_id INTEGER, to_type TEXT, to_id INTEGER, type_id INTEGER, category TEXT,
    PRIMARY KEY (from_type, from_id, to_type, to_id, category, type_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS schemas (type_id TEXT PRIMARY KEY, body TEXT);
CREATE TABLE IF NOT EXISTS property_defs (otype TEXT, name TEXT, body TEXT, PRIMARY KEY (otype, name));
CREATE TABLE IF NOT EXISTS owners (id TEXT PRIMARY KEY, email TEXT, body TEXT);
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, name TEXT, scopes TEXT, revoked_at INTEGER);
CREATE TABLE IF NOT EXISTS requests (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER, method TEXT, path TEXT, query TEXT,
    status INTEGER, duration_ms REAL, scope TEXT, scopes TEXT, run TEXT, token TEXT, category TEXT);
CREATE INDEX IF NOT EXISTS requests_run ON requests (run);
CREATE TABLE IF NOT EXISTS callbacks (callback_id TEXT, body TEXT, at INTEGER);
CREATE TABLE IF NOT EXISTS pipelines (otype TEXT, id TEXT, body TEXT, PRIMARY KEY (otype, id));
"""
# The keys a seed file may have (see Backend.seed); "comment" documents the file.
SEED_KEYS = ("schemas", "properties", "pipelines", "owners", "records", "associations", "tokens", "comment")
_TABLES = ("meta", "objects", "pv", "history", "assoc", "schemas", "property_defs", "owners",
           "tokens", "requests", "callbacks", "pipelines")


_MAX_ID = 2**63 - 1


def cursor(after, search: bool = False) -> int:
    """The number an `after` stands for: 0 when absent. HubSpot's 400 when it is negative or not
    a number (a Python slice would otherwise read "-5" as "the last five"). Search cursors are
    offsets, given as a JSON number or string; list cursors are ids, from the query string."""
    if after is None or after == "":
        return 0
    text = str(after).strip() if isinstance(after, (str, int)) and not isinstance(after, bool) else None
    if text is not None and re.fullmatch(r"-\d+", text):
        raise exc.ValidationError(exc.AFTER_NEGATIVE.format(value=text))
    if text is None or not text.isdigit() or not text.isascii():
        if search:
            raise exc.ValidationError(exc.SEARCH_AFTER_INVALID.format(
                value=after if isinstance(after, str) else json.dumps(after)))
        raise exc.ValidationError(exc.AFTER_INVALID.format(value=after))
    return min(int(text), _MAX_ID)   # past every id: an empty page, not SQLite's overflow


def _tokens(folded: str) -> set[str]:
    return {t for t in _TOKEN_SPLIT.split(folded) if t} | {folded}


def _contains_token(folded, token) -> int:
    if folded is None:
        return 0
    token = token.lower()
    if "*" in token:
        return int(any(fnmatch.fnmatchcase(t, token) for t in _tokens(folded)))
    return int(token in _tokens(folded))


def _prefix_token(folded, word) -> int:
    if folded is None:
        return 0
    return int(any(t.startswith(word) for t in _tokens(folded)))


class Backend:
    """The portal's state. `reset()` empties it; `seed()` fills it from seed-file data."""

    def __init__(self, db: str = ":memory:", portal_id: int = 0):
        self.db = str(db)
        self.portal_id = portal_id
        self.lock = threading.RLock()
        self._seeding: tuple[str, str] | None = None   # the seed entry being added, for errors
        self.masks = Masks()   # secret values the request log never keeps (Portal.mask_secrets)
        self.conn = sqlite3.connect(self.db, check_same_thread=False, isolation_level=None)
        try:
            self.conn.execute("PRAGMA busy_timeout = 5000")
            if self.db != ":memory:":
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.create_function("hs_contains_token", 2, _contains_token, deterministic=True)
            self.conn.create_function("hs_prefix_token", 2, _prefix_token, deterministic=True)
            self.conn.executescript(SCHEMA)
            self._load_registry()
        except BaseException:
            # A file that is not a database fails here: leave nothing open on it, so that
            # `portal reset` can replace it.
            self.conn.close()
            raise

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    # ---- transactions and the registry of types ------------------------------------------

    @contextmanager
    def _write(self):
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def reset(self) -> None:
        """Back to empty: no records, owners, tokens, custom objects or logged requests."""
        with self._write() as db:
            for table in _TABLES:
                db.execute(f"DELETE FROM {table}")
        self._load_registry()

    def _load_registry(self) -> None:
        """Object types, property definitions, association types and pipelines: the data
        files, plus what seeds added to the database (custom objects, properties, pipelines)."""
        data = load("object_types.json")
        props = load("properties.json")
        with self.lock:
            schemas = [json.loads(body) for (body,) in self.conn.execute("SELECT body FROM schemas")]
            extra = self.conn.execute("SELECT otype, body FROM property_defs").fetchall()
            seeded_pipelines = self.conn.execute("SELECT otype, body FROM pipelines ORDER BY rowid").fetchall()
        types = {}
        for spec in data["standard"]:
            ot = ObjectType.standard(spec)
            types[ot.type_id] = ot
        pipelines: dict[str, dict[str, dict]] = {}
        for name, listed in load("pipelines.json").items():
            if name != "comment":
                pipelines[self._standard_id(name, types)] = {p["id"]: p for p in listed}
        for otype, body in seeded_pipelines:
            pipeline = json.loads(body)
            pipelines.setdefault(otype, {})[pipeline["id"]] = pipeline
        options = dict(props["options"])
        for otype, listed in pipelines.items():
            name = types[otype].name if otype in types else otype
            options[f"pipelines:{name}"] = [(p["label"], p["id"]) for p in listed.values()]
            options[f"stages:{name}"] = [(s["label"], s["id"]) for p in listed.values() for s in p["stages"]]
        defs: dict[str, dict[str, PropertyDef]] = {}
        for ot in list(types.values()):
            defs[ot.type_id] = {p["name"]: PropertyDef.from_data(p, options, i)
                                for i, p in enumerate(props["types"][ot.name])}
        assoc = [AssociationType(self._standard_id(t["from"], types), self._standard_id(t["to"], types),
                                 t["typeId"], t["inverse"], t["label"], "HUBSPOT_DEFINED",
                                 t.get("default", False), t["v3"])
                 for t in load("association_types.json")["types"]]
        for schema in schemas:
            ot = ObjectType.from_schema(schema)
            types[ot.type_id] = ot
            defs[ot.type_id] = {p["name"]: PropertyDef.from_data(p, None, i)
                                for i, p in enumerate(data["custom"]["builtinProperties"])}
            assoc.extend(AssociationType(**a) for a in schema.get("_associationTypes", []))
        for otype, body in extra:
            spec = json.loads(body)
            defs.setdefault(otype, {})[spec["name"]] = PropertyDef.from_data(spec, options)
        self.types = types
        self.pipelines = pipelines
        self.defs = defs
        self.assoc_types = {(a.from_type, a.type_id, a.category): a for a in assoc}
        self.spellings = {name: ot for ot in types.values() for name in ot.names(self.portal_id)}

    @staticmethod
    def _standard_id(name: str, types: dict) -> str:
        return next(t.type_id for t in types.values() if t.name == name)

    def object_type(self, name: str) -> ObjectType:
        ot = self.spellings.get(str(name).lower())
        if ot is None:
            raise exc.ValidationError(exc.UNKNOWN_OBJECT_TYPE.format(name=name))
        return ot

    # ---- properties -----------------------------------------------------------------------

    def properties(self, object_type: str) -> list[PropertyDef]:
        return list(self.defs[self.object_type(object_type).type_id].values())

    def property(self, object_type: str, name: str) -> PropertyDef:
        ot = self.object_type(object_type)
        prop = self.defs[ot.type_id].get(name)
        if prop is None:
            raise exc.ObjectNotFound(exc.PROPERTY_NOT_FOUND.format(name=name, object_type=ot.name))
        return prop

    def _encode(self, ot: ObjectType, values: dict, system: bool = False) -> dict:
        """Validated (value, folded, num) of each written property; HubSpot's 400 otherwise."""
        if not isinstance(values, dict):
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail="properties must be an object"))
        defs = self.defs[ot.type_id]
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
        for (body,) in self.conn.execute("SELECT body FROM owners WHERE id = ?", (value,)):
            if not json.loads(body)["archived"]:
                return
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
                raise exc.Conflict(exc.UNIQUE_CONFLICT.format(singular=ot.singular.capitalize(), id=existing))
            if pending is not None:
                pending[(name, folded)] = "(earlier in this batch)"

    # ---- writing records ------------------------------------------------------------------

    def _next_id(self) -> int:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'next_id'").fetchone()
        next_id = int(row[0]) if row else 1
        self._bump_id(next_id)
        return next_id

    def _bump_id(self, used: int) -> None:
        self.conn.execute(
            "INSERT INTO meta VALUES ('next_id', ?) ON CONFLICT(key) DO UPDATE SET "
            "value = MAX(CAST(value AS INTEGER), excluded.value)", (used + 1,))

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

    def _insert(self, ot: ObjectType, values: dict, source: str = "API", oid: int | None = None,
                created: int | None = None, system: bool = False, pending: dict | None = None,
                updated: int | None = None) -> int:
        encoded = self._encode(ot, values, system=system)
        self._check_unique(ot, encoded, pending=pending)
        if oid is None:
            oid = self._next_id()
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

    def _find_id(self, ot: ObjectType, object_id, id_property: str | None, archived: bool = False) -> int:
        """The numeric id of a live (or, with archived, an archived) record; 404 if none."""
        if id_property and id_property != "hs_object_id":
            prop = self.defs[ot.type_id].get(id_property)
            if prop is None or not prop.has_unique_value:
                raise exc.ValidationError(exc.PROPERTY_NOT_FOUND.format(name=id_property, object_type=ot.name))
            row = self.conn.execute(
                "SELECT pv.oid FROM pv JOIN objects o ON o.otype = pv.otype AND o.id = pv.oid "
                "WHERE pv.otype = ? AND pv.name = ? AND pv.folded = ? AND o.archived = ?",
                (ot.type_id, id_property, str(object_id).strip().lower(), int(archived))).fetchone()
            if row is None:
                raise exc.ObjectNotFound(exc.OBJECT_NOT_FOUND, context={"id": [str(object_id)]})
            return row[0]
        text = str(object_id).strip()
        if not text.isdigit() or int(text) >= 2**63:  # beyond SQLite's integers: no such record
            raise exc.ObjectNotFound(exc.OBJECT_NOT_FOUND, context={"id": [text]})
        row = self.conn.execute("SELECT id FROM objects WHERE otype = ? AND id = ? AND archived = ?",
                                (ot.type_id, int(text), int(archived))).fetchone()
        if row is None:
            raise exc.ObjectNotFound(exc.OBJECT_NOT_FOUND, context={"id": [text]})
        return row[0]

    # ---- reading records ------------------------------------------------------------------

    def _load(self, ot: ObjectType, ids: list[int], names: list[str] | None,
              history: list[str] | None = None, associations: list[str] | None = None) -> dict[int, Record]:
        """Records by id. names=None: every property with a value; otherwise exactly the
        requested, defined properties (None where unset). Unknown names are ignored, as HubSpot does."""
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(
            f"SELECT id, created, updated, archived, archived_at FROM objects WHERE otype = ? AND id IN ({marks})",
            (ot.type_id, *ids)).fetchall()
        defs = self.defs[ot.type_id]
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
            to_type = self.spellings.get(to_name.lower())
            if to_type is None:
                continue
            for oid, record in records.items():
                found = [{"id": str(to_id), "type": self._assoc_type(ot.type_id, to_type.type_id, type_id, cat).v3_name
                          or str(type_id)}
                         for to_id, type_id, cat in self.conn.execute(
                             "SELECT to_id, type_id, category FROM assoc WHERE from_type = ? AND from_id = ? "
                             "AND to_type = ? ORDER BY to_id, type_id", (ot.type_id, oid, to_type.type_id))]
                if found:
                    key = f"p{self.portal_id}_{to_type.name}" if to_type.custom else to_type.name
                    record.associations = record.associations or {}
                    record.associations[key] = {"results": found}
        return records

    def get(self, object_type: str, object_id, properties: list[str] | None = None,
            history: list[str] | None = None, associations: list[str] | None = None,
            archived: bool = False, id_property: str | None = None) -> Record:
        """GET one record. Ignores: `propertiesWithHistory` limits on history length."""
        ot = self.object_type(object_type)
        with self.lock:
            oid = self._find_id(ot, object_id, id_property, archived)
            return self._load(ot, [oid], self._asked(ot, properties), history, associations)[oid]

    def record(self, object_type: str, object_id) -> Record | None:
        """Every property with a value (for building a workflow event), or None."""
        ot = self.object_type(object_type)
        with self.lock:
            try:
                oid = self._find_id(ot, object_id, None)
            except exc.ObjectNotFound:
                return None
            return self._load(ot, [oid], None)[oid]

    def list(self, object_type: str, limit: int = 10, after: str | None = None,
             properties: list[str] | None = None, history: list[str] | None = None,
             associations: list[str] | None = None, archived: bool = False) -> tuple[list[Record], str | None]:
        """A page of records in id order and the `after` of the next page (None at the end)."""
        ot = self.object_type(object_type)
        if not 1 <= limit <= LIST_LIMIT_MAX:
            raise exc.ValidationError(exc.LIMIT_OUT_OF_RANGE.format(minimum=1, maximum=LIST_LIMIT_MAX, value=limit))
        start = cursor(after)
        with self.lock:
            ids = [r[0] for r in self.conn.execute(
                "SELECT id FROM objects WHERE otype = ? AND archived = ? AND id > ? ORDER BY id LIMIT ?",
                (ot.type_id, int(archived), start, limit + 1))]
            page = ids[:limit]
            records = self._load(ot, page, self._asked(ot, properties), history, associations)
        return [records[i] for i in page], (str(page[-1]) if len(ids) > limit else None)

    # ---- create, update, archive ------------------------------------------------------------

    def create(self, object_type: str, properties: dict, associations: list | None = None) -> Record:
        """Create one record (and its associations). 409 CONFLICT on a taken unique value."""
        ot = self.object_type(object_type)
        with self._write():
            oid = self._insert(ot, properties)
            self._associate_inputs(ot, oid, associations)
            return self._load(ot, [oid], self._returned(ot, properties))[oid]

    @staticmethod
    def _asked(ot: ObjectType, properties: list[str] | None) -> list[str]:
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
                raise exc.ValidationError(exc.INVALID_INPUT.format(detail="associations must be a list of objects"))
            to_id = str((entry.get("to") or {}).get("id", ""))
            for spec in entry.get("types") or ():
                kind = self._assoc_by_id(ot.type_id, spec)
                self._link(kind, oid, self._find_id(self.types[kind.to_type], to_id, None))

    def update(self, object_type: str, object_id, properties: dict, id_property: str | None = None) -> Record:
        """PATCH one record: only the given properties change; an empty string clears one."""
        ot = self.object_type(object_type)
        with self._write():
            oid = self._find_id(ot, object_id, id_property)
            encoded = self._encode(ot, properties)
            self._check_unique(ot, encoded, exclude=oid)
            self._store(ot, oid, encoded, now_ms(), "API")
            return self._load(ot, [oid], self._returned(ot, properties))[oid]

    def archive(self, object_type: str, object_id) -> None:
        """Move a record to the recycle bin (archived=true). 404 if it is not live."""
        ot = self.object_type(object_type)
        with self._write():
            oid = self._find_id(ot, object_id, None)
            self._archive(ot, oid)

    def _archive(self, ot: ObjectType, oid: int) -> None:
        stamp = now_ms()
        self.conn.execute("UPDATE objects SET archived = 1, archived_at = ?, updated = ? WHERE otype = ? AND id = ?",
                          (stamp, stamp, ot.type_id, oid))

    # ---- batches ----------------------------------------------------------------------------

    @staticmethod
    def check_batch(inputs) -> list:
        if not isinstance(inputs, list):
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail="inputs must be a list"))
        if len(inputs) > BATCH_MAX:
            raise exc.ValidationError(exc.BATCH_TOO_LARGE.format(count=len(inputs), maximum=BATCH_MAX))
        return inputs

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
        ot = self.object_type(object_type)
        self._check_distinct(self.check_batch(ids))
        found, missing = [], []
        with self.lock:
            for object_id in ids:
                try:
                    found.append(self._find_id(ot, object_id, id_property, archived))
                except exc.ObjectNotFound:
                    missing.append(str(object_id))
            records = self._load(ot, found, self._asked(ot, properties), history)
        return [records[i] for i in dict.fromkeys(found)], ([self._not_found(ot, missing)] if missing else [])

    def batch_create(self, object_type: str, inputs: list) -> list[Record]:
        """All or nothing, as HubSpot: one invalid input fails the whole batch with its 400/409."""
        ot = self.object_type(object_type)
        self.check_batch(inputs)
        with self._write():
            pending: dict = {}
            ids = []
            for entry in inputs:
                if not isinstance(entry, dict):
                    raise exc.ValidationError(exc.INVALID_INPUT.format(detail="each input must be an object"))
                oid = self._insert(ot, entry.get("properties") or {}, pending=pending)
                self._associate_inputs(ot, oid, entry.get("associations"))
                ids.append(oid)
            names = self._returned(ot, {k: 1 for e in inputs for k in (e.get("properties") or {})})
            records = self._load(ot, ids, names)
        return [records[i] for i in ids]

    def batch_update(self, object_type: str, inputs: list, id_property: str | None = None):
        """(records, errors): unknown ids are reported (207); invalid values and an id given
        twice fail the batch (400)."""
        ot = self.object_type(object_type)
        self._check_distinct(e["id"] for e in self.check_batch(inputs) if isinstance(e, dict) and "id" in e)
        with self._write():
            done, missing = [], []
            for entry in inputs:
                if not isinstance(entry, dict) or "id" not in entry:
                    raise exc.ValidationError(exc.INVALID_INPUT.format(detail="each input needs an id"))
                encoded = self._encode(ot, entry.get("properties") or {})
                try:
                    oid = self._find_id(ot, entry["id"], entry.get("idProperty", id_property))
                except exc.ObjectNotFound:
                    missing.append(str(entry["id"]))
                    continue
                self._check_unique(ot, encoded, exclude=oid)
                self._store(ot, oid, encoded, now_ms(), "API")
                done.append(oid)
            names = self._returned(ot, {k: 1 for e in inputs for k in (e.get("properties") or {})})
            records = self._load(ot, done, names)
        return [records[i] for i in dict.fromkeys(done)], ([self._not_found(ot, missing)] if missing else [])

    def batch_upsert(self, object_type: str, inputs: list) -> list[tuple[Record, bool]]:
        """Update the record whose unique `idProperty` has the value `id`, or create it with
        that value; all or nothing, as batch create; an id given twice fails the batch (400).
        [(record, created)]"""
        ot = self.object_type(object_type)
        self._check_distinct(e["id"] for e in self.check_batch(inputs)
                             if isinstance(e, dict) and e.get("id") is not None)
        with self._write():
            done = []
            for entry in inputs:
                if not isinstance(entry, dict) or entry.get("id") is None or not entry.get("idProperty"):
                    raise exc.ValidationError(exc.INVALID_INPUT.format(detail="each input needs id and idProperty"))
                properties = dict(entry.get("properties") or {})
                try:
                    oid = self._find_id(ot, entry["id"], entry["idProperty"])
                except exc.ObjectNotFound:
                    properties[entry["idProperty"]] = str(entry["id"])
                    done.append((self._insert(ot, properties), True))
                    continue
                encoded = self._encode(ot, properties)
                self._check_unique(ot, encoded, exclude=oid)
                self._store(ot, oid, encoded, now_ms(), "API")
                done.append((oid, False))
            names = self._returned(ot, {k: 1 for e in inputs for k in (e.get("properties") or {})})
            records = self._load(ot, [oid for oid, _ in done], names)
        return [(records[oid], created) for oid, created in done]

    def batch_archive(self, object_type: str, ids: list) -> None:
        """Archive each live id; ids not found are ignored (HubSpot answers 204 regardless). An id
        given twice fails the batch (400; unconfirmed for archive, see README)."""
        ot = self.object_type(object_type)
        self._check_distinct(self.check_batch(ids))
        with self._write():
            for object_id in ids:
                try:
                    self._archive(ot, self._find_id(ot, object_id, None))
                except exc.ObjectNotFound:
                    pass

    # ---- search -----------------------------------------------------------------------------

    def search(self, object_type: str, filter_groups: list, sorts: list, query: str | None,
               properties: list[str] | None, limit: int, after: int):
        """(total, records, next_after). Filters AND within a group, groups OR.

        String comparisons are case-insensitive; numbers, dates and datetimes compare as
        numbers (dates/datetimes given as epoch ms or ISO 8601). NEQ, NOT_IN and
        NOT_CONTAINS_TOKEN also match records without the property. Ignores: HubSpot's
        indexing delay (a record is searchable as soon as it is written) and the relevance
        ranking of `query` (results keep the sort order).
        """
        ot = self.object_type(object_type)
        if not 0 <= limit <= SEARCH_LIMIT_MAX:
            raise exc.ValidationError(exc.LIMIT_OUT_OF_RANGE.format(minimum=0, maximum=SEARCH_LIMIT_MAX, value=limit))
        if after + limit > SEARCH_WINDOW:
            raise exc.ValidationError(exc.SEARCH_WINDOW.format(maximum=SEARCH_WINDOW, value=after + limit))
        where, params = self._search_where(ot, filter_groups, query)
        order, order_params = self._search_order(ot, sorts)
        with self.lock:
            # One pass gives the total and the page: cheaper than COUNT(*) plus LIMIT/OFFSET.
            matched = [r[0] for r in self.conn.execute(
                f"SELECT o.id FROM objects o {order[0]} WHERE {where} ORDER BY {order[1]}", (*order_params, *params))]
            ids = matched[after:after + limit]
            records = self._load(ot, ids, self._asked(ot, properties))
        total = len(matched)
        next_after = after + limit if after + limit < total and limit else None
        return total, [records[i] for i in ids], next_after

    def _search_where(self, ot: ObjectType, groups, query) -> tuple[str, list]:
        """SQL over `objects o` for filter groups and query words.

        Each filter is a condition on one property row, kept or negated. In a group, the first
        kept condition drives an index range scan (o.id IN ...); the others are primary-key
        lookups of the candidate's row (EXISTS / NOT EXISTS), so a group costs about as much
        as its first filter matches.
        """
        if not isinstance(groups, list) or len(groups) > SEARCH_MAX_GROUPS:
            raise exc.ValidationError(exc.INVALID_INPUT.format(
                detail=f"filterGroups must be a list of at most {SEARCH_MAX_GROUPS} groups"))
        where, params = ["o.otype = ? AND o.archived = 0"], [ot.type_id]
        ors, count = [], 0
        for group in groups:
            filters = group.get("filters") if isinstance(group, dict) else None
            if not isinstance(filters, list) or len(filters) > SEARCH_MAX_FILTERS_PER_GROUP:
                raise exc.ValidationError(exc.INVALID_INPUT.format(
                    detail=f"each filter group needs a list of at most {SEARCH_MAX_FILTERS_PER_GROUP} filters"))
            count += len(filters)
            conditions = sorted((self._filter(ot, spec) for spec in filters), key=lambda c: c[2])
            ands = []
            for i, (condition, values, negated) in enumerate(conditions):
                if i == 0 and not negated:
                    ands.append(f"o.id IN (SELECT oid FROM pv WHERE otype = ? AND {condition})")
                    params.append(ot.type_id)
                else:
                    ands.append(f"{'NOT ' if negated else ''}EXISTS (SELECT 1 FROM pv WHERE pv.otype = o.otype "
                                f"AND pv.oid = o.id AND {condition})")
                params.extend(values)
            if ands:
                ors.append("(" + " AND ".join(ands) + ")")
        if count > SEARCH_MAX_FILTERS:
            raise exc.ValidationError(exc.INVALID_INPUT.format(
                detail=f"at most {SEARCH_MAX_FILTERS} filters in all, but {count} were given"))
        if ors:
            where.append("(" + " OR ".join(ors) + ")")
        searchable = [n for n in ot.searchable_properties if n in self.defs[ot.type_id]]
        for word in (query or "").lower().split():
            where.append(f"EXISTS (SELECT 1 FROM pv WHERE pv.otype = o.otype AND pv.oid = o.id AND pv.name IN "
                         f"({','.join('?' * len(searchable))}) AND hs_prefix_token(pv.folded, ?))")
            params.extend([*searchable, word])
        return " AND ".join(where), params

    def _filter(self, ot: ObjectType, spec) -> tuple[str, list, bool]:
        """(condition on a pv row, its parameters, negated) for one filter."""
        if not isinstance(spec, dict):
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail="each filter must be an object"))
        name, operator = spec.get("propertyName"), spec.get("operator", "EQ")
        if operator not in OPERATORS:
            raise exc.ValidationError(exc.UNKNOWN_OPERATOR.format(operator=operator, allowed=", ".join(OPERATORS)))
        prop = self.defs[ot.type_id].get(name)
        if prop is None:
            raise exc.ValidationError(exc.UNKNOWN_FILTER_PROPERTY.format(name=name, object_type=ot.name))
        numeric = prop.type in _NUMERIC_TYPES
        column = "pv.num" if numeric else "pv.folded"

        def value(field: str):
            raw = spec.get(field)
            if raw is None:
                raise exc.ValidationError(exc.FILTER_VALUE_MISSING.format(name=name, operator=operator, field=field))
            return value_of(numeric, prop, raw, name)

        has = "pv.name = ?"
        if operator in _COMPARISONS:
            return f"{has} AND {column} {_COMPARISONS[operator]} ?", [name, value("value")], operator == "NEQ"
        if operator == "BETWEEN":
            return f"{has} AND {column} BETWEEN ? AND ?", [name, value("value"), value("highValue")], False
        if operator in ("IN", "NOT_IN"):
            raw = spec.get("values")
            if not isinstance(raw, list) or not raw:
                raise exc.ValidationError(exc.FILTER_VALUE_MISSING.format(name=name, operator=operator, field="values"))
            items = [value_of(numeric, prop, v, name) for v in raw]
            return f"{has} AND {column} IN ({','.join('?' * len(items))})", [name, *items], operator == "NOT_IN"
        if operator in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
            return has, [name], operator == "NOT_HAS_PROPERTY"
        token = spec.get("value")
        if token is None:
            raise exc.ValidationError(exc.FILTER_VALUE_MISSING.format(name=name, operator=operator, field="value"))
        return f"{has} AND hs_contains_token(pv.folded, ?)", [name, str(token)], operator == "NOT_CONTAINS_TOKEN"

    def _search_order(self, ot: ObjectType, sorts) -> tuple[tuple[str, str], list]:
        if not sorts:
            return ("", "o.id"), []
        if not isinstance(sorts, list):
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail="sorts must be a list"))
        if len(sorts) > 1:
            # HubSpot's search guide: "Only one sorting rule can be applied to any search."
            names = [str(x.get("propertyName")) if isinstance(x, dict) else str(x) for x in sorts]
            raise exc.ValidationError(exc.TOO_MANY_SORTS.format(count=len(sorts), names=", ".join(names)),
                                      context={"sorts": names})
        first = sorts[0]
        if isinstance(first, str):
            name, descending = first.lstrip("-"), first.startswith("-")
        elif isinstance(first, dict):
            name, descending = first.get("propertyName"), str(first.get("direction", "ASCENDING")).upper() == "DESCENDING"
        else:
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail="each sort must be a string or an object"))
        prop = self.defs[ot.type_id].get(name)
        if prop is None:
            raise exc.ValidationError(exc.UNKNOWN_SORT.format(name=name, object_type=ot.name))
        column = "s.num" if prop.type in _NUMERIC_TYPES else "s.folded"
        direction = "DESC" if descending else "ASC"
        join = "LEFT JOIN pv s ON s.otype = o.otype AND s.oid = o.id AND s.name = ?"
        # Records without the property come last either way.
        return (join, f"{column} IS NULL, {column} {direction}, o.id {direction}"), [name]

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
        if not 1 <= limit <= OWNERS_LIMIT_MAX:
            raise exc.ValidationError(exc.LIMIT_OUT_OF_RANGE.format(minimum=1, maximum=OWNERS_LIMIT_MAX, value=limit))
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
        if not isinstance(body, dict) or not isinstance(body.get("outputFields", {}), dict):
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail="expected {\"outputFields\": {...}}"))
        with self._write() as db:
            db.execute("INSERT INTO callbacks VALUES (?, ?, ?)", (callback_id, json.dumps(body), now_ms()))

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
            entry["at"] = iso(entry["at"])
        return self.masks.all(entries)   # entries logged before a value was given are masked too

    # ---- seeding ----------------------------------------------------------------------------

    def seed(self, data: dict) -> dict:
        """Load seed data (data/seed_default.json is an example); every key is optional:

            schemas:      [{name, objectTypeId: "2-<n>", labels, primaryDisplayProperty,
                            associatedObjects: ["CONTACT", ...], properties: [definition]}]
            properties:   {object type: [definition]}   extra properties of any type
            owners:       [{id, email, firstName, lastName, userId, teams, archived}]
            records:      {object type: [{id?, createdAt?, updatedAt?, archived?, properties}]}
            associations: [{from: "contacts/1", to: "companies/2", types?: [{associationCategory,
                            associationTypeId}]}]             (no types: the default type)
            tokens:       [{token, scopes, name?}]
            pipelines:    {object type: [{id, label, stages: [{id, label, metadata}]}]}

        A definition is HubSpot's property shape (name, label, type, fieldType, options...).
        Records keep their given ids and timestamps; values go through the API's validation,
        read-only properties allowed. Returns counts of what was added.

        All or nothing: one transaction, so a seed that fails (an unknown key or scope, an id
        that exists, an invalid value) adds nothing, not even the types it defines. Every
        failure is a SeedError (hs_actions.errors) naming the entry: a wrong shape says the shape
        expected; an unknown property or object type says where a seed declares one.
        """
        if not isinstance(data, dict):
            raise SeedError(exc.SEED_REFUSED.format(detail=exc.SEED_NOT_AN_OBJECT.format(
                known=", ".join(SEED_KEYS), found=_described(data))))
        unknown = sorted(set(data) - set(SEED_KEYS))
        if unknown:
            raise SeedError(exc.SEED_REFUSED.format(detail=exc.SEED_UNKNOWN_KEYS.format(
                keys=", ".join(map(repr, unknown)), known=", ".join(SEED_KEYS))))
        _check_seed_shape(data)
        self._seeding = None
        try:
            with self._write() as db:
                return self._seed(db, data)
        except exc.PortalError as error:
            raise SeedError(exc.SEED_REFUSED.format(detail=self._seed_detail(error))) from None
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            # A shape _check_seed_shape does not know of: still a SeedError naming the entry.
            detail = exc.SEED_UNREADABLE.format(kind=type(error).__name__, detail=error)
            where = self._seeding[0] if self._seeding else None
            raise SeedError(exc.SEED_REFUSED.format(
                detail=detail + (exc.SEED_AT.format(where=where) if where else ""))) from None
        finally:
            self._seeding = None
            # The registry is read from the tables: after a rollback it must forget the
            # types the failed seed defined; after a commit it already has them.
            self._load_registry()

    def _seed_detail(self, error: exc.PortalError) -> str:
        """A refusal's message, the seed entry it came from, and how to declare what was missing."""
        detail = error.message
        if self._seeding:
            where, object_type = self._seeding
            detail += exc.SEED_AT.format(where=where)
            missing = [e["context"]["propertyName"][0] for e in error.errors or ()
                       if e.get("code") == "PROPERTY_DOESNT_EXIST"]
            if missing:
                detail += exc.SEED_UNKNOWN_PROPERTY_HINT.format(object_type=object_type, name=missing[0])
            elif error.message.startswith(exc.UNKNOWN_OBJECT_TYPE.format(name="")):
                detail += exc.SEED_UNKNOWN_TYPE_HINT.format(
                    name=error.message[len(exc.UNKNOWN_OBJECT_TYPE.format(name="")):])
        return detail

    def _seed(self, db, data: dict) -> dict:
        """seed() inside its transaction."""
        counts = {"schemas": 0, "properties": 0, "pipelines": 0, "owners": 0, "records": 0, "associations": 0, "tokens": 0}
        for index, schema in enumerate(data.get("schemas", [])):
            self._seeding = (f"schemas[{index}]", schema["name"])
            self._add_schema(schema)
            counts["schemas"] += 1
        for object_type, specs in data.get("properties", {}).items():
            self._seeding = (f"properties.{object_type}", object_type)
            ot = self.object_type(object_type)
            for spec in specs:
                db.execute("INSERT OR REPLACE INTO property_defs VALUES (?, ?, ?)",
                           (ot.type_id, spec["name"], json.dumps({"hubspotDefined": False, **spec})))
                counts["properties"] += 1
        for object_type, listed in data.get("pipelines", {}).items():
            self._seeding = (f"pipelines.{object_type}", object_type)
            ot = self.object_type(object_type)
            for pipeline in listed:
                db.execute("INSERT OR REPLACE INTO pipelines VALUES (?, ?, ?)",
                           (ot.type_id, pipeline["id"], json.dumps(pipeline)))
                counts["pipelines"] += 1
        # Records are validated against the types and properties just added: the registry
        # reads them back from this (still open) transaction.
        self._load_registry()
        stamp = now_ms()
        for index, spec in enumerate(data.get("owners", [])):
            self._seeding = (f"owners[{index}]", "owners")
            owner = Owner.from_data(spec, stamp)
            db.execute("INSERT OR REPLACE INTO owners VALUES (?, ?, ?)",
                       (owner.id, owner.email, json.dumps(owner.__dict__)))
            counts["owners"] += 1
        for object_type, records in data.get("records", {}).items():
            self._seeding = (f"records.{object_type}", object_type)
            ot = self.object_type(object_type)
            for index, spec in enumerate(records):
                self._seeding = (f"records.{object_type}[{index}]", object_type)
                created = parse_time(spec["createdAt"]) if spec.get("createdAt") else None
                updated = parse_time(spec["updatedAt"]) if spec.get("updatedAt") else None
                oid = int(spec["id"]) if spec.get("id") is not None else None
                if oid is not None and db.execute("SELECT 1 FROM objects WHERE otype = ? AND id = ?",
                                                  (ot.type_id, oid)).fetchone():
                    raise exc.Conflict(exc.SEED_RECORD_EXISTS.format(object_type=object_type, id=oid))
                oid = self._insert(ot, spec.get("properties", {}), source=spec.get("sourceType", "IMPORT"),
                                   oid=oid, created=created, system=True, updated=updated)
                if spec.get("archived"):
                    self._archive(ot, oid)
                counts["records"] += 1
        for index, link in enumerate(data.get("associations", [])):
            self._seeding = (f"associations[{index}]", link["from"].split("/")[0])
            from_name, from_id = link["from"].split("/")
            to_name, to_id = link["to"].split("/")
            ft, fid, tt, tid = self._pair(from_name, from_id, to_name, to_id)
            kinds = ([self._assoc_type(ft.type_id, tt.type_id, t["associationTypeId"],
                                       t.get("associationCategory", "HUBSPOT_DEFINED")) for t in link["types"]]
                     if link.get("types") else [self._default_type(ft.type_id, tt.type_id)])
            for kind in kinds:
                self._link(kind, fid, tid)
            counts["associations"] += 1
        known = all_scopes()
        self._seeding = None   # a token's refusal names its entry itself
        for index, spec in enumerate(data.get("tokens", [])):
            scopes = spec["scopes"]
            unknown = [scope for scope in scopes if scope not in known]
            if unknown:
                # A token with a misspelt scope would only fail later, as a 403 in some run.
                raise exc.ValidationError(exc.SEED_UNKNOWN_SCOPES.format(
                    index=index, scopes=", ".join(map(repr, unknown)), known=", ".join(known)))
            db.execute("INSERT OR REPLACE INTO tokens VALUES (?, ?, ?, NULL)",
                       (spec["token"], spec.get("name", ""), json.dumps(spec["scopes"])))
            counts["tokens"] += 1
        return counts

    def _add_schema(self, schema: dict) -> None:
        """A custom object type, with association types to the standard objects it names."""
        ot = ObjectType.from_schema(schema)
        if ot.type_id in self.types and not self.types[ot.type_id].custom:
            raise exc.ValidationError(exc.INVALID_INPUT.format(detail=f"{ot.type_id} is a standard object type"))
        body = dict(schema)
        kinds = []
        next_type_id = int(self.conn.execute("SELECT COALESCE(MAX(CAST(value AS INTEGER)), 1000) FROM meta "
                                             "WHERE key = 'next_association_type'").fetchone()[0])
        for target in schema.get("associatedObjects", []):
            other = self.object_type(target)
            forward, backward = next_type_id + 1, next_type_id + 2
            next_type_id = backward
            kinds.append(dict(from_type=ot.type_id, to_type=other.type_id, type_id=forward, inverse=backward,
                              label=None, category="USER_DEFINED", default=True,
                              v3_name=f"{ot.singular}_to_{other.singular}"))
            kinds.append(dict(from_type=other.type_id, to_type=ot.type_id, type_id=backward, inverse=forward,
                              label=None, category="USER_DEFINED", default=True,
                              v3_name=f"{other.singular}_to_{ot.singular}"))
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('next_association_type', ?)", (next_type_id,))
        body["_associationTypes"] = kinds
        self.conn.execute("INSERT OR REPLACE INTO schemas VALUES (?, ?)", (ot.type_id, json.dumps(body)))
        for spec in schema.get("properties", []):
            self.conn.execute("INSERT OR REPLACE INTO property_defs VALUES (?, ?, ?)",
                              (ot.type_id, spec["name"], json.dumps({"hubspotDefined": False, **spec})))

    def counts(self) -> dict[str, int]:
        with self.lock:
            rows = self.conn.execute("SELECT otype, COUNT(*) FROM objects WHERE archived = 0 GROUP BY otype").fetchall()
        return {self.types[t].name if t in self.types else t: n for t, n in rows}


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise exc.ValidationError(exc.INVALID_INPUT.format(detail=f"{value!r} is not an association type id")) from None


def value_of(numeric: bool, prop: PropertyDef, raw, name: str):
    """A filter value as stored: folded text, or a number for numbers and dates."""
    if not numeric:
        return str(raw).lower()
    number = parse_time(raw) if prop.type != "number" else None
    if number is None:
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise exc.ValidationError(exc.INVALID_NUMBER.format(value=raw, name=name)) from None
    return number


# ---- the shape of a seed ----------------------------------------------------------------------

_DEFINITION = '{"name": "shoe_size", "type": "number", "fieldType": "number"}'
_SEED_SHAPES = {
    "schemas": ('a list of custom object schemas, e.g. [{"name": "pets", "objectTypeId": "2-1", '
                '"primaryDisplayProperty": "pet_name", "properties": [' + _DEFINITION.replace("shoe_size", "pet_name")
                .replace('"number"', '"string"', 1).replace('"number"', '"text"') + ']}]'),
    "schema": ('an object {"name": "pets", "objectTypeId": "2-<n>", "labels"?, "primaryDisplayProperty"?, '
               '"associatedObjects"?: ["CONTACT", ...], "properties"?: [definition]}'),
    "properties": 'an object of lists of property definitions by object type, e.g. {"contacts": [' + _DEFINITION + ']}',
    "definitions": 'a list of property definitions, e.g. [' + _DEFINITION + ']',
    "definition": 'a property definition, an object such as ' + _DEFINITION,
    "pipelines": ('an object of lists of pipelines by object type, e.g. {"deals": [{"id": "renewals", '
                  '"label": "Renewals", "stages": [{"id": "won", "label": "Won", "metadata": {"isClosed": "true"}}]}]}'),
    "pipeline": 'an object {"id": "renewals", "label": "Renewals", "stages": [{"id": "won", "label": "Won"}]}',
    "stage": 'an object {"id": "won", "label": "Won", "metadata"?: {...}}',
    "stages": 'a list of stages, e.g. [{"id": "won", "label": "Won", "metadata": {"isClosed": "true"}}]',
    "owners": 'a list of owners, e.g. [{"id": "101", "email": "o@example.com", "firstName": "O", "lastName": "W"}]',
    "owner": 'an object {"id": "101", "email"?, "firstName"?, "lastName"?, "userId"?, "teams"?, "archived"?}',
    "records": ('an object of lists of records by object type, e.g. {"contacts": [{"id": "1", '
                '"properties": {"email": "ada@example.com"}}]}'),
    "recordlist": 'a list of records, e.g. [{"id": "1", "properties": {"email": "ada@example.com"}}]',
    "record": 'an object {"id"?, "createdAt"?, "updatedAt"?, "archived"?, "properties": {"name": "value"}}',
    "associations": 'a list of associations, e.g. [{"from": "contacts/1", "to": "companies/2"}]',
    "association": ('an object {"from": "contacts/1", "to": "companies/2", "types"?: '
                    '[{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]}'),
    "end": 'a string "<object type>/<id>", e.g. "contacts/1"',
    "types": 'a list such as [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]',
    "tokens": 'a list of tokens, e.g. [{"token": "pat-local", "scopes": ["crm.objects.contacts.read"]}]',
    "text": "a non-empty string",
    "id": 'an id: a number, or a string of digits such as "101"',
    "typeId": "an association type id, a number such as 1",
    "objectTypeId": 'a custom object type id "2-<n>", e.g. "2-1"',
    "labels": 'an object {"singular": "Pet", "plural": "Pets"}',
    "associatedObjects": 'a list of object type names, e.g. ["CONTACT", "COMPANY"]',
    "values": 'an object of property values, e.g. {"email": "ada@example.com"}',
    "time": 'a datetime: ISO 8601 such as "2024-05-01T09:00:00Z", or epoch milliseconds',
    "scopes": 'a list of scope names, e.g. ["crm.objects.contacts.read"]',
    "token": 'an object {"token": "pat-local", "scopes": ["crm.objects.contacts.read"], "name"?}',
}


def _described(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({json.dumps(value)})"
    kind = {dict: "an object", list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__)
    shown = json.dumps(value, default=str)
    return f"{kind} ({shown if len(shown) <= 60 else shown[:57] + '...'})"


def _check_seed_shape(data: dict) -> None:
    """SeedError naming the first entry that is not of a seed's shape, and the shape expected:
    checked before anything is written, so a wrong shape never reaches the rules of the API."""

    def fail(where: str, shape: str, value):
        raise SeedError(exc.SEED_REFUSED.format(detail=exc.SEED_SHAPE.format(
            where=where, expected=_SEED_SHAPES[shape], found=_described(value))))

    def need(value, kind, where: str, shape: str):
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            fail(where, shape, value)
        return value

    def text(entry: dict, key: str, where: str, shape: str, required: bool = True):
        if key in entry or required:
            value = entry.get(key)
            if not isinstance(value, str) or not value:
                fail(f"{where}.{key}", "text", value)

    def ident(entry: dict, key: str, where: str, shape: str, required: bool = True):
        if key in entry or required:
            value = entry.get(key)
            if not (isinstance(value, str) and value.strip().isdigit()) and \
                    not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
                fail(f"{where}.{key}", "typeId" if key == "associationTypeId" else "id", value)

    def definitions(listed, where: str):
        for i, spec in enumerate(need(listed, list, where, "definitions")):
            need(spec, dict, f"{where}[{i}]", "definition")
            text(spec, "name", f"{where}[{i}]", "definition")

    for i, schema in enumerate(need(data.get("schemas", []), list, "schemas", "schemas")):
        where = f"schemas[{i}]"
        need(schema, dict, where, "schema")
        text(schema, "name", where, "schema")
        if not isinstance(schema.get("objectTypeId"), str) or not re.fullmatch(r"2-\d+", schema["objectTypeId"]):
            fail(f"{where}.objectTypeId", "objectTypeId", schema.get("objectTypeId"))
        if "labels" in schema:
            need(schema["labels"], dict, f"{where}.labels", "labels")
        if "associatedObjects" in schema:
            listed = need(schema["associatedObjects"], list, f"{where}.associatedObjects", "associatedObjects")
            for j, name in enumerate(listed):
                need(name, str, f"{where}.associatedObjects[{j}]", "associatedObjects")
        if "properties" in schema:
            definitions(schema["properties"], f"{where}.properties")
    for object_type, listed in need(data.get("properties", {}), dict, "properties", "properties").items():
        definitions(listed, f"properties.{object_type}")
    for object_type, listed in need(data.get("pipelines", {}), dict, "pipelines", "pipelines").items():
        for i, pipeline in enumerate(need(listed, list, f"pipelines.{object_type}", "pipelines")):
            where = f"pipelines.{object_type}[{i}]"
            need(pipeline, dict, where, "pipeline")
            text(pipeline, "id", where, "pipeline")
            text(pipeline, "label", where, "pipeline")
            for j, stage in enumerate(need(pipeline.get("stages"), list, f"{where}.stages", "stages")):
                need(stage, dict, f"{where}.stages[{j}]", "stage")
                text(stage, "id", f"{where}.stages[{j}]", "stage")
                text(stage, "label", f"{where}.stages[{j}]", "stage")
    for i, owner in enumerate(need(data.get("owners", []), list, "owners", "owners")):
        need(owner, dict, f"owners[{i}]", "owner")
        ident(owner, "id", f"owners[{i}]", "owner")
        if "email" in owner:
            need(owner["email"], str, f"owners[{i}].email", "text")
    for object_type, listed in need(data.get("records", {}), dict, "records", "records").items():
        for i, record in enumerate(need(listed, list, f"records.{object_type}", "recordlist")):
            where = f"records.{object_type}[{i}]"
            need(record, dict, where, "record")
            ident(record, "id", where, "record", required=False)
            if "properties" in record:
                need(record["properties"], dict, f"{where}.properties", "values")
            for key in ("createdAt", "updatedAt"):
                if record.get(key) is not None and (isinstance(record[key], bool) or parse_time(record[key]) is None):
                    fail(f"{where}.{key}", "time", record[key])
    for i, link in enumerate(need(data.get("associations", []), list, "associations", "associations")):
        where = f"associations[{i}]"
        need(link, dict, where, "association")
        for end in ("from", "to"):
            value = link.get(end)
            if not isinstance(value, str) or not re.fullmatch(r"[^/\s]+/[^/\s]+", value):
                fail(f"{where}.{end}", "end", value)
        if link.get("types") is not None:
            for j, kind in enumerate(need(link["types"], list, f"{where}.types", "types")):
                need(kind, dict, f"{where}.types[{j}]", "types")
                ident(kind, "associationTypeId", f"{where}.types[{j}]", "types")
    for i, token in enumerate(need(data.get("tokens", []), list, "tokens", "tokens")):
        where = f"tokens[{i}]"
        need(token, dict, where, "token")
        text(token, "token", where, "token")
        for j, scope in enumerate(need(token.get("scopes"), list, f"{where}.scopes", "scopes")):
            need(scope, str, f"{where}.scopes[{j}]", "scopes")
