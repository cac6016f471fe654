"""The portal's state and HubSpot's rules over it, in SQLite. Nothing here knows about HTTP.

Split by family, as moto splits services: each family is a mixin with its own rules, and all
share the one connection, lock and registry of `Store`.

    store.py         the connection, transactions, the registry of types (data files + seeds)
    records.py       property values, objects v3: get, list, create, update, archive, batches
    search.py        search: filters, sorts, query, paging
    associations.py  associations v4 and v3
    account.py       pipelines, owners, tokens, callbacks, the request log
    flows.py         workflows (Automation v4 flows) and their custom-code actions
    schemas.py       custom object schemas, read only
    seeding.py       seed data
"""
from hs_actions.portal.backend.account import Account
from hs_actions.portal.backend.associations import Associations
from hs_actions.portal.backend.flows import Flows
from hs_actions.portal.backend.records import Records
from hs_actions.portal.backend.schemas import Schemas
from hs_actions.portal.backend.search import Search
from hs_actions.portal.backend.seeding import SEED_KEYS, Seeding
from hs_actions.portal.backend.store import Store, cursor

__all__ = ["Backend", "SEED_KEYS", "cursor"]


class Backend(Records, Search, Associations, Account, Flows, Schemas, Seeding, Store):
    """The portal's state. `reset()` empties it; `seed()` fills it from seed-file data."""
