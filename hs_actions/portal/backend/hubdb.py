"""HubDB: tables and rows, published and draft, with HubSpot's row filters, sorts and paging;
draft row writes, publishing, resetting and cloning.

Tables come from seeds (`hubdb`) or a clone; columns are never written. Values are kept in the
wire form HubSpot sends (a select is an option object, a date is epoch milliseconds).
"""
from __future__ import annotations

import json

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family
from hs_actions.portal.backend.store import cursor
from hs_actions.portal.backend.hubdb_values import (
    META_COLUMNS, OPERATORS, cell, cell_value, column_from_spec, is_empty, matcher, matches_any, sort_key, split_filter)
from hs_actions.portal.models import id_number, now_ms

ROWS_LIMIT_DEFAULT, ROWS_LIMIT_MAX = 1000, 10000
TABLES_LIMIT_DEFAULT, TABLES_LIMIT_MAX = 1000, 1000
EMPTY_ROW = {"path": None, "name": None, "values": {}}   # a row's written fields, none set


class HubDb(Family):
    """HubDB tables and rows (published and draft versions): read, and the draft written."""

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

    # ---- writes: rows of the draft, then publishing it ---------------------------------------
    # HubSpot's model (HubDB guide, "Draft vs live tables"): every row write changes the draft
    # only; publishing copies the draft over the published version, resetting copies the
    # published version over the draft. Row ids are unique across a table's two versions.

    def hubdb_create_rows(self, table, specs: list[dict]) -> tuple[dict, list[dict]]:
        """(table, rows): new draft rows {path?, name?, values?} after the last, with new ids."""
        with self.backend.write():
            found = self._find_table(table)
            bodies = [self._row_body(found, spec, EMPTY_ROW) for spec in specs]
            return found, self._append(found["id"], bodies)

    def hubdb_update_rows(self, table, specs: list[dict], replace: bool) -> tuple[dict, list[dict], list]:
        """(table, rows, errors): draft rows {id, path?, name?, values?} changed; `replace` (PUT)
        clears what a spec leaves out, else only the given columns change (PATCH). A null value
        clears a cell. An id not in the draft is one of the 207's errors."""
        with self.backend.write():
            found = self._find_table(table)
            stamp = now_ms()
            current = {r["id"]: r for r in self._rows(found["id"], True, [s["id"] for s in specs])}
            rows, missing = [], []
            for spec in specs:
                row = current.get(id_number(str(spec["id"])))
                if row is None:
                    missing.append(str(spec["id"]))
                    continue
                base = EMPTY_ROW if replace else row
                body = self._row_body(found, spec, base)
                self.conn.execute("UPDATE hubdb_rows SET body = ?, updated = ? WHERE table_id = ? AND version = ? "
                                  "AND id = ?", (json.dumps(body), stamp, found["id"], "draft", row["id"]))
                rows.append({**body, "id": row["id"], "created": row["created"], "updated": stamp})
            if rows:
                self._touch(found["id"], stamp)
        return found, rows, self._missing(table, missing)

    def hubdb_clone_rows(self, table, row_ids: list) -> tuple[dict, list[dict], list]:
        """(table, copies, errors): each draft row copied to a new id at the end of the draft."""
        with self.backend.write():
            found = self._find_table(table)
            rows = {r["id"]: r for r in self._rows(found["id"], True, row_ids)}
            known = [rows[n] for n in (id_number(str(i)) for i in row_ids) if n in rows]
            missing = [str(i) for i in row_ids if id_number(str(i)) not in rows]
            copies = self._append(found["id"], [{k: r[k] for k in EMPTY_ROW} for r in known])
        return found, copies, self._missing(table, missing)

    def hubdb_purge_rows(self, table, row_ids: list) -> None:
        """Delete draft rows for good (the published version keeps them until a publish); 404
        naming the ids not in the draft, and nothing deleted."""
        with self.backend.write():
            found = self._find_table(table)
            present = {r["id"] for r in self._rows(found["id"], True, row_ids)}
            missing = [str(i) for i in row_ids if id_number(str(i)) not in present]
            if missing:
                raise self._missing(table, missing)[0]
            self.conn.executemany("DELETE FROM hubdb_rows WHERE table_id = ? AND version = ? AND id = ?",
                                  [(found["id"], "draft", i) for i in present])
            self._touch(found["id"], now_ms())

    def hubdb_publish(self, table) -> dict:
        """The draft becomes the published version; the published table."""
        return self._copy_version(table, "draft", "published")

    def hubdb_reset_draft(self, table) -> dict:
        """The published version becomes the draft again; the draft table. 404 for a table never published."""
        return self._copy_version(table, "published", "draft")

    def hubdb_unpublish(self, table) -> dict:
        """The table keeps its draft only; the table (no longer published)."""
        with self.backend.write():
            found = self._find_table(table)
            self.conn.execute("DELETE FROM hubdb_rows WHERE table_id = ? AND version = ?", (found["id"], "published"))
            self.conn.execute("UPDATE hubdb_tables SET published_at = NULL, updated = ? WHERE id = ?",
                              (now_ms(), found["id"]))
        return self.hubdb_table(found["id"], draft=True)

    def hubdb_clone_table(self, table, name: str, label: str | None, copy_rows: bool) -> dict:
        """A new table, draft only, with the columns (and, with copy_rows, the draft rows) of another."""
        with self.backend.write():
            found = self._find_table(table)
            if self.conn.execute("SELECT 1 FROM hubdb_tables WHERE name = ?", (name,)).fetchone():
                raise exc.PortalConflict(exc.HUBDB_TABLE_EXISTS.format(name=name))
            stamp = now_ms()
            body = {k: found[k] for k in ("columns", "allowPublicApiAccess", "useForPages")}
            body.update(name=name, label=label or found["label"])
            new_id = self.conn.execute("INSERT INTO hubdb_tables VALUES (NULL, ?, ?, ?, ?, NULL)",
                                       (name, json.dumps(body), stamp, stamp)).lastrowid
            if copy_rows:
                self.conn.execute("INSERT INTO hubdb_rows SELECT ?, version, position, id, body, ?, ? FROM hubdb_rows "
                                  "WHERE table_id = ? AND version = ?", (new_id, stamp, stamp, found["id"], "draft"))
        return self.hubdb_table(new_id, draft=True)

    def _copy_version(self, table, source: str, target: str) -> dict:
        with self.backend.write():
            found = self._find_table(table)
            if source == "published" and found["published_at"] is None:
                raise exc.ObjectNotFound(exc.HUBDB_TABLE_NOT_PUBLISHED.format(table=table))
            stamp = now_ms()
            self.conn.execute("DELETE FROM hubdb_rows WHERE table_id = ? AND version = ?", (found["id"], target))
            self.conn.execute("INSERT INTO hubdb_rows SELECT table_id, ?, position, id, body, created, updated "
                              "FROM hubdb_rows WHERE table_id = ? AND version = ?", (target, found["id"], source))
            published = "published_at = ?, " if target == "published" else ""
            self.conn.execute(f"UPDATE hubdb_tables SET {published}updated = ? WHERE id = ?",
                              (*([stamp] if published else []), stamp, found["id"]))
        return self.hubdb_table(found["id"], draft=target == "draft")

    def _row_body(self, table: dict, spec: dict, base: dict) -> dict:
        values = dict(base["values"])
        for name, value in (spec.get("values") or {}).items():
            values[name] = cell_value(table["columns"], name, value)
        return {"path": spec.get("path", base["path"]), "name": spec.get("name", base["name"]),
                "values": {k: v for k, v in values.items() if v is not None}}

    def _append(self, table_id: int, bodies: list[dict]) -> list[dict]:
        """Draft rows with these bodies after the table's last row, with ids after its last."""
        if not bodies:
            return []
        stamp = now_ms()
        (last_id, last_position), = self.conn.execute(
            "SELECT COALESCE(MAX(id), 0), COALESCE(MAX(position), -1) FROM hubdb_rows WHERE table_id = ?",
            (table_id,)).fetchall()
        rows = []
        for offset, body in enumerate(bodies, start=1):
            self.conn.execute("INSERT INTO hubdb_rows VALUES (?, ?, ?, ?, ?, ?, ?)",
                              (table_id, "draft", last_position + offset, last_id + offset, json.dumps(body), stamp, stamp))
            rows.append({**body, "id": last_id + offset, "created": stamp, "updated": stamp})
        self._touch(table_id, stamp)
        return rows

    def _touch(self, table_id: int, stamp: int) -> None:
        self.conn.execute("UPDATE hubdb_tables SET updated = ? WHERE id = ?", (stamp, table_id))

    @staticmethod
    def _missing(table, ids: list[str]) -> list:
        return [exc.ObjectNotFound(exc.HUBDB_ROW_NOT_FOUND.format(row=", ".join(ids), table=table),
                                   context={"ids": ids})] if ids else []

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
