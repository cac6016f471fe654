"""Portal.seed from Python (a fixture, a test): a wrong shape or an undeclared property is a
SeedError naming the entry and what a seed expects there, and adds nothing."""
import json
import re
from pathlib import Path

import pytest

from hs_actions.core.errors import SeedError
from hs_actions.portal import commands
from hs_actions.portal.backend import SEED_KEYS


README = (Path(commands.__file__).parent / "README.md").read_text()
GOOD_RECORDS = {"contacts": [{"id": "1", "properties": {"email": "ada@example.com"}}],
                "companies": [{"id": "2", "properties": {"name": "Acme"}}]}


def refused(empty_portal, data) -> str:
    with pytest.raises(SeedError) as raised:
        empty_portal.seed(data)
    assert empty_portal.backend.counts() == {} and empty_portal.backend.tokens()[1:] == []   # nothing added
    return str(raised.value)


def test_associations_given_as_a_list_name_the_entry_and_the_shape(empty_portal):
    message = refused(empty_portal, {"records": GOOD_RECORDS, "associations": [["contacts/1", "companies/2"]]})
    assert message == (
        'not seeded, nothing was added: associations[0]: expected an object {"from": "contacts/1", '
        '"to": "companies/2", "types"?: [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}]}, '
        'found a list (["contacts/1", "companies/2"])')


def test_an_association_end_that_is_not_type_slash_id_is_named(empty_portal):
    message = refused(empty_portal, {"records": GOOD_RECORDS,
                               "associations": [{"from": ["contacts", 1], "to": "companies/2"}]})
    assert message == ('not seeded, nothing was added: associations[0].from: expected a string '
                       '"<object type>/<id>", e.g. "contacts/1", found a list (["contacts", 1])')


@pytest.mark.parametrize("data, where, expected", [
    ([{"records": {}}], "a seed is an object (dict) with the keys", None),
    ({"records": [{"properties": {"email": "a@example.com"}}]}, "records:", "an object of lists of records"),
    ({"records": {"contacts": {"id": "1"}}}, "records.contacts:", "a list of records"),
    ({"records": {"contacts": ["ada@example.com"]}}, "records.contacts[0]:", 'an object {"id"?'),
    ({"records": {"contacts": [{"id": "one"}]}}, "records.contacts[0].id:", "an id: a number, or a string of digits"),
    ({"records": {"contacts": [{"properties": [["email", "a@example.com"]]}]}}, "records.contacts[0].properties:",
     "an object of property values"),
    ({"records": {"contacts": [{"createdAt": "yesterday"}]}}, "records.contacts[0].createdAt:", "a datetime"),
    ({"owners": {"id": "1"}}, "owners:", "a list of owners"),
    ({"owners": [{"email": "o@example.com"}]}, "owners[0].id:", "an id"),
    ({"tokens": [{"token": "t", "scopes": "crm.objects.contacts.read"}]}, "tokens[0].scopes:", "a list of scope names"),
    ({"schemas": [{"name": "pets", "objectTypeId": "p_pets"}]}, "schemas[0].objectTypeId:", 'a custom object type id'),
    ({"properties": {"contacts": {"name": "shoe_size"}}}, "properties.contacts:", "a list of property definitions"),
    ({"properties": {"contacts": ["shoe_size"]}}, "properties.contacts[0]:", "a property definition"),
    ({"pipelines": {"deals": [{"id": "p", "label": "P", "stages": "won"}]}}, "pipelines.deals[0].stages:",
     "a list of stages"),
    ({"associations": [{"from": "contacts/1", "to": "companies/2", "types": [{"associationTypeId": "x"}]}]},
     "associations[0].types[0].associationTypeId:", "an association type id"),
])
def test_each_wrong_shape_is_a_seed_error_naming_the_entry(empty_portal, data, where, expected):
    message = refused(empty_portal, data)
    assert message.startswith(f"not seeded, nothing was added: {where}")
    if expected:
        assert f"expected {expected}" in message


def test_nothing_of_a_refused_seed_is_added_even_what_came_before_the_bad_entry(empty_portal):
    refused(empty_portal, {"schemas": [{"name": "pets", "objectTypeId": "2-5"}], "records": GOOD_RECORDS,
                     "tokens": [{"token": "pat-x", "scopes": ["crm.objects.contacts.read"]}],
                     "associations": [{"from": "contacts/1", "to": ["companies", "2"]}]})
    assert "2-5" not in empty_portal.backend.types and empty_portal.backend.token("pat-x") is None


def test_an_unknown_property_in_a_seed_keeps_hubspots_words_and_says_where_to_declare_it(empty_portal, portal_api):
    message = refused(empty_portal, {"records": {"contacts": [{"properties": {"email": "a@example.com"}},
                                                        {"properties": {"my_custom": "x"}}]}})
    assert message.startswith('not seeded, nothing was added: Property values were not valid: [{"isValid":false,'
                              '"message":"Property \\"my_custom\\" does not exist"')
    assert "(at records.contacts[1])" in message
    assert ('declared under the seed\'s "properties" key, e.g. {"properties": {"contacts": [{"name": "my_custom", '
            '"type": "string", "fieldType": "text"}]}} (a custom object and its properties under "schemas")') in message
    # the HTTP API answers as HubSpot does, with no hint
    response = portal_api.post("/crm/v3/objects/contacts", json={"properties": {"my_custom": "x"}})
    assert response.status_code == 400
    assert "seed" not in response.json()["message"]
    assert response.json()["errors"][0]["message"] == 'Property "my_custom" does not exist'


def test_an_undeclared_custom_object_in_a_seed_says_schemas_declare_it(empty_portal):
    message = refused(empty_portal, {"records": {"pets": [{"properties": {"pet_name": "Rex"}}]}})
    assert message.startswith("not seeded, nothing was added: Unable to infer object type from: pets "
                              "(at records.pets); a custom object type is declared under the seed's \"schemas\" key")


def test_the_declared_property_is_then_accepted(empty_portal):
    counts = empty_portal.seed({"properties": {"contacts": [{"name": "my_custom", "type": "string", "fieldType": "text"}]},
                          "records": {"contacts": [{"id": "5", "properties": {"my_custom": "x"}}]}})
    assert counts["records"] == 1 and empty_portal.record("contacts", 5)["properties"]["my_custom"] == "x"


def test_a_seed_file_of_the_wrong_shape_names_the_file_and_the_entry(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"associations": [["contacts/1", "companies/2"]]}))
    with pytest.raises(SeedError) as raised:
        commands.seed(tmp_path / "portal.sqlite3", seed)
    assert str(raised.value).startswith(f"{seed}: not seeded, nothing was added: associations[0]: expected an object")


def test_the_readme_documents_every_seed_key_and_its_example_seeds(empty_portal):
    section = README.split("## Seeding", 1)[1].split("\n## ", 1)[0]
    for key in SEED_KEYS:
        assert f"| `{key}` |" in section, key
    example = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
    counts = empty_portal.seed(example)
    assert {k for k, n in counts.items() if n} == set(SEED_KEYS) - {"comment"}
    assert empty_portal.record("p_pets", 3)["properties"]["pet_name"] == "Rex"


def test_custom_objects_may_name_each_other_in_one_seed_in_any_order(empty_portal, portal_api):
    """Two custom objects of one seed, each naming the other in associatedObjects (the first one
    naming a type declared after it): one pair of association types links them."""
    empty_portal.seed({
        "schemas": [{"name": "projects", "objectTypeId": "2-10", "associatedObjects": ["p_sites", "CONTACT"]},
                    {"name": "sites", "objectTypeId": "2-11", "associatedObjects": ["projects"]}],
        "records": {"p_projects": [{"id": "1", "properties": {}}], "p_sites": [{"id": "2", "properties": {}}]},
        "associations": [{"from": "p_projects/1", "to": "p_sites/2"}]})
    listed = portal_api.get("/crm/v4/objects/p_sites/2/associations/p_projects").json()["results"]
    assert [r["toObjectId"] for r in listed] == [1]
    assert len(empty_portal.backend.association_types("p_projects", "p_sites")) == 1
    assert len(empty_portal.backend.association_types("p_sites", "p_projects")) == 1
