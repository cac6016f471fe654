"""The account's required properties, which HubSpot's CRM enforces on writes from the 2026-09
API version on (developer changelog, 2026-08-11: "CRM create/update enforce the account's
required-property rules"; shared/HUBSPOT_RUNTIME.md). Semantic-version paths (/crm/v3/...) and
earlier date versions do not enforce them, so the portal checks them only on 2026-09 paths and
later (responses/objects.py). Rules come from seeds (`requiredProperties`); the settings API
that edits them is not modelled.
"""
from __future__ import annotations

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family


class Requirements(Family):
    """Required properties per object type, as an account's settings make them."""

    name = "requirements"
    TABLES = {"required_properties": "CREATE TABLE IF NOT EXISTS required_properties (otype TEXT, name TEXT, "
                                     "PRIMARY KEY (otype, name));"}
    SEED_KEY = "requiredProperties"
    SEED_SHAPES = {"requiredProperties": 'an object of lists of property names by object type, e.g. '
                                         '{"contacts": ["email", "firstname"]}'}

    def check_account_required(self, object_type: str, properties: dict, creating: bool) -> None:
        """HubSpot's 400 when a create leaves a required property unset, or an update clears one."""
        ot = self.backend.object_type(object_type)
        with self.lock:
            names = [name for (name,) in self.conn.execute(
                "SELECT name FROM required_properties WHERE otype = ? ORDER BY rowid", (ot.type_id,))]
        missing = [name for name in names
                   if (properties.get(name) in (None, "") if creating else
                       name in properties and properties[name] in (None, ""))]
        if missing:
            message = exc.REQUIRED_PROPERTIES if creating else exc.REQUIRED_PROPERTIES_CLEARED
            raise exc.ValidationError(message.format(hubspot_name=ot.hubspot_name), context={"properties": missing})

    @classmethod
    def check_seed(cls, check, data: dict) -> None:
        listed = check.need(data.get("requiredProperties", {}), dict, "requiredProperties", "requiredProperties")
        for object_type, names in listed.items():
            where = f"requiredProperties.{object_type}"
            for i, name in enumerate(check.need(names, list, where, "requiredProperties")):
                check.need(name, str, f"{where}[{i}]", "requiredProperties")

    def seed_step(self, db, data: dict, stamp: int) -> int:
        count = 0
        for object_type, names in data.get("requiredProperties", {}).items():
            self.backend.seeding = (f"requiredProperties.{object_type}", object_type)
            ot = self.backend.object_type(object_type)
            for name in names:
                if name not in self.backend.defs[ot.type_id]:
                    raise exc.PropertyNotFound(name=name, object_type=ot.name)
                db.execute("INSERT OR IGNORE INTO required_properties (otype, name) VALUES (?, ?)", (ot.type_id, name))
                count += 1
        return count
