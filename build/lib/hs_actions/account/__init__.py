"""The connection to a real HubSpot account (Automation v4 and the CRM's schema APIs).

    connection.py  the token and base URL, rate limits, HubSpot's errors said for a user
    mapping.py     a workflow's CUSTOM_CODE action <-> an action folder (action.py, action.toml)
    actions.py     which folder holds which HubSpot action; the hashes that tell edits apart
    pull.py        hs-actions pull      the account's Python actions -> actions/<name>/
    deploy.py      hs-actions deploy    a verified bundle -> its action in its workflow
    status.py      hs-actions status    in sync / edited in HubSpot / local changes / ...
    schema.py      hs-actions portal pull   the account's schema (and sample records) -> a seed file

The account is only ever a base URL and a token: in tests, a second local portal.
"""
