import os
import time

from hubspot import HubSpot
from hubspot.crm.objects.tasks import ApiException, SimplePublicObjectInputForCreate

TASK_TO_CONTACT = 204  # HubSpot-defined association type: task -> contact
DAYS_UNTIL_DUE = 3


def main(event):
    hubspot = HubSpot(access_token=os.getenv("TASKS_TOKEN"))
    contact_id = str(event["object"]["objectId"])
    name = event["inputFields"].get("firstname") or "this contact"
    owner = event["inputFields"].get("hubspot_owner_id")
    due = int((time.time() + DAYS_UNTIL_DUE * 86400) * 1000)  # hs_timestamp is the due date, in ms
    properties = {
        "hs_timestamp": str(due),
        "hs_task_subject": f"Follow up with {name}",
        "hs_task_body": "Created by a workflow: check in within three days.",
        "hs_task_status": "NOT_STARTED",
        "hs_task_priority": "MEDIUM",
        "hs_task_type": "CALL",
    }
    if owner:
        properties["hubspot_owner_id"] = owner
    try:
        task = hubspot.crm.objects.tasks.basic_api.create(SimplePublicObjectInputForCreate(
            properties=properties,
            associations=[{"to": {"id": contact_id},
                           "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": TASK_TO_CONTACT}]}],
        ))
    except ApiException as e:
        print(f"HubSpot API error {e.status}: {e.body}")
        # Re-raised: on a rate limit (429) or server error (5xx) HubSpot retries the action.
        raise
    print(f"created task {task.id} for contact {contact_id}, due in {DAYS_UNTIL_DUE} days")
    return {"outputFields": {"task_id": task.id}}
