"""Every call hubspot-api-client 8.2.1 (HubSpot's runtime) can make is served, named as not
modelled, or named as an API HubSpot has since sunset; never answered as a path HubSpot has no
API at: a run's report would otherwise blame the user's code for the portal's gap. The calls are the client's own path table
(hs_actions/check/data/client_surface.json `operations`, generated from the package)."""
import json
import re

import pytest

from hs_actions.check.client import surface

OPERATIONS = surface()["operations"]
# Parameter values that make a path concrete; object types need a type's name.
VALUES = {"objectType": "contacts", "toObjectType": "companies", "fromObjectType": "contacts", "objectTypeId": "0-1"}


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: VALUES.get(m.group(1), "1"), path)


def test_the_table_is_the_runtime_clients():
    assert surface()["version"] == "8.2.1" and len(OPERATIONS) > 500


@pytest.mark.parametrize("operation", OPERATIONS)
def test_each_call_is_served_or_not_modelled(portal_api, operation):
    method, path = operation.split(" ", 1)
    response = portal_api.request(method, concrete(path), json={} if method in ("POST", "PUT", "PATCH") else None)
    assert response.status_code < 500, response.text
    if response.status_code == 404 and response.content:
        message = json.loads(response.content)["message"]
        assert not message.startswith("Unrecognized request URL") or " HubSpot sunset " in message, message
