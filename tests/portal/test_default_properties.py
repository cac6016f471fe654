"""The catalogue against the default properties HubSpot accounts return (data/default_properties.json).

The lists are read from real accounts (Airbyte's HubSpot connector's stream schemas) or from
HubSpot's own guides, so a name in them that the catalogue lacks is a gap: the test fails. The
other way round is not checked: one account's read is not every default HubSpot has, and the
catalogue has rows from HubSpot's guides the lists lack.
"""
import json
from pathlib import Path

import pytest

REFERENCE = json.loads((Path(__file__).parent / "data" / "default_properties.json").read_text())
LISTS = REFERENCE["lists"]
IDS = [f"{entry['objectType']}-{i}" for i, entry in enumerate(LISTS)]
# The lists' JSON types against the catalogue's HubSpot types; a string may be any HubSpot type.
MATCHING = {"boolean": {"bool"}, "number": {"number"}, "integer": {"number"}, "date-time": {"datetime", "date"}}


def served(portal_api, object_type):
    response = portal_api.get(f"/crm/v3/properties/{object_type}")
    assert response.status_code == 200
    return {p["name"]: p for p in response.json()["results"]}


@pytest.mark.parametrize("listed", LISTS, ids=IDS)
def test_every_listed_default_property_is_in_the_catalogue(portal_api, listed):
    missing = sorted(set(listed["properties"]) - set(served(portal_api, listed["objectType"])))
    assert missing == [], f"{listed['objectType']} lacks {missing} ({listed['source']})"


@pytest.mark.parametrize("listed", LISTS, ids=IDS)
def test_the_catalogues_types_agree_with_the_listed_types(portal_api, listed):
    catalogue = served(portal_api, listed["objectType"])
    wrong = {}
    for name, json_type in listed["properties"].items():
        expected = MATCHING.get(json_type.split("/")[-1]) or MATCHING.get(json_type.split("/")[0])
        if name in catalogue and expected and catalogue[name]["type"] not in expected:
            wrong[name] = (json_type, catalogue[name]["type"])
    assert wrong == {}


def test_every_list_names_its_source():
    assert "Airbyte" in REFERENCE["source"] and "guides" in REFERENCE["source"]
    assert all(entry["source"] and entry["properties"] for entry in LISTS)
