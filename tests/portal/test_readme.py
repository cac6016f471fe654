"""The portal's README names what it serves: every route family in urls.py is listed there."""
import re
from pathlib import Path

from hs_actions.portal import urls

README = (Path(urls.__file__).parent / "README.md").read_text()
FAMILIES = {  # a route prefix -> the words the README uses for it
    "/crm/v3/objects/{object_type}/{object_id}/associations": "v3",
    "/crm/v3/associations": "v3",
    "/crm/v3/objects": "Objects v3",
    "/crm/v3/properties": "Properties v3",
    "/crm/v4": "Associations v4",
    "/crm/v3/pipelines": "Pipelines v3",
    "/crm/v3/owners": "Owners v3",
    "/automation/v4/actions/callbacks": "/automation/v4/actions/callbacks/complete",
    "/cms/v3/hubdb": "HubDB v3",
    "/crm/v3/lists": "Lists v3",
    "/marketing/v3/forms": "Forms, read only",
    "/forms/v2/forms": "forms v2",
    "/crm/v3/schemas": "Custom object schemas, read only",
    "/automation/v4/flows": "Automation v4 flows",
}


def test_every_route_belongs_to_a_family_the_readme_lists():
    for route in urls.TABLE:
        family = next((f for f in FAMILIES if route.template.startswith(f)), None)
        assert family is not None, f"{route.method} {route.template} belongs to no family of the README"
        assert FAMILIES[family] in README


def test_the_readme_names_each_module_of_the_package():
    modules = {p.name for p in Path(urls.__file__).parent.glob("*.py")} - {"__init__.py"}
    listed = set(re.findall(r"`(\w+\.py)`", README))
    assert modules <= listed
