"""What a family of the backend declares, so that the Backend composes families from a list.

A family is one part of HubSpot's API the portal models (objects, owners, HubDB...): a class
with its rules and its public methods, next to what it declares for the rest of the portal.
Nothing here knows about HTTP; a family's routes are in responses/<name>.py (see urls.py).
"""
from __future__ import annotations

from typing import Callable


class Family:
    """The contract of a family, with defaults for what a family does not have.

    name          HubSpot's name for it; responses/<name>.py, when there is one, declares the
                  routes that serve it (`ROUTES`)
    TABLES        {table: "CREATE TABLE IF NOT EXISTS ..."}: the tables it owns, created with
                  the connection and emptied by reset(); no other family reads or writes them
                  (the core's registry reads those of schemas, properties and pipelines)
    REGISTRY_TABLES   those of its tables the registry is built from: another process's change
                  to them makes a serving portal read the registry again (store.py)
    FUNCTIONS     {name: (arity, function)}: SQL functions its queries call
    SEED_KEY      the seed's key it loads (README "Seeding"), or None
    SEED_SHAPES   {shape name: what it is, with an example}: the words a wrong seed is told
    SEED_RELOADS_REGISTRY   the registry is read again after its seed step, because later steps
                  validate against what it added (types, properties, stages, labels)
    check_seed(check, data)       the shape of its seed entry, before anything is written
                                  (`check` is seeding.SeedCheck: need, text, ident, fail...)
    seed_step(db, data, stamp)    adds its seed entry inside the seed's transaction; returns
                                  how many it added
    extend_registry(db)           adds to the registry the core builds (labels, merged ids)

    Every other public method is the family's API: the Backend answers it by name (a name two
    families use is an error at import), and other families call it through `self.backend`.
    """

    name: str = ""
    TABLES: dict[str, str] = {}
    REGISTRY_TABLES: tuple[str, ...] = ()
    FUNCTIONS: dict[str, tuple[int, Callable]] = {}
    SEED_KEY: str | None = None
    SEED_SHAPES: dict[str, str] = {}
    SEED_RELOADS_REGISTRY = False

    def __init__(self, backend):
        self.backend = backend   # the core (store.py) and every family's public methods
        # Never rebound after the connection opens: held here so the hot paths read them directly.
        self.conn = backend.conn
        self.lock = backend.lock

    @classmethod
    def check_seed(cls, check, data: dict) -> None:
        """Raise through `check` for the first entry of data[SEED_KEY] not of its shape."""

    def seed_step(self, db, data: dict, stamp: int) -> int:
        return 0

    def extend_registry(self, db) -> None:
        """Add to the registry the core has just built from the data files and tables."""
