"""Deal and ticket pipelines and their stages, as the CRM pipelines API reads them.

The default pipelines are data (data/pipelines.json); seeds add others (`pipelines`). Both
join the registry (store.py), where a pipeline's stages are the options of `dealstage` and
`hs_pipeline_stage`. Ignores: pipeline writes, which the portal does not model.
"""
from __future__ import annotations

import json

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family


class Pipelines(Family):
    """GET /crm/v3/pipelines/{objectType}, a pipeline, its stages."""

    name = "pipelines"
    REGISTRY_TABLES = ("pipelines",)
    TABLES = {"pipelines": "CREATE TABLE IF NOT EXISTS pipelines (otype TEXT, id TEXT, body TEXT, "
                           "PRIMARY KEY (otype, id));"}
    SEED_KEY = "pipelines"
    SEED_SHAPES = {
        "pipelines": ('an object of lists of pipelines by object type, e.g. {"deals": [{"id": "renewals", '
                      '"label": "Renewals", "stages": [{"id": "won", "label": "Won", '
                      '"metadata": {"isClosed": "true"}}]}]}'),
        "pipeline": 'an object {"id": "renewals", "label": "Renewals", "stages": [{"id": "won", "label": "Won"}]}',
        "stage": 'an object {"id": "won", "label": "Won", "metadata"?: {...}}',
        "stages": 'a list of stages, e.g. [{"id": "won", "label": "Won", "metadata": {"isClosed": "true"}}]',
    }
    # The types, properties and stages (options of the stage properties) seeded so far join the
    # registry here, before labels and records are checked against them.
    SEED_RELOADS_REGISTRY = True

    def pipeline_list(self, object_type: str) -> list[dict]:
        return list(self.backend.pipelines.get(self.backend.object_type(object_type).type_id, {}).values())

    def pipeline(self, object_type: str, pipeline_id: str) -> dict:
        ot = self.backend.object_type(object_type)
        found = self.backend.pipelines.get(ot.type_id, {}).get(pipeline_id)
        if found is None:
            raise exc.ObjectNotFound(exc.PIPELINE_NOT_FOUND.format(id=pipeline_id, object_type=ot.name))
        return found

    def stage(self, object_type: str, pipeline_id: str, stage_id: str) -> dict:
        for stage in self.pipeline(object_type, pipeline_id)["stages"]:
            if stage["id"] == stage_id:
                return stage
        raise exc.ObjectNotFound(exc.STAGE_NOT_FOUND.format(id=stage_id, pipeline=pipeline_id))

    @classmethod
    def check_seed(cls, check, data: dict) -> None:
        for object_type, listed in check.need(data.get("pipelines", {}), dict, "pipelines", "pipelines").items():
            for i, pipeline in enumerate(check.need(listed, list, f"pipelines.{object_type}", "pipelines")):
                where = f"pipelines.{object_type}[{i}]"
                check.need(pipeline, dict, where, "pipeline")
                check.text(pipeline, "id", where, "pipeline")
                check.text(pipeline, "label", where, "pipeline")
                for j, stage in enumerate(check.need(pipeline.get("stages"), list, f"{where}.stages", "stages")):
                    check.need(stage, dict, f"{where}.stages[{j}]", "stage")
                    check.text(stage, "id", f"{where}.stages[{j}]", "stage")
                    check.text(stage, "label", f"{where}.stages[{j}]", "stage")

    def seed_step(self, db, data: dict, stamp: int) -> int:
        count = 0
        for object_type, listed in data.get("pipelines", {}).items():
            self.backend.seeding = (f"pipelines.{object_type}", object_type)
            ot = self.backend.object_type(object_type)
            for pipeline in listed:
                db.execute("INSERT OR REPLACE INTO pipelines VALUES (?, ?, ?)",
                           (ot.type_id, pipeline["id"], json.dumps(pipeline)))
                count += 1
        return count
