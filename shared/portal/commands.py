"""What `hs-actions portal ...` does; the CLI parses arguments and calls these.

Each works on a portal database file (default .hs-actions/portal.sqlite3), so state made by
one command is there for the next, and for a running `serve`.
"""
from __future__ import annotations

import json
import signal
import threading
from pathlib import Path

from shared.errors import SeedError
from shared.portal.exceptions import PortalError
from shared.project import STATE

DEFAULT_DB = STATE / "portal.sqlite3"
SHOWN_RECORDS = 20
# The token of the local portal's development app (every scope). It is the value
# .env.example gives each secret, so actions run against the seeded portal out of the box.
# Only this machine's portal knows it; it means nothing to HubSpot.
LOCAL_TOKEN = "local-portal-token"


def open_local(db_path: str | Path | None = None):
    """The portal of `hs-actions run` and `portal serve`: a file, given the default seed
    when it holds no records and LOCAL_TOKEN when it holds no token (the first time, and
    again after `portal reset`)."""
    from shared.portal.portal import ALL_SCOPES
    portal = _open(db_path)
    if not portal.backend.counts():
        portal.seed_default()
    if not portal.backend.tokens():
        portal.add_token(LOCAL_TOKEN, ALL_SCOPES, name="hs-actions local development (every scope)")
    return portal


def _open(db_path: str | Path | None):
    from shared.portal.portal import Portal
    path = Path(db_path or DEFAULT_DB)
    path.parent.mkdir(parents=True, exist_ok=True)
    return Portal(db=path)


def serve(db_path: str | Path | None = None, host: str = "127.0.0.1", port: int = 0,
          ready=None, stop: threading.Event | None = None) -> None:
    """Serve the portal until interrupted (Ctrl-C, SIGTERM, or `stop` being set).

    An empty database is seeded first (see open_local). `ready(server)` is called once it
    listens.
    """
    portal = open_local(db_path)
    server = portal.serve(host, port)
    print(f"Local portal on {server.url} (database {portal.backend.db}); token {LOCAL_TOKEN} has every scope. "
          "Ctrl-C stops it.", flush=True)
    if ready is not None:
        ready(server)
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        portal.close()


def seed(db_path: str | Path | None = None, file: str | Path | None = None) -> str:
    """Add a seed file's data (the default seed when no file is given); a summary line.
    A file that cannot be read or loaded raises SeedError, and adds nothing."""
    data = _read_seed(Path(file)) if file else None
    portal = _open(db_path)
    try:
        counts = portal.seed(data) if file else portal.seed_default()
    except PortalError as error:
        raise SeedError(f"{file}: not seeded, nothing was added: {error.message}") from None
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise SeedError(f"{file}: not seeded, nothing was added: not the shape of a seed file "
                        f"({type(error).__name__}: {error}); see shared/portal/data/seed_default.json") from None
    finally:
        portal.close()
    added = ", ".join(f"{n} {what}" for what, n in counts.items() if n)
    return f"Seeded {portal.backend.db} from {file or 'the default seed'}: {added or 'nothing'}."


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


def reset(db_path: str | Path | None = None) -> str:
    portal = _open(db_path)
    try:
        portal.reset()
    finally:
        portal.close()
    return f"Emptied {portal.backend.db}."


def show(db_path: str | Path | None = None, object_type: str | None = None) -> str:
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
            return "\n".join(lines)
        try:
            ot = backend.object_type(object_type)
        except PortalError:
            known = ", ".join(t.name for t in backend.types.values())
            raise SeedError(f"unknown object type {object_type!r}: use one of {known}") from None
        records, _ = backend.list(object_type, limit=SHOWN_RECORDS)
        lines.append(f"First {len(records)} {ot.name} ({ot.type_id}):")
        for record in records:
            values = ", ".join(f"{k}={v}" for k, v in record.properties.items()
                               if v is not None and k not in ("hs_object_id", ot.modified_property))
            lines.append(f"  {record.id:>8}  {values}")
        return "\n".join(lines)
    finally:
        portal.close()
