"""Custom object schemas, as the CRM schemas API reads them (`GET /crm/v3/schemas`).

Read only: custom objects come from seeds (`schemas`). Ignores: creating, updating and
archiving schemas, which the portal does not model.
"""
from __future__ import annotations

from hs_actions.portal import exceptions as exc
from hs_actions.portal.models import ObjectType, iso


class Schemas:
    def custom_schemas(self) -> list[dict]:
        return [self._schema(ot) for ot in self.types.values() if ot.custom]

    def custom_schema(self, name: str) -> dict:
        ot = self.object_type(name)
        if not ot.custom:
            raise exc.ObjectNotFound(exc.SCHEMA_NOT_FOUND.format(name=name))
        return self._schema(ot)

    def _schema(self, ot: ObjectType) -> dict:
        stamp = iso(0)
        associations = [{"id": str(kind.type_id), "name": kind.v3_name, "fromObjectTypeId": kind.from_type,
                         "toObjectTypeId": kind.to_type, "createdAt": stamp, "updatedAt": stamp}
                        for kind in self.assoc_types.values() if kind.from_type == ot.type_id]
        return {"id": ot.type_id.split("-", 1)[1], "objectTypeId": ot.type_id, "name": ot.name,
                "fullyQualifiedName": f"p{self.portal_id}_{ot.name}", "labels": ot.labels,
                "primaryDisplayProperty": ot.primary_display_property, "requiredProperties": [],
                "searchableProperties": ot.searchable_properties, "secondaryDisplayProperties": [],
                "properties": [p.to_dict() for p in self.defs[ot.type_id].values() if not p.hubspot_defined],
                "associations": associations, "archived": False, "createdAt": stamp, "updatedAt": stamp}
