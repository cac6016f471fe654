"""The core every family shares: one SQLite connection, its transactions, the record tables and
the registry of types. Families (see backend/__init__.py) reach the portal's state only through
what this module documents, and each other only through their public methods.

One connection, guarded by one lock: the server's threads take turns, and SQLite never sees
two writers (8 threads x 250 writes lose nothing). With a file the database is in WAL mode,
so another process (`hs-actions portal show`) can read while the server writes.

Several processes on one file (two `portal serve`, a `portal seed` while one serves):
- A write waits up to BUSY_WAIT seconds for another process's transaction: a seed is one
  transaction however long it is (5 s was too short: 2 of 1,600 writes failed during a long
  seed). Past that, DatabaseBusy: a 503 saying which process to wait for, not a 500.
- The registry (types, properties, pipelines, labels) is cached here and read again when
  another process changed it: triggers on the tables it is built from (the families'
  REGISTRY_TABLES) stamp meta's `registry` row, and refresh_registry() (once per request)
  compares that stamp only when SQLite's data_version says another connection committed.

What the core offers a family (`self.backend` in a family):
    conn, lock          the connection, and the lock every read holds
    write()             a transaction (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on any error)
    types, defs, pipelines, assoc_types, computed, spellings
                        the registry: object types, property definitions by type, pipelines by
                        type, association types by (from type, type id, category), the computed
                        properties by type, every spelling of a type
    load_registry()     read the registry again, after a write that changes it
    object_type(name)   a type by any spelling; HubSpot's 400 for an unknown one
    seeding             the seed entry being added, (where, object type), for a refusal's message
    masks, portal_id    secret values the request log never keeps; the portal's id
    check_batch(), cursor()   the batch-size and `after` rules every family checks alike
and the tables every family reads and writes (`TABLES` below): records (`objects`), their
property values (`pv`, one row per object and property with a folded (lower-case) and a
numeric copy, indexed by (object type, property, value), so a search filter is an index range
scan), their `history`, associations between records (`assoc`, stored both ways) and `meta`
(counters by key: the next record id, the next association type id).
"""
from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from contextlib import closing, contextmanager
from functools import lru_cache
from pathlib import Path

from hs_actions.core.masking import Masks
from hs_actions.portal import exceptions as exc
from hs_actions.portal.models import AssociationType, ObjectType, PropertyDef, load, property_rows

BATCH_MAX = 100
_MAX_ID = 2**63 - 1
BUSY_WAIT = 60.0     # seconds a write waits for another process's transaction (module docstring)
_RETRY_PAUSE = 0.05  # between attempts when SQLite answers "busy" at once, without waiting


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


def is_busy(error: sqlite3.OperationalError) -> bool:
    """SQLite's "database is locked" or "busy": another connection holds what this one needs."""
    text = str(error).lower()
    return "locked" in text or "busy" in text


def check_batch(inputs) -> list:
    """A batch's inputs: HubSpot's 400 when they are not a list or more than BATCH_MAX."""
    if not isinstance(inputs, list):
        raise exc.InvalidInput("inputs must be a list")
    if len(inputs) > BATCH_MAX:
        raise exc.ValidationError(exc.BATCH_TOO_LARGE.format(count=len(inputs), maximum=BATCH_MAX))
    return inputs



class Store:
    """The one SQLite connection, its lock and transactions, the record tables, and the registry
    of object types, property definitions, association types and pipelines (data files plus what
    seeds added). `families` are the Family classes composed on it (backend/__init__.py)."""

    TABLES = {
        "meta": "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);",
        "objects": "CREATE TABLE IF NOT EXISTS objects (otype TEXT, id INTEGER, created INTEGER, updated INTEGER, "
                   "archived INTEGER DEFAULT 0, archived_at INTEGER, PRIMARY KEY (otype, id)) WITHOUT ROWID;",
        "pv": "CREATE TABLE IF NOT EXISTS pv (otype TEXT, oid INTEGER, name TEXT, value TEXT, folded TEXT, num REAL, "
              "PRIMARY KEY (otype, oid, name)) WITHOUT ROWID;"
              "CREATE INDEX IF NOT EXISTS pv_folded ON pv (otype, name, folded, oid);"
              "CREATE INDEX IF NOT EXISTS pv_num ON pv (otype, name, num, oid);",
        "history": "CREATE TABLE IF NOT EXISTS history (otype TEXT, oid INTEGER, name TEXT, value TEXT, ts INTEGER, "
                   "source_type TEXT, source_id TEXT);"
                   "CREATE INDEX IF NOT EXISTS history_object ON history (otype, oid, name);",
        "assoc": "CREATE TABLE IF NOT EXISTS assoc (from_type TEXT, from_id INTEGER, to_type TEXT, to_id INTEGER, "
                 "type_id INTEGER, category TEXT, "
                 "PRIMARY KEY (from_type, from_id, to_type, to_id, category, type_id)) WITHOUT ROWID;",
    }
    check_batch = staticmethod(check_batch)

    def __init__(self, db: str = ":memory:", portal_id: int = 0, families: tuple = ()):
        self.db = str(db)
        self.portal_id = portal_id
        self.lock = threading.RLock()
        self.seeding: tuple[str, str] | None = None   # the seed entry being added, for errors
        self.masks = Masks()   # secret values the request log never keeps (Portal.mask_secrets)
        # Only a file can be shared with another process; memory and temporary databases never are.
        self.shared = self.db not in (":memory:", "")
        self._data_version: int | None = None    # PRAGMA data_version when last compared
        self._registry_stamp: str | None = None  # meta's `registry` row when the registry was read
        self.conn = sqlite3.connect(self.db, check_same_thread=False, isolation_level=None)
        try:
            self.conn.execute(f"PRAGMA busy_timeout = {int(BUSY_WAIT * 1000)}")
            if self.shared:
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
            self.families = {cls.name: cls(self) for cls in families}
            for family in self.families.values():
                for name, (arity, function) in family.FUNCTIONS.items():
                    self.conn.create_function(name, arity, function, deterministic=True)
            self.conn.executescript("".join(self.tables().values()) + self._registry_triggers())
            self.load_registry()
        except BaseException:
            # A file that is not a database fails here: leave nothing open on it, so that
            # `portal reset` can replace it.
            self.conn.close()
            raise

    @classmethod
    def catalogue(cls, db: str | Path):
        """The object types and property definitions a portal on `db` knows (the data files, plus
        the custom objects and properties seeded or pulled into that database), for reading
        them without serving it. The file is only read: a missing one is not created, and one
        that cannot be read adds nothing."""
        backend = cls()
        path = Path(db)
        if path.is_file():
            # Without a -wal file no connection is writing it: read it as it is, creating no
            # -wal and -shm files beside it (a read-only connection in WAL mode would).
            mode = "mode=ro" if path.with_name(path.name + "-wal").exists() else "immutable=1"
            try:
                with closing(sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True)) as source:
                    backend.load_registry(source)
            except sqlite3.Error:
                pass
        return backend

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    # ---- transactions and the registry of types ------------------------------------------

    @contextmanager
    def write(self):
        """One transaction, holding the lock: committed when the block ends, rolled back when it
        raises. Families nest no transactions: a write inside another's block joins it."""
        with self.lock:
            self._begin()
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def _begin(self) -> None:
        """BEGIN IMMEDIATE, waiting for another process's transaction (busy_timeout), and again
        when SQLite answers "busy" without waiting (it does so where waiting could deadlock)."""
        deadline = time.monotonic() + BUSY_WAIT
        while True:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not is_busy(error):
                    raise
                if time.monotonic() >= deadline:
                    raise exc.DatabaseBusy(self.db, BUSY_WAIT) from None
                time.sleep(_RETRY_PAUSE)

    def _registry_triggers(self) -> str:
        """Triggers stamping meta's `registry` row whenever a table the registry is built from
        changes, in whichever process: a random stamp, so that a reset (which empties meta)
        can never bring back a stamp another process saw."""
        tables = [t for family in self.families.values() for t in family.REGISTRY_TABLES]
        return "".join(f"CREATE TRIGGER IF NOT EXISTS registry_{table}_{event.lower()} AFTER {event} ON {table} "
                       f"BEGIN INSERT OR REPLACE INTO meta VALUES ('registry', hex(randomblob(8))); END;"
                       for table in tables for event in ("INSERT", "UPDATE", "DELETE"))

    def refresh_registry(self) -> None:
        """Read the registry again if another process changed it since it was read. Cheap when
        nothing changed (one pragma, no disk read): the server calls it for every request."""
        if not self.shared:
            return
        with self.lock:
            version = self.conn.execute("PRAGMA data_version").fetchone()[0]
            if version == self._data_version:
                return
            self._data_version = version
            stale = self._stamp(self.conn) != self._registry_stamp
        if stale:
            self.load_registry()

    @staticmethod
    def _stamp(db: sqlite3.Connection) -> str | None:
        row = db.execute("SELECT value FROM meta WHERE key = 'registry'").fetchone()
        return row[0] if row else None

    def tables(self) -> dict[str, str]:
        """Every table, the core's and each family's (`TABLES = {name: "CREATE TABLE IF NOT EXISTS
        ..."}`): created with the connection, emptied by reset()."""
        tables = dict(self.TABLES)
        for family in self.families.values():
            tables.update(family.TABLES)
        return tables

    def reset(self) -> None:
        """Back to empty: no records, owners, tokens, custom objects or logged requests."""
        with self.write() as db:
            for table in self.tables():
                db.execute(f"DELETE FROM {table}")
        self.load_registry()

    def load_registry(self, source: sqlite3.Connection | None = None) -> None:
        """Object types, property definitions, association types and pipelines: the data
        files, plus what seeds and writes added to the database (the tables of the schemas,
        properties and pipelines families), then what each family adds (`extend_registry`);
        read from `source`'s database instead of this one's when given. Families call it after
        a write that changes types or definitions."""
        data = load("object_types.json")
        with self.lock:
            db = source or self.conn
            if source is None:   # first: a change made while the tables are read is seen next time
                self._registry_stamp = self._stamp(db)
            schemas = [json.loads(body) for (body,) in db.execute("SELECT body FROM schemas")]
            extra = db.execute("SELECT otype, body FROM property_defs").fetchall()
            seeded_pipelines = db.execute("SELECT otype, body FROM pipelines ORDER BY rowid").fetchall()
        types = {}
        for spec in data["standard"]:
            ot = ObjectType.standard(spec)
            types[ot.type_id] = ot
        pipelines: dict[str, dict[str, dict]] = {}
        standard_ids = _standard_ids()
        for name, listed in load("pipelines.json").items():
            if name != "comment":
                pipelines[standard_ids[name]] = {p["id"]: p for p in listed}
        for otype, body in seeded_pipelines:
            pipeline = json.loads(body)
            if pipeline.get("archived"):   # an archived pipeline's tombstone (backend/pipelines.py)
                pipelines.get(otype, {}).pop(pipeline["id"], None)
            else:
                pipelines.setdefault(otype, {})[pipeline["id"]] = pipeline
        pipeline_options = tuple(
            (f"{kind}:{types[otype].name if otype in types else otype}", tuple(values))
            for otype, listed in pipelines.items()
            for kind, values in (("pipelines", [(p["label"], p["id"]) for p in listed.values()]),
                                 ("stages", [(s["label"], s["id"]) for p in listed.values() for s in p["stages"]])))
        options = {**load("properties/_options.json")["options"], **dict(pipeline_options)}
        defs: dict[str, dict[str, PropertyDef]] = {
            ot.type_id: dict(_standard_defs(ot.name, tuple(o for o in pipeline_options if o[0] in _named_options(ot.name))))
            for ot in types.values()}
        assoc = list(_standard_association_types())
        for schema in schemas:
            ot = ObjectType.from_schema(schema)
            types[ot.type_id] = ot
            defs[ot.type_id] = {p["name"]: PropertyDef.from_data(p, None, i)
                                for i, p in enumerate(data["custom"]["builtinProperties"])}
            assoc.extend(AssociationType(**a) for a in schema.get("_associationTypes", []))
            if ot.type_id in pipelines:   # HubSpot adds these once a custom object has a pipeline
                listed = pipelines[ot.type_id].values()
                choices = {"pipelines": [(p["label"], p["id"]) for p in listed],
                           "stages": [(s["label"], s["id"]) for p in listed for s in p["stages"]]}
                for i, spec in enumerate(data["custom"]["pipelineProperties"], start=len(defs[ot.type_id])):
                    defs[ot.type_id][spec["name"]] = PropertyDef.from_data({**spec, "options": choices[spec["options"]]},
                                                                           None, i)
        for otype, body in extra:
            spec = json.loads(body)
            defs.setdefault(otype, {})[spec["name"]] = PropertyDef.from_data(spec, options)
        self.types = types
        self.pipelines = pipelines
        self.defs = defs
        # (property, rule) of the properties the portal computes, by type (backend/objects.py)
        self.computed = {otype: [(p.name, p.computed) for p in listed.values() if p.computed]
                         for otype, listed in defs.items()}
        self.assoc_types = {(a.from_type, a.type_id, a.category): a for a in assoc}
        self.spellings = {name: ot for ot in types.values() for name in ot.names(self.portal_id)}
        for family in self.families.values():
            with self.lock:
                family.extend_registry(source or self.conn)

    def object_type(self, name: str) -> ObjectType:
        ot = self.spellings.get(str(name).lower())
        if ot is None:
            raise exc.UnknownObjectType(name=name)
        return ot

    def counts(self) -> dict[str, int]:
        with self.lock:
            rows = self.conn.execute("SELECT otype, COUNT(*) FROM objects WHERE archived = 0 GROUP BY otype").fetchall()
        return {self.types[t].name if t in self.types else t: n for t, n in rows}


@lru_cache(maxsize=1)
def _standard_ids() -> dict[str, str]:
    """The type id of each standard object type by its name (contacts: 0-1)."""
    return {spec["name"]: spec["objectTypeId"] for spec in load("object_types.json")["standard"]}


@lru_cache(maxsize=1)
def _standard_association_types() -> tuple[AssociationType, ...]:
    """HubSpot's association types between standard objects (data/association_types.json), built
    once: every load_registry (each reset, restore and registry write) starts from them, and
    building them again cost most of its time. They are frozen, so sharing them is safe."""
    ids = _standard_ids()
    return tuple(AssociationType(ids[t["from"]], ids[t["to"]], t["typeId"], t["inverse"], t["label"], "HUBSPOT_DEFINED",
                                 t.get("default", False), t["v3"])
                 for t in load("association_types.json")["types"])


@lru_cache(maxsize=None)
def _named_options(type_name: str) -> frozenset[str]:
    """The shared option lists (data/properties/_options.json, or a type's pipelines and stages,
    "pipelines:deals") that a standard type's properties take their options from."""
    return frozenset(row["options"] for row in property_rows(type_name) if isinstance(row.get("options"), str))


@lru_cache(maxsize=128)
def _standard_defs(type_name: str, pipeline_options: tuple) -> dict[str, PropertyDef]:
    """The property definitions of a standard type, built once per set of its own pipelines (their
    stages are options; `pipeline_options` holds only those its properties name), not at every
    reset: a pipeline added to deals builds the deal properties again, not every type's. Callers
    copy the dict; the definitions themselves are never changed."""
    options = {**load("properties/_options.json")["options"], **dict(pipeline_options)}
    return {row["name"]: PropertyDef.from_data(row, options, i) for i, row in enumerate(property_rows(type_name))}
