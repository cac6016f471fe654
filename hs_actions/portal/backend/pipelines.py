"""Pipelines and their stages of deals, tickets and custom objects: the CRM pipelines API.

The default pipelines are data (data/pipelines.json); seeds (`pipelines`) and the API's writes
add others, kept in the `pipelines` table. All join the registry (store.py), where a pipeline's
stages are the options of `dealstage` and `hs_pipeline_stage`; a custom object has
`hs_pipeline` and `hs_pipeline_stage` once it has a pipeline, as in HubSpot. An archived
pipeline is kept in the table as a tombstone, so that it hides a default pipeline too.
Ignores: HubSpot's refusal to archive a pipeline that records are in, and its audit routes.
"""
from __future__ import annotations

import json

from hs_actions.portal import exceptions as exc
from hs_actions.portal.backend.family import Family
from hs_actions.portal.models import now_ms




def _probability(value) -> bool:
    try:
        return 0.0 <= float(value) <= 1.0
    except (TypeError, ValueError):
        return False


# The metadata key a stage of deals (0-3) or tickets (0-5) must have: (key, what it takes, test).
STAGE_METADATA = {"0-3": ("probability", "a number from 0.0 to 1.0", _probability),
                  "0-5": ("ticketState", "OPEN or CLOSED", lambda value: value in ("OPEN", "CLOSED"))}


class Pipelines(Family):
    """Pipelines of an object type and their stages: read, created, updated, archived."""

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

    # ---- writes (POST, PATCH, PUT, DELETE of pipelines and stages) -------------------------

    def create_pipeline(self, object_type: str, body: dict) -> dict:
        """A new pipeline {label, displayOrder?, stages: [{label, displayOrder?, metadata?}]}, with
        new ids for it and its stages; the stages become options of the stage property at once."""
        ot = self.backend.object_type(object_type)
        pipeline = {"id": self._next_id(ot.type_id), "label": body["label"], "stages": []}
        self._replace_stages(ot.type_id, pipeline, body)
        return self._store(ot.type_id, pipeline, body)

    def update_pipeline(self, object_type: str, pipeline_id: str, body: dict, replace: bool) -> dict | None:
        """PATCH (label, displayOrder, archived) or PUT (the whole pipeline, stages too); None once archived."""
        ot = self.backend.object_type(object_type)
        pipeline = dict(self.pipeline(object_type, pipeline_id))
        if replace:
            self._replace_stages(ot.type_id, pipeline, body)
        pipeline["label"] = body.get("label", pipeline["label"])
        if body.get("archived"):
            return self.archive_pipeline(object_type, pipeline_id)
        return self._store(ot.type_id, pipeline, body)

    def archive_pipeline(self, object_type: str, pipeline_id: str) -> None:
        ot = self.backend.object_type(object_type)
        self.pipeline(object_type, pipeline_id)
        self._store(ot.type_id, {"id": pipeline_id, "archived": True}, {})

    def create_stage(self, object_type: str, pipeline_id: str, body: dict) -> dict:
        ot = self.backend.object_type(object_type)
        pipeline = dict(self.pipeline(object_type, pipeline_id))
        stage = self._new_stage(ot.type_id, body, len(pipeline["stages"]), self._next_id(ot.type_id))
        pipeline["stages"] = [*pipeline["stages"], stage]
        self._store(ot.type_id, pipeline, {})
        return stage

    def update_stage(self, object_type: str, pipeline_id: str, stage_id: str, body: dict, replace: bool) -> dict | None:
        """PATCH or PUT of one stage; None once archived (`archived: true` in a PATCH)."""
        ot = self.backend.object_type(object_type)
        pipeline = dict(self.pipeline(object_type, pipeline_id))
        old = self.stage(object_type, pipeline_id, stage_id)
        if body.get("archived"):
            return self.archive_stage(object_type, pipeline_id, stage_id)
        spec = {**({} if replace else old), **{k: body[k] for k in ("label", "displayOrder", "metadata") if k in body}}
        new = self._new_stage(ot.type_id, spec, pipeline["stages"].index(old), stage_id)
        pipeline["stages"] = [new if s is old else s for s in pipeline["stages"]]
        self._store(ot.type_id, pipeline, {})
        return new

    def archive_stage(self, object_type: str, pipeline_id: str, stage_id: str) -> None:
        ot = self.backend.object_type(object_type)
        pipeline = dict(self.pipeline(object_type, pipeline_id))
        old = self.stage(object_type, pipeline_id, stage_id)
        pipeline["stages"] = [s for s in pipeline["stages"] if s is not old]
        self._store(ot.type_id, pipeline, {})

    def _replace_stages(self, otype: str, pipeline: dict, body: dict) -> None:
        stages = []
        for index, spec in enumerate(body.get("stages") or []):
            stages.append(self._new_stage(otype, spec, index, self._next_id(otype, index + 1)))
        pipeline["stages"] = stages

    def _new_stage(self, otype: str, spec: dict, order: int, stage_id: str) -> dict:
        stage = {"id": stage_id, "label": spec.get("label", ""), "displayOrder": spec.get("displayOrder", order),
                 "metadata": dict(spec.get("metadata") or {})}
        self._check_stage(otype, stage)
        return stage

    def _check_stage(self, otype: str, stage: dict) -> None:
        # HubSpot's pipelines guide: a deal stage needs its probability (0.0 to 1.0), a ticket
        # stage its ticketState (OPEN or CLOSED); other types' stages take any metadata.
        rule = STAGE_METADATA.get(otype)
        if rule and not rule[2](stage["metadata"].get(rule[0])):
            raise exc.ValidationError(exc.PIPELINE_STAGE_METADATA.format(
                key=rule[0], value=stage["metadata"].get(rule[0]), allowed=rule[1]))

    def _next_id(self, otype: str, skip: int = 0) -> str:
        """A new numeric id, after every numeric pipeline and stage id of the type (HubSpot's are numbers)."""
        listed = self.backend.pipelines.get(otype, {}).values()
        ids = [int(x) for p in listed for x in (p["id"], *(s["id"] for s in p["stages"])) if str(x).isdigit()]
        return str(max(ids, default=0) + 1 + skip)

    def _store(self, otype: str, pipeline: dict, body: dict) -> dict:
        if "displayOrder" in body:
            pipeline["displayOrder"] = body["displayOrder"]
        pipeline["updatedAt"] = now_ms()
        pipeline.setdefault("createdAt", pipeline["updatedAt"])
        with self.backend.write():
            self.conn.execute("INSERT OR REPLACE INTO pipelines VALUES (?, ?, ?)", (otype, pipeline["id"], json.dumps(pipeline)))
        self.backend.load_registry()
        return None if pipeline.get("archived") else self.backend.pipelines[otype][pipeline["id"]]

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
