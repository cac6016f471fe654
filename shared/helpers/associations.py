"""A record's associations through the v4 associations API, with hubspot-api-client 8.x (and later)."""
from shared.helpers.properties import api_object_type

# The v4 API returns at most 500 associations per page.
_ASSOCIATIONS_PAGE = 500


def associated_ids(client, from_type, from_id, to_type):
    """Ids (int) of every `to_type` record associated with one record, all pages read.

    Object types are event names ("CONTACT") or API names ("contacts", "2-123").
    """
    ids = []
    after = None
    while True:
        options = {"limit": _ASSOCIATIONS_PAGE}
        if after:
            options["after"] = after
        page = client.crm.associations.v4.basic_api.get_page(
            api_object_type(from_type), str(from_id), api_object_type(to_type), **options
        )
        ids.extend(int(result.to_object_id) for result in page.results or [])
        following = page.paging.next if page.paging else None
        after = following.after if following else None
        if not after:
            return ids


def associate(client, from_type, from_id, to_type, to_id):
    """Associate two records with HubSpot's default (unlabelled) association type."""
    client.crm.associations.v4.basic_api.create_default(
        api_object_type(from_type), str(from_id), api_object_type(to_type), str(to_id)
    )
