import os

from hubspot import HubSpot
from hubspot.crm.deals import ApiException, BatchInputSimplePublicObjectBatchInput


def main(event):
    company_id = str(event["object"]["objectId"])
    industry = event["inputFields"].get("industry")
    if not industry:
        print(f"company {company_id} has no industry; nothing to copy")
        return {"outputFields": {"deals_updated": 0}}

    client = HubSpot(access_token=os.getenv("HUBSPOT_TOKEN"))
    try:
        deal_ids = []
        after = None
        while True:
            page = client.crm.associations.v4.basic_api.get_page(
                object_type="companies", object_id=company_id, to_object_type="deals", limit=500, after=after)
            deal_ids += [str(a.to_object_id) for a in page.results]
            if not page.paging or not page.paging.next:
                break
            after = page.paging.next.after
        for start in range(0, len(deal_ids), 100):  # batch endpoints take 100 inputs at most
            client.crm.deals.batch_api.update(BatchInputSimplePublicObjectBatchInput(inputs=[
                {"id": deal_id, "properties": {"description": f"Industry: {industry}"}}
                for deal_id in deal_ids[start:start + 100]
            ]))
    except ApiException as e:
        print(f"HubSpot API error {e.status}")
        raise
    print(f"copied industry {industry!r} to {len(deal_ids)} deal(s) of company {company_id}")
    return {"outputFields": {"deals_updated": len(deal_ids)}}
