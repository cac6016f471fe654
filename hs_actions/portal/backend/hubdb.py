"""HubDB read: tables and rows, published and draft, with HubSpot's row filters, sorts and paging.

Tables come from seeds (`hubdb`); the API here only reads them. Values are kept in the wire
form HubSpot sends (a select is an option object, a date is epoch milliseconds).
"""
from __future__ import annotations

import json

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family
from hs_actions.portal.backend.store import cursor
from hs_actions.portal.backend.hubdb_values import (
    META_COLUMNS, OPERATORS, cell, cell_value, column_from_spec, is_empty, matcher, matches_any, sort_key, split_filter)
from hs_actions.portal.models import id_number

ROWS_LIMIT_DEFAULT, ROWS_LIMIT_MAX = 1000, 10000
TABLES_LIMIT_DEFAULT, TABLES_LIMIT_MAX = 1000, 1000


class HubDb(Family):
    """HubDB tables and rows (published and draft versions), read-only."""

    name = "hubdb"
    SEED_KEY = "hubdb"
    SEED_SHAPES = {
        "hubdb": ('a list of HubDB tables, e.g. [{"name": "territories", "columns": [{"name": "state", '
                  '"type": "TEXT"}], "rows": [{"values": {"state": "CA"}}]}]'),
        "table": ('an object {"id"?, "name": "territories", "label"?, "published"?: true, "columns": [{"name", "type", '
                  '"label"?, "options"?}], "rows": [{"id"?, "path"?, "name"?, "values": {...}}], "draftRows"?: [...]}'),
        "columns": ('a list of columns, e.g. [{"name": "state", "type": "TEXT"}, {"name": "tier", "type": "SELECT", '
                    '"options": ["A", "B"]}]'),
        "column": 'an object {"name": "state", "type": "TEXT", "label"?, "options"?: ["A", "B"]}',
        "rows": 'a list of rows, e.g. [{"values": {"state": "CA"}}]',
        "row": 'an object {"id"?, "path"?, "name"?, "values": {"column": value}}',
    }
    TABLES = {
        "hubdb_tables": "CREATE TABLE IF NOT EXISTS hubdb_tables (id INTEGER PRIMARY KEY, name TEXT UNIQUE, "
                        "body TEXT, created INTEGER, updated INTEGER, published_at INTEGER);",
        "hubdb_rows": "CREATE TABLE IF NOT EXISTS hubdb_rows (table_id INTEGER, version TEXT, position INTEGER, "
                      "id INTEGER, body TEXT, created INTEGER, updated INTEGER, "
                      "PRIMARY KEY (table_id, version, id)) WITHOUT ROWID;",
    }

    # ---- tables -----------------------------------------------------------------------------

    def hubdb_tables(self, draft: bool, limit: int = TABLES_LIMIT_DEFAULT, after=None, sort: list | None = None,
                     created: dict | None = None, updated: dict | None = None, archived: bool = False):
        """(tables, total, next after): every table (draft) or the published ones, oldest
        first or by `sort` (name, label, createdAt, updatedAt, publishedAt; "-" descending),
        filtered by created/updated {"at"|"after"|"before": ms}. No table is ever archived here.
        Ignores: contentType, isGetLocalizedSchema."""
        with self.lock:
            tables = [self._table(row) for row in self.conn.execute(
                "SELECT id, body, created, updated, published_at FROM hubdb_tables ORDER BY id")]
        if archived:
            tables = []
        if not draft:
            tables = [t for t in tables if t["published_at"] is not None]
        for key, bounds in (("created", created), ("updated", updated)):
            for kind, ms in (bounds or {}).items():
                test = {"at": lambda v, m=ms: v == m, "after": lambda v, m=ms: v > m, "before": lambda v, m=ms: v < m}[kind]
                tables = [t for t in tables if test(t[key])]
        keys = {"name": "name", "label": "label", "createdAt": "created", "updatedAt": "updated",
                "publishedAt": "published_at"}
        for item in reversed(sort or []):
            field = keys.get(item.lstrip("-"))
            if field is None:
                raise exc.ValidationError(exc.HUBDB_SORT_UNKNOWN.format(name=item, allowed=", ".join(keys)))
            tables.sort(key=lambda t, f=field: (t[f] is None, t[f] or 0), reverse=item.startswith("-"))
        start = cursor(after)
        page = tables[start:start + limit]
        with self.lock:
            counts = dict(self.conn.execute("SELECT table_id, COUNT(*) FROM hubdb_rows WHERE version = ? "
                                            "GROUP BY table_id", (_version(draft),)).fetchall())
        for table in page:
            table["row_count"] = counts.get(table["id"], 0)
        return page, len(tables), (str(start + limit) if start + limit < len(tables) else None)

    def hubdb_table(self, table, draft: bool) -> dict:
        """A table by id or name, with its row count in that version; 404 if there is none."""
        found = self._find_table(table)
        if not draft and found["published_at"] is None:
            raise exc.ObjectNotFound(exc.HUBDB_TABLE_NOT_PUBLISHED.format(table=table))
        with self.lock:
            found["row_count"] = self.conn.execute("SELECT COUNT(*) FROM hubdb_rows WHERE table_id = ? AND version = ?",
                                                   (found["id"], _version(draft))).fetchone()[0]
        return found

    def _find_table(self, table) -> dict:
        number = id_number(str(table))
        with self.lock:
            row = self.conn.execute(
                "SELECT id, body, created, updated, published_at FROM hubdb_tables WHERE "
                + ("name = ?" if number is None else "id = ?"), (str(table) if number is None else number,)).fetchone()
        if row is None:
            raise exc.ObjectNotFound(exc.HUBDB_TABLE_NOT_FOUND.format(table=table))
        return self._table(row)

    @staticmethod
    def _table(row) -> dict:
        table_id, body, created, updated, published_at = row
        return {**json.loads(body), "id": table_id, "created": created, "updated": updated,
                "published_at": published_at}

    # ---- rows -------------------------------------------------------------------------------

    def hubdb_rows(self, table, draft: bool, filters: list[tuple[str, str]], sort: list[str],
                   limit: int = ROWS_LIMIT_DEFAULT, offset: int = 0, properties: list[str] | None = None):
        """(table, rows of the page, total matching): rows matching every filter, given as query
        parameters (`column__operator`, or `column` for eq, and the value), in the table's order
        or by `sort` ("column" or "-column"; empty values last), from `offset`. With an `in`
        filter and no sort, rows follow the order of its values."""
        found = self.hubdb_table(table, draft)
        if offset < 0:
            raise exc.InvalidInput(f"offset must be 0 or more, not {offset}")
        columns = {c["name"]: c for c in found["columns"]}
        rows = self._rows(found["id"], draft)
        filters = [(*split_filter(key, columns), value) for key, value in filters]
        for column, operator, value in filters:
            kind = self._column_type(found, columns, column)
            if operator not in OPERATORS:
                raise exc.ValidationError(exc.HUBDB_OPERATOR_UNKNOWN.format(
                    operator=operator, column=column, allowed=", ".join(OPERATORS)))
            applies = OPERATORS[operator]
            if applies is not None and kind not in applies:
                raise exc.ValidationError(exc.HUBDB_OPERATOR_TYPE.format(
                    operator=operator, type=kind, column=column, allowed=", ".join(applies)))
            test = matcher(operator, kind, column, value)
            rows = [r for r in rows if test(cell(r, column))]
        ins = [(column, value) for column, operator, value in filters if operator == "in"]
        if ins and not sort:
            column, value = ins[0]
            wanted = [v.strip() for v in value.split(",")]
            rows.sort(key=lambda r: min((i for i, w in enumerate(wanted) if matches_any(cell(r, column), [w])),
                                        default=len(wanted)))
        for item in reversed(sort):
            column = item.lstrip("-")
            kind = self._column_type(found, columns, column)
            rows.sort(key=lambda r, c=column, k=kind: sort_key(cell(r, c), k), reverse=item.startswith("-"))
            rows.sort(key=lambda r, c=column: is_empty(cell(r, c)))   # empty values last, either way
        if properties:
            for name in properties:
                self._column_type(found, columns, name)
            rows = [{**r, "values": {k: v for k, v in r["values"].items() if k in properties}} for r in rows]
        return found, rows[offset:offset + limit], len(rows)

    def hubdb_row(self, table, row_id, draft: bool) -> tuple[dict, dict]:
        """(table, row) of one row; 404 if the table or row is not in that version."""
        found = self.hubdb_table(table, draft)
        for row in self._rows(found["id"], draft, [row_id]):
            return found, row
        raise exc.ObjectNotFound(exc.HUBDB_ROW_NOT_FOUND.format(row=row_id, table=table))

    def hubdb_batch_rows(self, table, row_ids: list, draft: bool):
        """(table, rows found, errors): each id not in the table is one of the 207's errors."""
        found = self.hubdb_table(table, draft)
        rows = {r["id"]: r for r in self._rows(found["id"], draft, self.backend.check_batch(row_ids))}
        missing = [str(i) for i in row_ids if str(i) not in {str(k) for k in rows}]
        errors = [exc.ObjectNotFound(exc.HUBDB_ROW_NOT_FOUND.format(row=", ".join(missing), table=table),
                                     context={"ids": missing})] if missing else []
        return found, [rows[int(i)] for i in dict.fromkeys(str(i) for i in row_ids) if i not in missing], errors

    def _rows(self, table_id: int, draft: bool, ids: list | None = None) -> list[dict]:
        query = "SELECT id, body, created, updated FROM hubdb_rows WHERE table_id = ? AND version = ?"
        params: list = [table_id, _version(draft)]
        if ids is not None:
            wanted = [n for n in (id_number(str(i)) for i in ids) if n is not None]
            query += f" AND id IN ({','.join('?' * len(wanted))})"
            params += wanted
        with self.lock:
            rows = self.conn.execute(query + " ORDER BY position", params).fetchall()
        return [{**json.loads(body), "id": rid, "created": created, "updated": updated}
                for rid, body, created, updated in rows]

    @staticmethod
    def _column_type(table: dict, columns: dict, name: str) -> str:
        if name in META_COLUMNS:
            return META_COLUMNS[name][0]
        if name not in columns:
            raise exc.ValidationError(exc.HUBDB_COLUMN_UNKNOWN.format(
                column=name, table=table["name"], columns=", ".join([*columns, *META_COLUMNS])))
        return columns[name]["type"]

    # ---- seeding ----------------------------------------------------------------------------

    @classmethod
    def check_seed(cls, check, data: dict) -> None:
        for i, table in enumerate(check.need(data.get("hubdb", []), list, "hubdb", "hubdb")):
            where = f"hubdb[{i}]"
            check.need(table, dict, where, "table")
            check.text(table, "name", where, "table")
            check.text(table, "label", where, "table", required=False)
            check.ident(table, "id", where, "table", required=False)
            for key in ("published", "allowPublicApiAccess", "useForPages"):
                if key in table:
                    check.need(table[key], bool, f"{where}.{key}", "flag")
            for j, column in enumerate(check.need(table.get("columns"), list, f"{where}.columns", "columns")):
                check.need(column, dict, f"{where}.columns[{j}]", "column")
                check.text(column, "name", f"{where}.columns[{j}]", "column")
                check.text(column, "type", f"{where}.columns[{j}]", "column")
                if "options" in column:
                    options = check.need(column["options"], list, f"{where}.columns[{j}].options", "column")
                    for k, option in enumerate(options):
                        if not (isinstance(option, str) and option) and not (isinstance(option, dict) and
                                                                              isinstance(option.get("name"), str)):
                            check.fail(f"{where}.columns[{j}].options[{k}]", "column", option)
            for key in ("rows", "draftRows"):
                for j, row in enumerate(check.need(table.get(key, []), list, f"{where}.{key}", "rows")):
                    check.need(row, dict, f"{where}.{key}[{j}]", "row")
                    check.ident(row, "id", f"{where}.{key}[{j}]", "row", required=False)
                    check.need(row.get("values", {}), dict, f"{where}.{key}[{j}].values", "row")

    def seed_step(self, db, data: dict, stamp: int) -> int:
        """Add seed tables (shape: README "Seeding"); values are checked against their columns."""
        tables = data.get("hubdb", [])
        for index, spec in enumerate(tables):
            self.backend.seeding = (f"hubdb[{index}]", "hubdb")
            for what, sql, value in (("named " + spec["name"], "name = ?", spec["name"]),
                                     (f"with id {spec.get('id')}", "id = ?", spec.get("id"))):
                if db.execute(f"SELECT 1 FROM hubdb_tables WHERE {sql}", (value,)).fetchone():
                    raise exc.PortalConflict(exc.SEED_HUBDB_EXISTS.format(what=what))
            columns = [column_from_spec(c, i, stamp) for i, c in enumerate(spec["columns"])]
            body = {"name": spec["name"], "label": spec.get("label", spec["name"]), "columns": columns,
                    "allowPublicApiAccess": bool(spec.get("allowPublicApiAccess", False)),
                    "useForPages": bool(spec.get("useForPages", False))}
            published = spec.get("published", True)
            table_id = db.execute("INSERT INTO hubdb_tables VALUES (?, ?, ?, ?, ?, ?)",
                                  (spec.get("id"), spec["name"], json.dumps(body), stamp, stamp,
                                   stamp if published else None)).lastrowid
            # The draft is the published rows unless the seed gives draftRows of its own.
            versions = [("published", "rows")] if published else []
            versions.append(("draft", "draftRows" if "draftRows" in spec else "rows"))
            for version, key in versions:
                seen = set()
                for position, row in enumerate(spec.get(key, [])):
                    self.backend.seeding = (f"hubdb[{index}].{key}[{position}]", "hubdb")
                    row_id = int(row.get("id", position + 1))
                    if row_id in seen:
                        raise exc.PortalConflict(exc.SEED_HUBDB_ROW_EXISTS.format(id=row_id, table=spec["name"]))
                    seen.add(row_id)
                    values = {name: cell_value(columns, name, value) for name, value in row.get("values", {}).items()}
                    body = {"path": row.get("path"), "name": row.get("name"), "values": values}
                    db.execute("INSERT INTO hubdb_rows VALUES (?, ?, ?, ?, ?, ?, ?)",
                               (table_id, version, position, row_id, json.dumps(body), stamp, stamp))
        return len(tables)


def _version(draft: bool) -> str:
    return "draft" if draft else "published"
