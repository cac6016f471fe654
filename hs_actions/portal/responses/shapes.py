"""Reading a request body by its declared shape: how every handler gets typed fields.

A shape is data. A dict is a JSON object with those keys (each optional unless `Required`);
`Open(dict)` is one whose other keys are kept as sent; a one-item list is a JSON list of that
item; the leaves are TEXT, INTEGER, BOOLEAN, SCALAR, ANY, `Enum`, `MapOf` and `OneOf`. `read(shape, value)` answers the value with only the declared
keys, numbers read as strings where a string is expected (as HubSpot's JSON reader does), and
null read as absent; anything else is HubSpot's 400 VALIDATION_ERROR naming the field by its
path (`filterGroups[0].filters[1].propertyName`), what was expected and what was found.
Keys a shape does not name are dropped, as HubSpot ignores them (except in an `Open` object). Handlers declare their body
with `@reads(shape)` (in `responses`), which also lets the fuzz test generate bodies from it.
"""
from __future__ import annotations

from dataclasses import dataclass

from hs_actions.core.text import cut
from hs_actions.portal import exceptions as exc


@dataclass(frozen=True)
class Leaf:
    """A JSON value of the given Python types; with `text`, a number is read as its string."""
    expected: str
    kinds: tuple
    text: bool = False

    def fits(self, value) -> bool:
        if isinstance(value, bool):    # JSON's true/false is no number, though Python's bool is an int
            return bool in self.kinds
        return isinstance(value, self.kinds)

    def read(self, value, path: str):
        if not self.fits(value):
            raise wrong(path, self.expected, value)
        return str(value) if self.text and not isinstance(value, str) else value


class Enum:
    """A string that is one of the given values (case matters, as in HubSpot's enums)."""

    def __init__(self, *values: str):
        self.values = values
        self.expected = "one of " + ", ".join(values)

    def fits(self, value) -> bool:
        return isinstance(value, str)

    def read(self, value, path: str):
        if not isinstance(value, str) or value not in self.values:
            raise wrong(path, self.expected, value)
        return value


class MapOf:
    """A JSON object with free keys (property names) whose values all have one shape; with
    `null_absent`, a key whose value is null is left out, as if not sent."""
    expected = "an object"

    def __init__(self, value, null_absent: bool = False):
        self.value = value
        self.null_absent = null_absent

    def fits(self, value) -> bool:
        return isinstance(value, dict)

    def read(self, value, path: str):
        if not isinstance(value, dict):
            raise wrong(path, self.expected, value)
        return {key: read(self.value, item, f"{path}.{key}") for key, item in value.items()
                if not (self.null_absent and item is None)}


class OneOf:
    """One of several shapes, chosen by the JSON kind of the value (a string, an object...)."""

    def __init__(self, *shapes):
        self.shapes = shapes
        self.expected = " or ".join(expected(s) for s in shapes)

    def fits(self, value) -> bool:
        return any(fits(s, value) for s in self.shapes)

    def read(self, value, path: str):
        for shape in self.shapes:
            if fits(shape, value):
                return read(shape, value, path)
        raise wrong(path, self.expected, value)


class Open:
    """A JSON object whose keys `fields` (a dict shape) names are read by it, and whose other keys
    are kept as sent, in their order: for a body kept whole (a flow is stored as written) or
    whose other keys the backend refuses (a property update's fields that cannot change)."""
    expected = "an object"

    def __init__(self, fields: dict):
        self.fields = fields

    def fits(self, value) -> bool:
        return isinstance(value, dict)

    def read(self, value, path: str):
        typed = read(self.fields, value, path)
        return {key: typed[key] if key in self.fields else item for key, item in value.items()
                if key not in self.fields or key in typed}


@dataclass(frozen=True)
class Required:
    """Marks an object's key that must be present (and not null)."""
    shape: object


TEXT = Leaf("a string", (str, int, float), text=True)
INTEGER = Leaf("an integer", (int,))
BOOLEAN = Leaf("true or false", (bool,))
SCALAR = Leaf("a string, number or boolean", (str, int, float, bool))
ANY = Leaf("any JSON value", (str, int, float, bool, list, dict))
# A value in a MapOf where null means something (a HubDB cell cleared); elsewhere null is absent.
ANY_OR_NULL = Leaf("any JSON value or null", (str, int, float, bool, list, dict, type(None)))

# Shapes that more than one family of routes reads (HubSpot's SimplePublicObjectId, AssociationSpec).
ID = {"id": Required(TEXT)}
ASSOCIATION_TYPES = [{"associationCategory": Enum("HUBSPOT_DEFINED", "INTEGRATOR_DEFINED", "USER_DEFINED", "WORK"),
                      "associationTypeId": Required(INTEGER)}]


def read(shape, value, path: str = ""):
    """`value` as `shape` declares it; ValidationError naming the first field that is not."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            raise wrong(path, "an object", value)
        kept = {}
        for key, field in shape.items():
            where = f"{path}.{key}" if path else key
            if value.get(key) is not None:
                kept[key] = read(field.shape if isinstance(field, Required) else field, value[key], where)
            elif isinstance(field, Required):
                raise exc.InvalidInput(exc.FIELD_REQUIRED.format(path=where))
        return kept
    if isinstance(shape, list):
        if not isinstance(value, list):
            raise wrong(path, "a list", value)
        return [read(shape[0], item, f"{path}[{i}]") for i, item in enumerate(value)]
    return shape.read(value, path)


def expected(shape) -> str:
    return "an object" if isinstance(shape, dict) else "a list" if isinstance(shape, list) else shape.expected


def fits(shape, value) -> bool:
    """Whether `value` is of the JSON kind `shape` reads (its fields may still be wrong)."""
    if isinstance(shape, dict):
        return isinstance(value, dict)
    if isinstance(shape, list):
        return isinstance(value, list)
    return shape.fits(value)


def wrong(path: str, expected_: str, value) -> exc.ValidationError:
    return exc.InvalidInput(exc.FIELD_TYPE.format(
        path=path or "the body", expected=expected_, found=shown(value)))


def shown(value) -> str:
    """A JSON value as a message shows it: containers by kind, scalars as written (shortened)."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return cut(repr(value))
