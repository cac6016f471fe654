"""The catalogue against the default properties real HubSpot accounts return (data/default_properties.json).

The list is read from real accounts (Airbyte's HubSpot connector's stream schemas), so a name in it
that the catalogue lacks is a gap: the test fails. The other way round is not checked: one account's
read is not every default HubSpot has, and the catalogue has rows from HubSpot's guides the list lacks.
"""
import json
from pathlib import Path

import pytest

REFERENCE = json.loads((Path(__file__).parent / "data" / "default_properties.json").read_text())
# Airbyte's JSON types against the catalogue's HubSpot types; a string may be any HubSpot type.
MATCHING = {"boolean": {"bool"}, "number": {"number"}, "integer": {"number"}, "date-time": {"datetime", "date"}}


def served(portal_api, object_type):
    response = portal_api.get(f"/crm/v3/properties/{object_type}")
    assert response.status_code == 200
    return {p["name"]: p for p in response.json()["results"]}


@pytest.mark.parametrize("object_type", sorted(REFERENCE["types"]))
def test_every_default_property_a_real_account_returns_is_in_the_catalogue(portal_api, object_type):
    listed = REFERENCE["types"][object_type]
    missing = sorted(set(listed["properties"]) - set(served(portal_api, object_type)))
    assert missing == [], f"{object_type} lacks {missing} ({listed['source']})"


@pytest.mark.parametrize("object_type", sorted(REFERENCE["types"]))
def test_the_catalogues_types_agree_with_the_json_types(portal_api, object_type):
    catalogue = served(portal_api, object_type)
    wrong = {}
    for name, json_type in REFERENCE["types"][object_type]["properties"].items():
        expected = MATCHING.get(json_type.split("/")[-1]) or MATCHING.get(json_type.split("/")[0])
        if name in catalogue and expected and catalogue[name]["type"] not in expected:
            wrong[name] = (json_type, catalogue[name]["type"])
    assert wrong == {}


def test_the_reference_names_its_source_for_every_type():
    assert "Airbyte" in REFERENCE["source"]
    assert all(spec["source"] and spec["properties"] for spec in REFERENCE["types"].values())
