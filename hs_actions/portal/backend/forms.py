"""Forms, read-only: what forms v3 (`/marketing/v3/forms`) and the legacy forms v2 (`/forms/v2/forms`) list.

Forms come from seeds (`forms`). Published custom-code actions read forms rarely, and only to
read them (a form's name, its fields and the properties they fill); none found creates or edits
one, so neither is modelled (writes answer "not modelled"), nor are submissions, captured, flow
or blog-comment forms, dependent fields, or legal-consent texts (every form has none).

A field fills a property of a record type (`objectTypeId`, contacts by default), which must
exist; its label, options and HubSpot's fieldType come from the property (data/forms.json).
"""
from __future__ import annotations

import json
import re
import uuid

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family
from hs_actions.portal.backend.store import cursor
from hs_actions.portal.models import load, parse_time

FORMS_LIMIT_DEFAULT, FORMS_LIMIT_MAX = 20, 1000
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


class Forms(Family):
    """Forms of the account with their fields, as stored once and read by forms v3 and v2."""

    name = "forms"
    SEED_KEY = "forms"
    SEED_SHAPES = {
        "forms": ('a list of forms, e.g. [{"id": "5f745bfa-8589-40c2-9940-f9081123e0b4", "name": "Contact us", '
                  '"fields": [{"name": "email", "required": true}, {"name": "firstname"}]}]'),
        "form": ('an object {"id"?: a GUID, "name": "Contact us", "archived"?, "createdAt"?, "updatedAt"?, '
                 '"submitText"?, "fields": [field]}'),
        "guid": 'a form id: a lower-case GUID such as "5f745bfa-8589-40c2-9940-f9081123e0b4"',
        "fields": 'a list of form fields, e.g. [{"name": "email", "required": true}]',
        "field": ('an object {"name": a property name, "objectTypeId"?: "0-1", "label"?, "fieldType"?: "email", '
                  '"required"?, "hidden"?}'),
        "fieldType": "one of " + ", ".join(load("forms.json")["v3FieldTypesAllowed"]),
    }
    TABLES = {"forms": "CREATE TABLE IF NOT EXISTS forms (id TEXT PRIMARY KEY, seq INTEGER, body TEXT);"}

    def forms(self, after: str | None = None, limit: int | None = FORMS_LIMIT_DEFAULT,
              archived: bool = False) -> tuple[list[dict], str | None]:
        """A page of the forms, archived or not, in the order they were added (all of them when
        `limit` is None); the `after` of the next page, None after the last."""
        start = cursor(after)
        with self.lock:
            rows = self.conn.execute("SELECT seq, body FROM forms WHERE seq > ? ORDER BY seq", (start,)).fetchall()
        found = [(seq, json.loads(body)) for seq, body in rows]
        found = [(seq, form) for seq, form in found if form["archived"] == archived]
        page = found if limit is None else found[:limit]
        return [form for _, form in page], (str(page[-1][0]) if len(found) > len(page) else None)

    def form(self, form_id: str, archived: bool = False) -> dict:
        """The form with this id ({id, name, archived, createdAt, updatedAt, submitText, fields});
        404 when there is none, or it is archived and `archived` is not asked for."""
        with self.lock:
            row = self.conn.execute("SELECT body FROM forms WHERE id = ?", (form_id,)).fetchone()
        form = json.loads(row[0]) if row else None
        if form is None or form["archived"] != archived:
            raise exc.ObjectNotFound(exc.FORM_NOT_FOUND.format(id=form_id))
        return form

    @classmethod
    def check_seed(cls, check, data: dict) -> None:
        allowed = load("forms.json")["v3FieldTypesAllowed"]
        for i, form in enumerate(check.need(data.get("forms", []), list, "forms", "forms")):
            where = f"forms[{i}]"
            check.need(form, dict, where, "form")
            check.text(form, "name", where, "form")
            if "id" in form and not (isinstance(form["id"], str) and _GUID.match(form["id"])):
                check.fail(f"{where}.id", "guid", form["id"])
            if "archived" in form:
                check.need(form["archived"], bool, f"{where}.archived", "flag")
            for key in ("createdAt", "updatedAt"):
                check.time(form, key, where)
            check.text(form, "submitText", where, "form", required=False)
            for j, field in enumerate(check.need(form.get("fields", []), list, f"{where}.fields", "fields")):
                check.need(field, dict, f"{where}.fields[{j}]", "field")
                check.text(field, "name", f"{where}.fields[{j}]", "field")
                check.text(field, "label", f"{where}.fields[{j}]", "field", required=False)
                if "fieldType" in field and field["fieldType"] not in allowed:
                    check.fail(f"{where}.fields[{j}].fieldType", "fieldType", field["fieldType"])
                for key in ("required", "hidden"):
                    if key in field:
                        check.need(field[key], bool, f"{where}.fields[{j}].{key}", "flag")

    def seed_step(self, db, data: dict, stamp: int) -> int:
        (count,) = db.execute("SELECT COALESCE(MAX(seq), 0) FROM forms").fetchone()
        for index, spec in enumerate(data.get("forms", [])):
            self.backend.seeding = (f"forms[{index}]", "contacts")
            form_id = spec.get("id") or str(uuid.uuid4())
            if db.execute("SELECT 1 FROM forms WHERE id = ?", (form_id,)).fetchone():
                raise exc.ValidationError(exc.FORM_EXISTS.format(id=form_id))
            created = parse_time(spec.get("createdAt", stamp))
            form = {"id": form_id, "name": spec["name"], "archived": spec.get("archived", False),
                    "createdAt": created, "updatedAt": parse_time(spec.get("updatedAt", created)),
                    "submitText": spec.get("submitText", "Submit"),
                    "fields": [self._field(f"forms[{index}].fields[{j}]", field)
                               for j, field in enumerate(spec.get("fields", []))]}
            db.execute("INSERT INTO forms VALUES (?, ?, ?)", (form_id, count + index + 1, json.dumps(form)))
        return len(data.get("forms", []))

    def _field(self, where: str, spec: dict) -> dict:
        """A seeded field, completed from the property it fills (which must exist)."""
        object_type = spec.get("objectTypeId", "0-1")
        self.backend.seeding = (where, object_type)
        prop = self.backend.property(object_type, spec["name"])
        table = load("forms.json")["v3FieldTypes"]
        default_type = "email" if prop.name == "email" else table.get(prop.field_type, "single_line_text")
        return {"objectTypeId": self.backend.object_type(object_type).type_id, "name": prop.name,
                "label": spec.get("label", prop.label), "fieldType": spec.get("fieldType", default_type),
                "required": spec.get("required", False), "hidden": spec.get("hidden", False),
                "propertyType": prop.type, "propertyFieldType": prop.field_type,
                "description": prop.description,
                "options": [{"label": o["label"], "value": o["value"], "displayOrder": o["displayOrder"]}
                            for o in prop.options]}
