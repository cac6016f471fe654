import os
import time

from hubspot import HubSpot
from hubspot.crm.contacts import ApiException as ContactsApiException, SimplePublicObjectInput
from hubspot.crm.objects.notes import ApiException as NotesApiException, SimplePublicObjectInputForCreate

NOTE_TO_CONTACT = 202  # HubSpot-defined association type: note -> contact


def main(event):
    # NOT retry safe, kept as the example `hs-actions simulate --retry-check` catches: when the
    # update (the second call) is rate limited, the note already exists, and HubSpot's retry
    # runs main again from the top, so the contact gets a second note.
    hubspot = HubSpot(access_token=os.getenv("HUBSPOT_TOKEN"))
    contact_id = str(event["object"]["objectId"])
    try:
        note = hubspot.crm.objects.notes.basic_api.create(SimplePublicObjectInputForCreate(
            properties={"hs_note_body": "Enrolled in the onboarding workflow.",
                        "hs_timestamp": str(int(time.time() * 1000))},
            associations=[{"to": {"id": contact_id},
                           "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": NOTE_TO_CONTACT}]}],
        ))
        hubspot.crm.contacts.basic_api.update(contact_id, SimplePublicObjectInput(properties={"hs_lead_status": "IN_PROGRESS"}))
    except (NotesApiException, ContactsApiException) as e:
        print(f"HubSpot API error {e.status}")
        # Re-raised: on a rate limit (429) or server error (5xx) HubSpot retries the action.
        raise
    return {"outputFields": {"note_id": note.id}}
