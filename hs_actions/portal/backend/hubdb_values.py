"""HubDB's column types, row filters and values: what a cell may hold and how it compares.

Pure functions over HubSpot's wire forms (a select is an option object, a date epoch
milliseconds), shared by the HubDb family's reads, its writes and its seed step.
"""
from __future__ import annotations

import json
import re

from hs_actions.portal import exceptions as exc
from hs_actions.portal.models import parse_time

COLUMN_TYPES = ("BOOLEAN", "CODE", "COMPOSITE", "CTA", "CURRENCY", "DATE", "DATETIME", "EMBED", "FILE", "FOREIGN_ID",
                "HUBSPOT_VIDEO", "IMAGE", "JSON", "LOCATION", "MULTISELECT", "NULL", "NUMBER", "RICHTEXT", "SELECT",
                "TEXT", "URL", "VIDEO")
TEXTS, NUMBERS, OPTIONS = ("TEXT", "RICHTEXT"), ("NUMBER", "CURRENCY", "DATE", "DATETIME"), ("SELECT", "MULTISELECT")
# HubSpot's HubDB guide, "Filtering and sorting table rows": each operator and the column types
# it applies to (None: every type). `column=value` is `column__eq=value`.
OPERATORS = {
    "eq": None, "ne": None,
    "contains": (*TEXTS, *OPTIONS), "icontains": TEXTS, "startswith": TEXTS, "like": TEXTS, "not_like": TEXTS,
    "lt": NUMBERS, "lte": NUMBERS, "gt": NUMBERS, "gte": NUMBERS,
    "is_null": tuple(t for t in COLUMN_TYPES if t != "BOOLEAN"), "not_null": tuple(t for t in COLUMN_TYPES if t != "BOOLEAN"),
    "in": ("NUMBER", "CURRENCY", "TEXT", "SELECT", "MULTISELECT"), "not_in": ("NUMBER", "CURRENCY", "TEXT", "SELECT", "MULTISELECT"),
}
# Row fields every table has, for filters and sorts: name -> (type, row key)
META_COLUMNS = {"hs_id": ("NUMBER", "id"), "hs_path": ("TEXT", "path"), "hs_name": ("TEXT", "name"),
                "hs_created_at": ("DATETIME", "created"), "hs_updated_at": ("DATETIME", "updated")}


def split_filter(key: str, columns: dict) -> tuple[str, str]:
    """(column, operator) of a filter parameter: `column__op`, or a bare `column` for eq."""
    if key in columns or key in META_COLUMNS or "__" not in key:
        return key, "eq"
    column, operator = key.rsplit("__", 1)
    return column, operator


def column_from_spec(spec: dict, index: int, stamp: int) -> dict:
    kind = spec["type"]
    if kind not in COLUMN_TYPES:
        raise exc.ValidationError(exc.SEED_HUBDB_COLUMN_TYPE.format(type=kind, name=spec["name"],
                                                                    allowed=", ".join(COLUMN_TYPES)))
    column = {"id": str(index + 1), "name": spec["name"], "label": spec.get("label", spec["name"]), "type": kind,
              "description": spec.get("description", ""), "deleted": False}
    if kind in OPTIONS:
        options = [o if isinstance(o, dict) else {"name": o} for o in spec.get("options", [])]
        column["options"] = [{"id": str(o.get("id", i + 1)), "name": o["name"], "label": o.get("label", o["name"]),
                              "type": "option", "order": i, "createdAt": stamp, "updatedAt": stamp}
                             for i, o in enumerate(options)]
        column["optionCount"] = len(options)
    return column


def cell_value(columns: list[dict], name: str, value):
    """A value written to a row (a seed's, or the API's) in HubSpot's wire form for its column's
    type; ValidationError if it cannot be. An option is named by its name or id, or given as
    the option object a read answers."""
    column = next((c for c in columns if c["name"] == name), None)
    if column is None:
        raise exc.ValidationError(exc.SEED_HUBDB_COLUMN_UNKNOWN.format(
            name=name, columns=", ".join(c["name"] for c in columns)))
    kind = column["type"]
    if value is None:
        return None
    bad = exc.ValidationError(exc.SEED_HUBDB_VALUE.format(value=json.dumps(value), name=name, type=kind))
    if kind in ("TEXT", "RICHTEXT", "URL", "CODE"):
        if not isinstance(value, str):
            raise bad
        return value
    if kind in ("NUMBER", "CURRENCY"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise bad
        return value
    if kind == "BOOLEAN":
        if not isinstance(value, bool):
            raise bad
        return value
    if kind in ("DATE", "DATETIME"):
        ms = parse_time(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if ms is None or (kind == "DATE" and ms % 86_400_000):
            raise bad
        return ms
    if kind in OPTIONS:
        names = value if kind == "MULTISELECT" else [value]
        if not isinstance(names, list):
            raise bad
        options = []
        for option_name in names:
            if isinstance(option_name, dict):   # the API's option object, as a read answers it
                option_name = option_name.get("id") or option_name.get("name")
            option = next((o for o in column["options"] if option_name in (o["name"], o["id"])), None)
            if option is None:
                raise exc.ValidationError(exc.SEED_HUBDB_OPTION.format(
                    value=option_name, name=name, allowed=", ".join(o["name"] for o in column["options"])))
            options.append({k: option[k] for k in ("id", "name", "label", "type", "order")})
        return options if kind == "MULTISELECT" else options[0]
    return value


def cell(row: dict, column: str):
    if column in META_COLUMNS:
        return row.get(META_COLUMNS[column][1])
    return row["values"].get(column)


def is_empty(cell) -> bool:
    return cell is None or cell == "" or cell == []


def _option_names(cell) -> list[str]:
    items = cell if isinstance(cell, list) else [cell]
    return [str(part) for o in items if isinstance(o, dict) for part in (o.get("name"), o.get("id"))]


def matches_any(cell, wanted: list[str]) -> bool:
    if isinstance(cell, (dict, list)):
        return any(w in _option_names(cell) for w in wanted)
    return any(_equal(cell, w) for w in wanted)


def _equal(cell, text: str) -> bool:
    if cell is None:
        return False
    if isinstance(cell, bool):
        return text.lower() in (("true", "1") if cell else ("false", "0"))
    if isinstance(cell, (int, float)):
        number = _number(text)
        return number is not None and float(cell) == number
    return str(cell) == text


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        ms = parse_time(text)
        return float(ms) if ms is not None else None


def _like(pattern: str):
    return re.compile("".join(".*" if part == "%" else re.escape(part) for part in re.split("(%)", pattern)), re.S)


def matcher(operator: str, kind: str, column: str, value: str):
    """A test of one cell for `column__operator=value`; HubSpot's 400 for a value it cannot read."""
    values = [v.strip() for v in value.split(",")] if operator in ("in", "not_in") or kind == "MULTISELECT" else [value]
    if operator in ("lt", "lte", "gt", "gte"):
        bound = _number(value)
        if bound is None:
            raise exc.ValidationError(exc.HUBDB_FILTER_VALUE.format(value=value, column=column, operator=operator,
                                                                    type=kind))
        compare = {"lt": float.__lt__, "lte": float.__le__, "gt": float.__gt__, "gte": float.__ge__}[operator]
        return lambda cell: isinstance(cell, (int, float)) and compare(float(cell), bound)
    if operator == "is_null":
        return is_empty
    if operator == "not_null":
        return lambda cell: not is_empty(cell)
    if operator in ("eq", "ne"):
        if kind == "MULTISELECT":
            test = lambda cell: sorted({o["name"] for o in cell or []}) == sorted(set(values))  # noqa: E731
        else:
            test = lambda cell: matches_any(cell, values)  # noqa: E731
        return test if operator == "eq" else (lambda cell: not test(cell))
    if operator in ("in", "not_in"):
        return (lambda cell: matches_any(cell, values)) if operator == "in" else \
            (lambda cell: not matches_any(cell, values))
    if operator == "contains":
        if kind in OPTIONS:
            return lambda cell: all(w in _option_names(cell) for w in values)
        return lambda cell: isinstance(cell, str) and value in cell
    if operator == "icontains":
        return lambda cell: isinstance(cell, str) and value.lower() in cell.lower()
    if operator == "startswith":
        return lambda cell: isinstance(cell, str) and cell.startswith(value)
    pattern = _like(value)
    if operator == "like":
        return lambda cell: isinstance(cell, str) and bool(pattern.fullmatch(cell))
    return lambda cell: not (isinstance(cell, str) and pattern.fullmatch(cell))


def sort_key(cell, kind: str):
    if isinstance(cell, dict):
        return (0, cell.get("order", 0), "")
    if isinstance(cell, list):
        return (0, 0, ",".join(o.get("name", "") for o in cell if isinstance(o, dict)))
    if isinstance(cell, (int, float)):
        return (0, float(cell), "")
    return (0, 0, "" if cell is None else str(cell))
