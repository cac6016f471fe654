import os

from hubspot import HubSpot
from hubspot.crm.contacts import ApiException


def main(event):
    # Secrets are exposed to the code as environment variables.
    hubspot = HubSpot(access_token=os.getenv("TEST_SECRET"))
    contact_id = event["object"]["objectId"]
    try:
        contact = hubspot.crm.contacts.basic_api.get_by_id(contact_id, properties=["email"])
        hubspot.crm.contacts.basic_api.archive(contact_id)
    except ApiException as e:
        print(e)
        # Re-raised: on a rate limit (429) or server error (5xx) HubSpot retries the action.
        raise
    print(f"archived contact {contact_id} ({contact.properties.get('email')})")
    return {"outputFields": {"archived_email": contact.properties.get("email") or ""}}
