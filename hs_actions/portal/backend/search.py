"""Search over records, as the CRM search API does it: SQL over the core's record tables."""
from __future__ import annotations

import fnmatch
import json
import re

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family
from hs_actions.portal.models import ObjectType, PropertyDef, id_number, parse_time

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


class Search(Family):
    """POST .../search: filter groups, sorts, query words, paging."""

    name = "search"
    # Token matching, in SQL: CONTAINS_TOKEN filters and `query` words (word prefixes).
    FUNCTIONS = {"hs_contains_token": (2, _contains_token), "hs_prefix_token": (2, _prefix_token)}

    def search(self, object_type: str, filter_groups: list, sorts: list, query: str | None,
               properties: list[str] | None, limit: int, after: int):
        """(total, records, next_after). Filters AND within a group, groups OR.

        String comparisons are case-insensitive; numbers, dates and datetimes compare as
        numbers (dates/datetimes given as epoch ms or ISO 8601). NEQ, NOT_IN and
        NOT_CONTAINS_TOKEN also match records without the property. Ignores: HubSpot's
        indexing delay (a record is searchable as soon as it is written) and the relevance
        ranking of `query` (results keep the sort order).
        """
        ot = self.backend.object_type(object_type)
        if after + limit > SEARCH_WINDOW:
            raise exc.ValidationError(exc.SEARCH_WINDOW.format(maximum=SEARCH_WINDOW, value=after + limit))
        where, params = self._search_where(ot, filter_groups, query)
        order, order_params = self._search_order(ot, sorts)
        with self.lock:
            # One pass gives the total and the page: cheaper than COUNT(*) plus LIMIT/OFFSET.
            matched = [r[0] for r in self.conn.execute(
                f"SELECT o.id FROM objects o {order[0]} WHERE {where} ORDER BY {order[1]}", (*order_params, *params))]
            ids = matched[after:after + limit]
            records = self.backend.load_records(ot, ids, self.backend.asked_properties(ot, properties))
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
            raise exc.InvalidInput(f"filterGroups must be a list of at most {SEARCH_MAX_GROUPS} groups")
        where, params = ["o.otype = ? AND o.archived = 0"], [ot.type_id]
        ors, count = [], 0
        for group in groups:
            filters = group.get("filters") if isinstance(group, dict) else None
            if not isinstance(filters, list) or len(filters) > SEARCH_MAX_FILTERS_PER_GROUP:
                raise exc.InvalidInput(
                    f"each filter group needs a list of at most {SEARCH_MAX_FILTERS_PER_GROUP} filters")
            count += len(filters)
            conditions = sorted((self._condition(ot, spec) for spec in filters), key=lambda c: c[4])
            ands = []
            for i, (driving, driving_params, exists, exists_params, negated) in enumerate(conditions):
                if i == 0 and not negated:
                    ands.append(driving)
                    params.extend(driving_params)
                else:
                    ands.append(f"{'NOT ' if negated else ''}{exists}")
                    params.extend(exists_params)
            if ands:
                ors.append("(" + " AND ".join(ands) + ")")
        if count > SEARCH_MAX_FILTERS:
            raise exc.InvalidInput(f"at most {SEARCH_MAX_FILTERS} filters in all, but {count} were given")
        if ors:
            where.append("(" + " OR ".join(ors) + ")")
        searchable = [n for n in ot.searchable_properties if n in self.backend.defs[ot.type_id]]
        for word in (query or "").lower().split():
            where.append(f"EXISTS (SELECT 1 FROM pv WHERE pv.otype = o.otype AND pv.oid = o.id AND pv.name IN "
                         f"({','.join('?' * len(searchable))}) AND hs_prefix_token(pv.folded, ?))")
            params.extend([*searchable, word])
        return " AND ".join(where), params

    def _condition(self, ot: ObjectType, spec) -> tuple[str, list, str, list, bool]:
        """(driving SQL, its parameters, EXISTS SQL, its parameters, negated) for one filter: the
        driving form selects `o.id IN (...)` by an index, the EXISTS form checks one candidate."""
        if isinstance(spec, dict) and str(spec.get("propertyName", "")).startswith("associations."):
            return self._association_condition(ot, spec)
        condition, values, negated = self._filter(ot, spec)
        return (f"o.id IN (SELECT oid FROM pv WHERE otype = ? AND {condition})", [ot.type_id, *values],
                f"EXISTS (SELECT 1 FROM pv WHERE pv.otype = o.otype AND pv.oid = o.id AND {condition})", values, negated)

    def _association_condition(self, ot: ObjectType, spec: dict) -> tuple[str, list, str, list, bool]:
        """`associations.contact` EQ <id> (or IN [ids]): records associated with that record, as
        HubSpot's search guide shows for finding a contact's tasks or meetings. Associations are
        stored both ways, so the driving form reads the other record's side by its key."""
        name = spec["propertyName"].split(".", 1)[1]
        other = self.backend.object_type(name)
        operator = spec.get("operator", "EQ")
        if operator == "EQ":
            raw = [spec.get("value")]
        elif operator == "IN" and isinstance(spec.get("values"), list) and spec["values"]:
            raw = spec["values"]
        else:
            raise exc.ValidationError(exc.ASSOCIATION_FILTER_OPERATOR.format(name=name, operator=operator))
        if any(v is None for v in raw):
            raise exc.FilterValueMissing(
                name=spec["propertyName"], operator=operator, field="value" if operator == "EQ" else "values")
        ids = [-1 if n is None else n for n in (id_number(str(v).strip()) for v in raw)]
        marks = ",".join("?" * len(ids))
        return (f"o.id IN (SELECT to_id FROM assoc WHERE from_type = ? AND from_id IN ({marks}) AND to_type = ?)",
                [other.type_id, *ids, ot.type_id],
                f"EXISTS (SELECT 1 FROM assoc WHERE from_type = o.otype AND from_id = o.id AND to_type = ? "
                f"AND to_id IN ({marks}))", [other.type_id, *ids], False)

    def _filter(self, ot: ObjectType, spec) -> tuple[str, list, bool]:
        """(condition on a pv row, its parameters, negated) for one filter."""
        if not isinstance(spec, dict):
            raise exc.InvalidInput("each filter must be an object")
        name, operator = spec.get("propertyName"), spec.get("operator", "EQ")
        if operator not in OPERATORS:
            raise exc.ValidationError(exc.UNKNOWN_OPERATOR.format(operator=operator, allowed=", ".join(OPERATORS)))
        prop = self.backend.defs[ot.type_id].get(name)
        if prop is None:
            raise exc.ValidationError(exc.UNKNOWN_FILTER_PROPERTY.format(name=name, object_type=ot.name))
        numeric = prop.type in _NUMERIC_TYPES
        column = "pv.num" if numeric else "pv.folded"

        def value(field: str):
            raw = spec.get(field)
            if raw is None:
                raise exc.FilterValueMissing(name=name, operator=operator, field=field)
            return value_of(numeric, prop, raw, name)

        has = "pv.name = ?"
        if operator in _COMPARISONS:
            return f"{has} AND {column} {_COMPARISONS[operator]} ?", [name, value("value")], operator == "NEQ"
        if operator == "BETWEEN":
            return f"{has} AND {column} BETWEEN ? AND ?", [name, value("value"), value("highValue")], False
        if operator in ("IN", "NOT_IN"):
            raw = spec.get("values")
            if not isinstance(raw, list) or not raw:
                raise exc.FilterValueMissing(name=name, operator=operator, field="values")
            items = [value_of(numeric, prop, v, name) for v in raw]
            return f"{has} AND {column} IN ({','.join('?' * len(items))})", [name, *items], operator == "NOT_IN"
        if operator in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
            return has, [name], operator == "NOT_HAS_PROPERTY"
        token = spec.get("value")
        if token is None:
            raise exc.FilterValueMissing(name=name, operator=operator, field="value")
        return f"{has} AND hs_contains_token(pv.folded, ?)", [name, str(token)], operator == "NOT_CONTAINS_TOKEN"

    def _search_order(self, ot: ObjectType, sorts) -> tuple[tuple[str, str], list]:
        if not sorts:
            return ("", "o.id"), []
        if not isinstance(sorts, list):
            raise exc.InvalidInput("sorts must be a list")
        if len(sorts) > 1:
            # HubSpot's search guide: "Only one sorting rule can be applied to any search."
            names = [str(x.get("propertyName")) if isinstance(x, dict) else str(x) for x in sorts]
            raise exc.ValidationError(exc.TOO_MANY_SORTS.format(count=len(sorts), names=", ".join(names)),
                                      context={"sorts": names})
        first = sorts[0]
        if isinstance(first, str) and first.lstrip().startswith("{"):
            # The client types a sort as a string, so HubSpot's Node README sent
            # JSON.stringify({propertyName, direction}): HubSpot reads that text as the object.
            try:
                first = json.loads(first)
            except ValueError:
                return ("", "o.id"), []
        if isinstance(first, str):
            name, descending = first.lstrip("-"), first.startswith("-")
            if name not in self.backend.defs[ot.type_id]:
                # A string HubSpot cannot read as a sort is ignored, not refused: the Ruby
                # client's sorts, sent as such strings, came back unsorted (hubspot-api-ruby#257).
                return ("", "o.id"), []
        elif isinstance(first, dict):
            name, descending = first.get("propertyName"), str(first.get("direction", "ASCENDING")).upper() == "DESCENDING"
        else:
            raise exc.InvalidInput("each sort must be a string or an object")
        prop = self.backend.defs[ot.type_id].get(name)
        if prop is None:
            raise exc.ValidationError(exc.UNKNOWN_SORT.format(name=name, object_type=ot.name))
        column = "s.num" if prop.type in _NUMERIC_TYPES else "s.folded"
        direction = "DESC" if descending else "ASC"
        join = "LEFT JOIN pv s ON s.otype = o.otype AND s.oid = o.id AND s.name = ?"
        # Records without the property come last either way.
        return (join, f"{column} IS NULL, {column} {direction}, o.id {direction}"), [name]


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
