import os
from decimal import Decimal

from hubspot import HubSpot
from hubspot.crm.associations.v4 import ApiException as AssociationsApiException
from hubspot.crm.line_items import ApiException as LineItemsApiException
from hubspot.crm.line_items import BatchReadInputSimplePublicObjectId


def main(event):
    hubspot = HubSpot(access_token=os.getenv("DEALS_TOKEN"))
    deal_id = str(event["object"]["objectId"])
    try:
        line_item_ids, after = [], None
        while True:
            page = hubspot.crm.associations.v4.basic_api.get_page(
                object_type="deals", object_id=deal_id, to_object_type="line_items", limit=500, after=after)
            line_item_ids += [str(a.to_object_id) for a in page.results]
            if not page.paging or not page.paging.next:
                break
            after = page.paging.next.after
        total = Decimal(0)
        for start in range(0, len(line_item_ids), 100):  # batch read takes 100 ids at most
            batch = hubspot.crm.line_items.batch_api.read(BatchReadInputSimplePublicObjectId(
                inputs=[{"id": i} for i in line_item_ids[start:start + 100]],
                properties=["amount"], properties_with_history=[]))
            total += sum(Decimal(item.properties.get("amount") or 0) for item in batch.results)
    except (AssociationsApiException, LineItemsApiException) as e:
        print(f"HubSpot API error {e.status}: {e.body}")
        # Re-raised: on a rate limit (429) or server error (5xx) HubSpot retries the action.
        raise
    print(f"deal {deal_id}: {len(line_item_ids)} line item(s), total {total}")
    return {"outputFields": {"line_item_total": float(total), "line_item_count": len(line_item_ids)}}
