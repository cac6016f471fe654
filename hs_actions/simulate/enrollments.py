"""Which records enroll in a simulation: the first N records of the action's object type, or the
ids a file lists; with `generate`, records the local portal lacks are created (in the
simulation's copy of it), their input-field properties given values of their catalogue type."""
from __future__ import annotations

from pathlib import Path

from hs_actions.action.folder import Action
from hs_actions.core import project
from hs_actions.core.errors import ToolkitError

_SHOWN = 5   # missing ids named in a message
GENERATED_DATE_MS = 1767225600000   # 2026-01-01T00:00:00Z: a generated date or datetime value


def read_ids(path: Path) -> list[int]:
    """The record ids of an --object-ids file: one a line; blank lines and `#` comments skipped.
    ToolkitError naming the file and line of what is not an id, or an id listed twice (HubSpot
    enrolls a record once at a time)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ToolkitError(f"--object-ids {path}: cannot be read ({error})") from None
    ids: dict[int, int] = {}
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if not text.isdigit() or not text.isascii() or int(text) == 0:
            raise ToolkitError(f"{project.shown(Path(path))}:{number}: {text[:40]!r} is not a record id: write one "
                               "id (a whole number greater than 0) a line")
        if int(text) in ids:
            raise ToolkitError(f"{project.shown(Path(path))}:{number}: record {text} is listed twice (first on line "
                               f"{ids[int(text)]}): a record is enrolled once at a time")
        ids[int(text)] = number
    if not ids:
        raise ToolkitError(f"--object-ids {project.shown(Path(path))}: lists no record ids (one a line)")
    return list(ids)


def choose(portal, action: Action, *, count: int | None = None, ids: list[int] | None = None,
           generate: bool = False) -> list[int]:
    """The enrolled records' ids, in enrollment order. ToolkitError (exit 2) when the portal
    does not model the object type, or lacks records and `generate` is not given."""
    from hs_actions.portal.exceptions import PortalError

    object_type = action.manifest.object_type
    try:
        existing = portal.record_ids(object_type)
    except PortalError:
        raise ToolkitError(f"the local portal does not model {object_type} records (action.toml's object_type): "
                           "seed its schema (hs-actions portal seed FILE) to simulate it") from None
    if ids is None:
        missing = list(range(max(existing, default=0) + 1, max(existing, default=0) + 1 + count - len(existing)))
        wanted = existing[:count] + (missing if generate else [])
        if len(existing) < count and not generate:
            raise ToolkitError(f"the local portal has {len(existing):,} {object_type} records, and "
                               f"--enrollments asks for {count:,}: add --generate to create the missing "
                               f"{count - len(existing):,} (in the simulation's copy of the portal only)")
    else:
        have = set(existing)
        missing = [i for i in ids if i not in have]
        wanted = ids
        if missing and not generate:
            listed = ", ".join(map(str, missing[:_SHOWN])) + (f" and {len(missing) - _SHOWN:,} more" if len(missing) > _SHOWN else "")
            raise ToolkitError(f"--object-ids: the local portal has no {object_type} {listed}: add --generate to "
                               "create them (in the simulation's copy of the portal only), or list records it "
                               "has (hs-actions portal show)")
    if generate and missing:
        create(portal, action, missing)
    return wanted


def create(portal, action: Action, ids: list[int]) -> None:
    """Records with these ids, whose input-field properties get a value of their type (unique
    where the property must be: an email has the id in it)."""
    backend = portal.backend
    object_type = backend.object_type(action.manifest.object_type)
    defs = backend.defs.get(object_type.type_id, {})
    names = [f.property for f in action.manifest.inputs if f.property and f.property in defs]
    records = [{"id": str(i), "properties": {n: _value(defs[n], i) for n in names}} for i in ids]
    portal.seed({"records": {object_type.name: records}})


def _value(definition, record_id: int) -> str:
    """A value of the property's type, for a generated record."""
    if definition.options:
        return definition.options[record_id % len(definition.options)]["value"]
    if definition.type == "bool":
        return "true" if record_id % 2 else "false"
    if definition.type == "number":
        return str(record_id % 1000)
    if definition.type in ("date", "datetime"):
        return str(GENERATED_DATE_MS)
    if definition.value_format == "email" or "email" in definition.name:
        return f"enrolled{record_id}@example.com"
    if definition.field_type == "phonenumber" or "phone" in definition.name:
        return f"+1 555 01{record_id % 100000:05d}"
    return f"{definition.label} {record_id}"
