"""Pipelines v3: deal and ticket pipelines with their stages; stage properties follow them."""
import json

import pytest
from hubspot.crm.pipelines.exceptions import NotFoundException


def test_deal_pipeline_and_stages(hubspot_client, empty_portal):
    pipelines = hubspot_client.crm.pipelines.pipelines_api.get_all("deals").results
    assert [(p.id, p.label) for p in pipelines] == [("default", "Sales Pipeline")]
    stages = pipelines[0].stages
    assert [s.id for s in stages][:2] == ["appointmentscheduled", "qualifiedtobuy"]
    closed = hubspot_client.crm.pipelines.pipeline_stages_api.get_by_id("deals", "default", "closedwon")
    assert closed.metadata == {"isClosed": "true", "probability": "1.0"}
    assert closed.display_order == 5


def test_ticket_pipeline_stages(hubspot_client, empty_portal):
    stages = hubspot_client.crm.pipelines.pipeline_stages_api.get_all("tickets", "0").results
    assert [(s.id, s.metadata["ticketState"]) for s in stages] == [("1", "OPEN"), ("2", "OPEN"), ("3", "OPEN"),
                                                                    ("4", "CLOSED")]


def test_unknown_pipeline_and_stage_are_404s(hubspot_client, empty_portal):
    with pytest.raises(NotFoundException) as raised:
        hubspot_client.crm.pipelines.pipelines_api.get_by_id("deals", "enterprise")
    assert json.loads(raised.value.body)["message"] == "Unable to find pipeline enterprise for object type deals"
    with pytest.raises(NotFoundException) as raised:
        hubspot_client.crm.pipelines.pipeline_stages_api.get_by_id("deals", "default", "lost-in-space")
    assert json.loads(raised.value.body)["message"] == "Unable to find stage lost-in-space in pipeline default"


def test_seeded_pipelines_become_valid_stage_values(portal_api, empty_portal):
    empty_portal.seed({"pipelines": {"deals": [{"id": "renewals", "label": "Renewals", "stages": [
        {"id": "due", "label": "Renewal due", "metadata": {"isClosed": "false", "probability": "0.5"}},
        {"id": "renewed", "label": "Renewed", "metadata": {"isClosed": "true", "probability": "1.0"}}]}]}})
    assert [p["id"] for p in portal_api.get("/crm/v3/pipelines/deals").json()["results"]] == ["default", "renewals"]
    created = portal_api.post("/crm/v3/objects/deals", json={"properties": {"dealname": "R", "pipeline": "renewals",
                                                                     "dealstage": "due"}})
    assert created.status_code == 201
    refused = portal_api.post("/crm/v3/objects/deals", json={"properties": {"dealstage": "nowhere"}})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["code"] == "INVALID_OPTION"
    options = [o["value"] for o in portal_api.get("/crm/v3/properties/deals/dealstage").json()["options"]]
    assert options[-2:] == ["due", "renewed"]
