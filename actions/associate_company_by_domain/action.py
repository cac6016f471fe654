import os

from hubspot import HubSpot
from hubspot.crm.companies import ApiException, PublicObjectSearchRequest

FREE_MAIL = {"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "icloud.com"}


def main(event):
    email = (event["inputFields"].get("email") or "").strip().lower()
    domain = email.rpartition("@")[2]
    if not domain or domain in FREE_MAIL:
        print(f"no company domain in {email!r}")
        return {"outputFields": {"company_id": "", "matched": False}}

    client = HubSpot(access_token=os.getenv("HUBSPOT_TOKEN"))
    try:
        found = client.crm.companies.search_api.do_search(PublicObjectSearchRequest(
            filter_groups=[{"filters": [{"propertyName": "domain", "operator": "EQ", "value": domain}]}],
            properties=["name", "domain"],
            sorts=[{"propertyName": "createdate", "direction": "ASCENDING"}],
            limit=1,
        ))
        if not found.results:
            print(f"no company with domain {domain}")
            return {"outputFields": {"company_id": "", "matched": False}}
        company = found.results[0]
        client.crm.associations.v4.basic_api.create_default(
            from_object_type="contacts", from_object_id=str(event["object"]["objectId"]),
            to_object_type="companies", to_object_id=company.id,
        )
    except ApiException as e:
        print(f"HubSpot API error {e.status}: {e.body}")
        raise
    print(f"associated with {company.properties['name']} ({company.id}); {found.total} match(es)")
    return {"outputFields": {"company_id": company.id, "matched": True}}
