import os

from hubspot import HubSpot
from hubspot.crm.contacts import ApiException, SimplePublicObjectInput


def main(event):
    client = HubSpot(access_token=os.getenv("HUBSPOT_TOKEN"))
    team_domain = event["inputFields"].get("team_domain") or ""
    contact_id = event["object"]["objectId"]
    try:
        owners = [o for o in client.crm.owners.owners_api.get_page(limit=100, archived=False).results
                  if not team_domain or (o.email or "").endswith("@" + team_domain)]
        if not owners:
            raise RuntimeError(f"no active owners to rotate through (team domain {team_domain!r})")
        # Stateless rotation: module state may not survive between executions in HubSpot,
        # so the enrolled record's id picks the owner.
        owners.sort(key=lambda o: int(o.id))
        owner = owners[int(contact_id) % len(owners)]
        client.crm.contacts.basic_api.update(
            contact_id, SimplePublicObjectInput(properties={"hubspot_owner_id": owner.id})
        )
    except ApiException as e:
        print(f"HubSpot API error {e.status}")
        raise
    print(f"contact {contact_id} -> owner {owner.id} ({owner.email}), 1 of {len(owners)}")
    return {"outputFields": {"owner_id": owner.id, "owner_email": owner.email}}
