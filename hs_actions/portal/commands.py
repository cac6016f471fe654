"""What `hs-actions portal ...` does; the CLI parses arguments, calls these and prints the
Report each returns (hs_actions.core.report).

Each works on a portal database file (default .hs-actions/portal.sqlite3), so state made by
one command is there for the next, and for a running `serve`.
"""
from __future__ import annotations

import errno
import fcntl
import json
import re
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

from hs_actions.core.stopping import until_stopped
from hs_actions.core.errors import SeedError, did_you_mean
from hs_actions.core.report import Console, Report
from hs_actions.portal import exceptions as exc
from hs_actions.portal.exceptions import PortalError
from hs_actions.portal.portal import LOCAL_TOKEN, default_db

SHOWN_RECORDS = 20


def open_local(db_path: str | Path | None = None, failures=(), rate_limit: str | None = None):
    """The portal of `hs-actions run` and `portal serve`: a file, given the default seed
    when it holds no records and LOCAL_TOKEN when it does not hold that token (the first
    time, again after `portal reset`, and when a seed file brought other tokens first). `failures` (from failure_rule) and `rate_limit` (a tier)
    apply to this opening only: they are not kept in the file.

    The check and the seeding happen under the database's lock: runs started together on a
    fresh database would otherwise all find it empty and all seed it (UNIQUE constraint
    failed). The first seeds it; the others wait, then find it seeded."""
    from hs_actions.portal.portal import ALL_SCOPES
    path = _path(db_path)
    with _locked(path):
        portal = _connect(path)
        try:
            with _usable(path):
                if not portal.backend.counts():
                    portal.seed_default()
                if portal.backend.token(LOCAL_TOKEN) is None:
                    portal.add_token(LOCAL_TOKEN, ALL_SCOPES, name="hs-actions local development (every scope)")
        except BaseException:
            portal.close()
            raise
    for rule in failures:
        portal.fail(*rule)
    if rate_limit is not None:
        portal.rate_limit(rate_limit)
    return portal


FAILURE_SPEC = "METHOD PATH_REGEX STATUS [TIMES]"


def failure_rule(spec: str) -> tuple[str, str, int, int]:
    """A --fail value, "METHOD PATH_REGEX STATUS [TIMES]", as Portal.fail's arguments
    (TIMES defaults to 1, as in Portal.fail); ValueError saying what is wrong with it."""
    from hs_actions.portal.limits import ForcedFailures
    from hs_actions.portal.urls import ROUTES

    fields = spec.split()
    if len(fields) not in (3, 4):
        raise ValueError(f"{spec!r}: write it as {FAILURE_SPEC}, e.g. 'DELETE /crm/v3/objects/contacts/\\d+ 429'")
    method, regex, status, times = fields[0].upper(), fields[1], fields[2], fields[3] if len(fields) == 4 else "1"
    methods = sorted({route[0] for route in ROUTES})
    if method != "*" and method not in methods:
        raise ValueError(f"{spec!r}: METHOD {fields[0]!r} is none of the portal's: {', '.join(methods)}, or * for any")
    if not status.isdigit():
        raise ValueError(f"{spec!r}: STATUS {status!r} is not an HTTP status: 429 or a 5xx, e.g. 503")
    if not times.isdigit() or int(times) < 1:
        raise ValueError(f"{spec!r}: TIMES {times!r} is not a whole number of calls, 1 or more")
    rule = (method, regex, int(status), int(times))
    try:
        ForcedFailures().add(*rule)  # the portal's own rules for what it can force
    except re.error as error:
        raise ValueError(f"{spec!r}: PATH_REGEX {regex!r} is not a regular expression: {error}") from None
    except ValueError as error:
        raise ValueError(f"{spec!r}: {error}") from None
    return rule


def rate_limit_tier(tier: str) -> str:
    """A --rate-limit value, when it is a tier of data/rate_limits.json; ValueError otherwise."""
    from hs_actions.portal.limits import RateLimiter

    RateLimiter(tier)
    return tier


def _open(db_path: str | Path | None):
    """The portal on a database file, created if missing; PortalDatabaseError if unusable."""
    path = _path(db_path)
    with _locked(path):
        return _connect(path)


def _path(db_path: str | Path | None) -> Path:
    return Path(db_path or default_db())


@contextmanager
def _locked(path: Path):
    """Hold the database's lock (a file next to it) while opening, seeding or emptying it.

    flock, not a lock inside SQLite: it is released when the process ends, however it ends,
    and other processes wait for it rather than fail."""
    if path.is_dir():
        raise exc.PortalDatabaseError(exc.DATABASE_IS_DIRECTORY.format(path=path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path.with_name(path.name + ".lock"), "a")
    except OSError as error:
        raise exc.PortalDatabaseError(exc.DATABASE_PLACE.format(path=path, reason=error.strerror or error)) from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _connect(path: Path):
    """Portal(db=path), with SQLite's failures (not a database, cannot open) said for a user."""
    from hs_actions.portal.portal import Portal
    try:
        return Portal(db=path)
    except sqlite3.Error as error:
        raise _unusable(path, error) from None


def _unusable(path: Path, error: Exception) -> exc.PortalDatabaseError:
    reset = "hs-actions portal reset" + ("" if path == default_db() else f" --portal-db {path}")
    return exc.PortalDatabaseError(exc.DATABASE_UNUSABLE.format(path=path, reason=error, reset=reset))


def _corrupt(error: Exception) -> bool:
    """SQLite's "file is not a database" and "database disk image is malformed" are plain
    DatabaseError; failures to open, locks and constraints are subclasses."""
    return type(error) is sqlite3.DatabaseError


@contextmanager
def _usable(path: Path):
    """A database whose header is sound can still be corrupt further in: say so, not a traceback."""
    try:
        yield
    except sqlite3.DatabaseError as error:
        if not _corrupt(error):
            raise
        raise _unusable(path, error) from None


def serve(db_path: str | Path | None = None, host: str = "127.0.0.1", port: int = 0,
          ready=None, stop: threading.Event | None = None, failures=(), rate_limit: str | None = None,
          console: Console | None = None) -> Report:
    """Serve the portal until interrupted (Ctrl-C, SIGTERM, or `stop` being set).

    An empty database is seeded first, and `failures` and `rate_limit` apply while it
    serves (see open_local). Once it listens, where it is and what is forced are shown on
    the console (at once: it serves until stopped), then `ready(server)` is called. A port
    that is taken or not a port raises PortalServeError.
    """
    console = console or Console()
    report = Report()
    if not 0 <= port <= 65535:  # bind() would raise OverflowError
        raise exc.PortalServeError(exc.PORT_OUT_OF_RANGE.format(port=port))
    portal = open_local(db_path, failures, rate_limit)
    try:
        server = listen(portal, host, port)
        console.show(report, f"Local portal on {server.url} (database {portal.backend.db}); token {LOCAL_TOKEN} has "
                             f"every scope; rate limits of the {portal.limiter.tier} tier. Ctrl-C stops it.", flush=True)
        for method, regex, status, times in failures:
            console.show(report, f"  forced: the next {times} {method} call(s) on a path matching {regex} get {status}",
                         flush=True)
        if ready is not None:
            ready(server)
        until_stopped(stop)
    finally:
        portal.close()
    return report


def listen(portal, host: str, port: int):
    """Serve `portal` on host:port; a PortalServeError that says why not (a port in use, by
    name) instead of an OSError. `portal serve` and `account demo` both listen through it."""
    try:
        return portal.serve(host, port)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise exc.PortalServeError(exc.PORT_IN_USE.format(port=port)) from None
        raise exc.PortalServeError(exc.CANNOT_LISTEN.format(
            host=host, port=port, reason=error.strerror or error)) from None


def seed(db_path: str | Path | None = None, file: str | Path | None = None) -> Report:
    """Add a seed file's data (the default seed when no file is given); a summary line.
    A file that cannot be read or loaded raises SeedError, and adds nothing (one transaction)."""
    data = _read_seed(Path(file)) if file else None
    path = _path(db_path)
    with _locked(path):  # not while a first run seeds the same file
        portal = _connect(path)
        try:
            with _usable(path):
                counts = portal.seed(data) if file else portal.seed_default()
        except SeedError as error:   # Portal.seed's refusals name the entry; this adds the file
            raise SeedError(f"{file or 'the default seed'}: {error}") from None
        finally:
            portal.close()
    added = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
    return Report([f"Seeded {portal.backend.db} from {file or 'the default seed'}: {added or 'nothing'}."])


def _read_seed(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise SeedError(f"{path}: invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise SeedError(f"{path}: cannot read the seed file: {e}") from None
    if not isinstance(data, dict):
        raise SeedError(f"{path}: a seed file is a JSON object with records, owners, associations or tokens")
    return data


def reset(db_path: str | Path | None = None) -> Report:
    """Empty the portal. A file that is not a database (corrupt, overwritten) is moved aside,
    with its -wal and -shm, to <name>.not-a-database (nothing is deleted: it may be a file
    given by mistake) and an empty database takes its place: reset is what the error of
    every other command says to run."""
    from hs_actions.portal.portal import Portal
    path = _path(db_path)
    with _locked(path):
        try:
            portal = Portal(db=path)
            try:
                portal.reset()
            finally:
                portal.close()
        except sqlite3.Error as error:
            if not _corrupt(error):  # cannot be opened at all: deleting it would not help
                raise _unusable(path, error) from None
            aside = path.with_name(path.name + ".not-a-database")
            for suffix in ("", "-wal", "-shm"):
                leftover = path.with_name(path.name + suffix)
                if leftover.exists():
                    leftover.replace(aside.with_name(aside.name + suffix))
            _connect(path).close()
            return Report([exc.DATABASE_REPLACED.format(path=path, reason=error, aside=aside)])
    return Report([f"Emptied {path}."])


def show(db_path: str | Path | None = None, object_type: str | None = None) -> Report:
    """Counts per object type, owners and tokens; with an object type, its first records."""
    portal = _open(db_path)
    try:
        backend = portal.backend
        lines = [f"Portal database {backend.db}"]
        if object_type is None:
            counts = backend.counts()
            for ot in backend.types.values():
                lines.append(f"  {ot.name:<12} {counts.get(ot.name, 0):>6}  ({ot.type_id})")
            owners, _ = backend.owners(limit=500)
            lines.append(f"  {'owners':<12} {len(owners):>6}")
            for token in backend.tokens():
                state = "revoked" if token.revoked_at else "active"
                lines.append(f"  token {token.token[:12]}... {token.name or '(unnamed)'} [{state}] "
                             f"{len(token.scopes)} scopes")
            return Report(lines)
        try:
            ot = backend.object_type(object_type)
        except PortalError:
            known = [t.name for t in backend.types.values()]
            raise SeedError(f"unknown object type {object_type!r}{did_you_mean(object_type.lower(), known)}: "
                            f"use one of {', '.join(known)}") from None
        records, _ = backend.list(object_type, limit=SHOWN_RECORDS)
        lines.append(f"First {len(records)} {ot.name} ({ot.type_id}):")
        for record in records:
            values = ", ".join(f"{k}={v}" for k, v in record.properties.items()
                               if v is not None and k not in ("hs_object_id", ot.modified_property))
            lines.append(f"  {record.id:>8}  {values}")
        return Report(lines)
    finally:
        portal.close()
