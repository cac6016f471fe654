"""Pipelines v3 writes: pipelines and stages created, updated, replaced and archived for deals,
tickets and custom objects; a custom object has hs_pipeline and hs_pipeline_stage once it has a
pipeline, and a record's stage must then be one of its stages."""
import pytest
from hubspot.crm.pipelines import PipelineInput, PipelinePatchInput, PipelineStageInput, PipelineStagePatchInput

PETS = {"name": "pets", "objectTypeId": "2-1", "primaryDisplayProperty": "pet_name",
        "properties": [{"name": "pet_name", "type": "string", "fieldType": "text"}]}


@pytest.fixture
def pets(empty_portal):
    empty_portal.seed({"schemas": [PETS]})


def test_a_custom_object_gets_a_pipeline_and_its_records_a_stage(hubspot_client, portal_api, pets):
    """The upsert a real action made: hs_pipeline on a custom object, refused until it has one."""
    refused = portal_api.post("/crm/v3/objects/2-1", json={"properties": {"pet_name": "Rex", "hs_pipeline": "1"}})
    assert (refused.status_code, refused.json()["category"]) == (400, "VALIDATION_ERROR")
    assert refused.json()["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"
    pipeline = hubspot_client.crm.pipelines.pipelines_api.create("2-1", PipelineInput(
        label="Adoption", display_order=0, stages=[PipelineStageInput(label="Arrived", display_order=0, metadata={}),
                                                   PipelineStageInput(label="Adopted", display_order=1, metadata={})]))
    assert (pipeline.id, [s.id for s in pipeline.stages], [s.label for s in pipeline.stages]) == (
        "1", ["2", "3"], ["Arrived", "Adopted"])
    created = portal_api.post("/crm/v3/objects/p_pets", json={"properties": {
        "pet_name": "Rex", "hs_pipeline": "1", "hs_pipeline_stage": "3"}})
    assert created.status_code == 201, created.text
    wrong = portal_api.post("/crm/v3/objects/p_pets", json={"properties": {"hs_pipeline_stage": "99"}})
    assert wrong.json()["errors"][0]["code"] == "INVALID_OPTION"
    options = portal_api.get("/crm/v3/properties/2-1/hs_pipeline_stage").json()["options"]
    assert [(o["label"], o["value"]) for o in options] == [("Arrived", "2"), ("Adopted", "3")]


def test_a_seeded_pipeline_of_a_custom_object_makes_the_properties(portal_api, empty_portal):
    empty_portal.seed({"schemas": [PETS], "pipelines": {"p_pets": [{"id": "adopt", "label": "Adopt", "stages": [
        {"id": "in", "label": "In"}]}]},
        "records": {"p_pets": [{"id": "5", "properties": {"hs_pipeline": "adopt", "hs_pipeline_stage": "in"}}]}})
    got = portal_api.get("/crm/v3/objects/2-1/5?properties=hs_pipeline_stage").json()
    assert got["properties"]["hs_pipeline_stage"] == "in"


def test_stages_are_added_updated_replaced_and_archived(hubspot_client, portal_api, pets):
    api = hubspot_client.crm.pipelines
    pipeline = api.pipelines_api.create("2-1", PipelineInput(label="P", display_order=0, stages=[]))
    stage = api.pipeline_stages_api.create("2-1", pipeline.id, PipelineStageInput(label="One", display_order=0,
                                                                                   metadata={"colour": "red"}))
    patched = api.pipeline_stages_api.update("2-1", pipeline.id, stage.id, PipelineStagePatchInput(label="First"))
    assert (patched.label, patched.metadata) == ("First", {"colour": "red"})
    replaced = api.pipeline_stages_api.replace("2-1", pipeline.id, stage.id, PipelineStageInput(
        label="Only", display_order=3, metadata={}))
    assert (replaced.label, replaced.display_order, replaced.metadata) == ("Only", 3, {})
    api.pipeline_stages_api.archive("2-1", pipeline.id, stage.id)
    assert api.pipeline_stages_api.get_all("2-1", pipeline.id).results == []
    renamed = api.pipelines_api.update("2-1", pipeline.id, PipelinePatchInput(label="Renamed"))
    assert renamed.label == "Renamed"
    api.pipelines_api.archive("2-1", pipeline.id)
    assert api.pipelines_api.get_all("2-1").results == []
    assert portal_api.get("/crm/v3/properties/2-1/hs_pipeline").status_code == 404


def test_deal_and_ticket_stages_need_their_metadata(portal_api, empty_portal):
    deal = portal_api.post("/crm/v3/pipelines/deals", json={"label": "New", "stages": [{"label": "Open"}]})
    assert (deal.status_code, deal.json()["message"]) == (
        400, "A stage of this pipeline needs metadata.probability, a number from 0.0 to 1.0; None was given.")
    ticket = portal_api.post("/crm/v3/pipelines/tickets/0/stages", json={"label": "Waiting",
                                                                          "metadata": {"ticketState": "PAUSED"}})
    assert ticket.json()["message"] == (
        "A stage of this pipeline needs metadata.ticketState, OPEN or CLOSED; PAUSED was given.")
    added = portal_api.post("/crm/v3/pipelines/deals", json={"label": "Renewals", "stages": [
        {"label": "Due", "metadata": {"probability": "0.25"}}]}).json()
    created = portal_api.post("/crm/v3/objects/deals", json={"properties": {
        "dealname": "R", "pipeline": added["id"], "dealstage": added["stages"][0]["id"]}})
    assert created.status_code == 201, created.text


def test_an_archived_default_pipeline_is_gone(portal_api, empty_portal):
    assert portal_api.delete("/crm/v3/pipelines/tickets/0").status_code == 204
    assert portal_api.get("/crm/v3/pipelines/tickets").json()["results"] == []
    assert portal_api.get("/crm/v3/pipelines/tickets/0").status_code == 404
