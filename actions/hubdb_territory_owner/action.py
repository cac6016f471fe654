import os

from hubspot import HubSpot
from hubspot.cms.hubdb import ApiException as HubDbApiException
from hubspot.crm.contacts import ApiException, SimplePublicObjectInput

# A HubDB table with one row per territory: country, state (empty for the whole country),
# owner_id (a HubSpot owner id) and the row's name.
TABLE = "territories"


def main(event):
    client = HubSpot(access_token=os.getenv("HUBDB_ROUTING_TOKEN"))
    country = (event["inputFields"].get("country") or "").strip()
    state = (event["inputFields"].get("state") or "").strip()
    contact_id = str(event["object"]["objectId"])
    try:
        rows = client.cms.hubdb.rows_api.get_table_rows(TABLE, sort=["country", "state"], limit=1000).results
    except HubDbApiException as e:
        print(f"HubDB error {e.status} reading table {TABLE}")
        # Re-raised: on a rate limit (429) or server error (5xx) HubSpot retries the action.
        raise
    territories = [r for r in rows if (r.values.get("country") or "") == country
                   and (r.values.get("state") or "") in (state, "")]
    if not territories:
        print(f"no territory for {country!r} / {state!r}: owner unchanged")
        return {"outputFields": {"owner_id": "", "territory": ""}}
    # A state's own row wins over its country's catch-all row.
    territory = max(territories, key=lambda r: bool(r.values.get("state")))
    owner_id = str(territory.values["owner_id"])
    try:
        client.crm.contacts.basic_api.update(
            contact_id, SimplePublicObjectInput(properties={"hubspot_owner_id": owner_id}))
    except ApiException as e:
        print(f"HubSpot API error {e.status} updating contact {contact_id}")
        raise
    print(f"contact {contact_id} ({country} / {state or '-'}) -> owner {owner_id} ({territory.name})")
    return {"outputFields": {"owner_id": owner_id, "territory": territory.name or ""}}
