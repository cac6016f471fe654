"""Seed data: what `Portal.seed` and `hs-actions portal seed` load, checked for shape first.

Seeding is a loop over the families (backend/__init__.py) in their order: each family with a
SEED_KEY checks the shape of its entry, then, in one transaction for the whole seed, adds it
(`seed_step`). This module holds what they share: the loop, the checks a shape is made of
(`SeedCheck`) and the refusal's words.
"""
from __future__ import annotations

from hs_actions.core.errors import SeedError
from hs_actions.core.text import json_value
from hs_actions.portal import exceptions as exc
from hs_actions.portal.models import now_ms, parse_time

# Shapes every family's entry is made of; each family adds its own (Family.SEED_SHAPES).
SHARED_SHAPES = {
    "text": "a non-empty string",
    "id": 'an id: a number, or a string of digits such as "101"',
    "time": 'a datetime: ISO 8601 such as "2024-05-01T09:00:00Z", or epoch milliseconds',
    "flag": "true or false",
}


class Seeder:
    """The seed keys of `families`, in their order (then "comment", which documents a file), and
    the words for every shape they check."""

    def __init__(self, families: tuple):
        self.families = [f for f in families if f.SEED_KEY]
        self.keys = (*(f.SEED_KEY for f in self.families), "comment")
        self.shapes = dict(SHARED_SHAPES)
        for family in self.families:
            taken = set(self.shapes) & set(family.SEED_SHAPES)
            if taken:
                raise TypeError(f"{family.__name__}.SEED_SHAPES names {sorted(taken)}, which another family names")
            self.shapes.update(family.SEED_SHAPES)

    def seed(self, backend, data: dict) -> dict:
        """Load seed data (keys and shapes: README "Seeding"; data/seed_default.json is an example);
        every key is optional. Returns counts of what was added, by key.

        All or nothing: one transaction, so a seed that fails (an unknown key or scope, an id
        that exists, an invalid value) adds nothing, not even the types it defines. Every
        failure is a SeedError (hs_actions.core.errors) naming the entry: a wrong shape says the
        shape expected; an unknown property or object type says where a seed declares one.
        """
        if not isinstance(data, dict):
            raise SeedError(exc.SEED_REFUSED.format(detail=exc.SEED_NOT_AN_OBJECT.format(
                known=", ".join(self.keys), found=json_value(data))))
        unknown = sorted(set(data) - set(self.keys))
        if unknown:
            raise SeedError(exc.SEED_REFUSED.format(detail=exc.SEED_UNKNOWN_KEYS.format(
                keys=", ".join(map(repr, unknown)), known=", ".join(self.keys))))
        check = SeedCheck(self.shapes)
        for family in self.families:
            family.check_seed(check, data)
        backend.seeding = None
        try:
            with backend.write() as db:
                stamp = now_ms()
                counts = {}
                for family in self.families:
                    counts[family.SEED_KEY] = backend.families[family.name].seed_step(db, data, stamp)
                    if family.SEED_RELOADS_REGISTRY:
                        # Later steps are validated against what this one added: the registry
                        # reads it back from this (still open) transaction.
                        backend.load_registry()
                return counts
        except exc.PortalError as error:
            raise SeedError(exc.SEED_REFUSED.format(detail=_detail(error, backend.seeding))) from None
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            # A shape the checks do not know of: still a SeedError naming the entry.
            detail = exc.SEED_UNREADABLE.format(kind=type(error).__name__, detail=error)
            where = backend.seeding[0] if backend.seeding else None
            raise SeedError(exc.SEED_REFUSED.format(
                detail=detail + (exc.SEED_AT.format(where=where) if where else ""))) from None
        finally:
            backend.seeding = None
            # The registry is read from the tables: after a rollback it must forget the
            # types the failed seed defined; after a commit it already has them.
            backend.load_registry()


def _detail(error: exc.PortalError, seeding: tuple[str, str] | None) -> str:
    """A refusal's message, the seed entry it came from, and how to declare what was missing."""
    detail = error.message
    if seeding:
        where, object_type = seeding
        detail += exc.SEED_AT.format(where=where)
        missing = [e["context"]["propertyName"][0] for e in error.errors or ()
                   if e.get("code") == "PROPERTY_DOESNT_EXIST"]
        if missing:
            detail += exc.SEED_UNKNOWN_PROPERTY_HINT.format(object_type=object_type, name=missing[0])
        elif isinstance(error, exc.UnknownObjectType):
            detail += exc.SEED_UNKNOWN_TYPE_HINT.format(name=error.name)
    return detail


class SeedCheck:
    """The checks a family's `check_seed` is written with: each raises a SeedError naming the
    entry (`where`, e.g. "records.contacts[3].id") and the shape expected (by its name in the
    table of shapes), before anything is written, so a wrong shape never reaches the API's rules."""

    def __init__(self, shapes: dict[str, str]):
        self.shapes = shapes

    def fail(self, where: str, shape: str, value):
        raise SeedError(exc.SEED_REFUSED.format(detail=exc.SEED_SHAPE.format(
            where=where, expected=self.shapes[shape], found=json_value(value))))

    def need(self, value, kind, where: str, shape: str):
        """`value` when it is a `kind` (a bool is no number here), else the refusal."""
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            self.fail(where, shape, value)
        return value

    def text(self, entry: dict, key: str, where: str, shape: str, required: bool = True) -> None:
        if key in entry or required:
            value = entry.get(key)
            if not isinstance(value, str) or not value:
                self.fail(f"{where}.{key}", "text", value)

    def ident(self, entry: dict, key: str, where: str, shape: str, required: bool = True) -> None:
        if key in entry or required:
            value = entry.get(key)
            if not (isinstance(value, str) and value.strip().isdigit()) and \
                    not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
                self.fail(f"{where}.{key}", "typeId" if key == "associationTypeId" else "id", value)

    def time(self, entry: dict, key: str, where: str) -> None:
        if entry.get(key) is not None and (isinstance(entry[key], bool) or parse_time(entry[key]) is None):
            self.fail(f"{where}.{key}", "time", entry[key])

    def definitions(self, listed, where: str) -> None:
        """A list of property definitions (a seed's `properties`, a schema's)."""
        for i, spec in enumerate(self.need(listed, list, where, "definitions")):
            self.need(spec, dict, f"{where}[{i}]", "definition")
            self.text(spec, "name", f"{where}[{i}]", "definition")
