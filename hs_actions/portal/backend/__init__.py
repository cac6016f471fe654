"""The portal's state and HubSpot's rules over it, in SQLite. Nothing here knows about HTTP.

Split by family, as moto splits services: each family is a mixin with its own rules (and the
tables it declares in `TABLES`), and all share the one connection, lock and registry of `Store`.

    store.py         the connection, transactions, the registry of types (data files + seeds)
    records.py       property values, objects v3: get, list, create, update, archive, batches
    search.py        search: filters, sorts, query, paging
    associations.py  associations v4 and v3
    labels.py        association labels (USER_DEFINED types)
    merge.py         record merge, and merged-away ids that keep answering
    gdpr.py          GDPR delete of contacts
    properties.py    property and property group writes
    hubdb.py         HubDB tables and rows (read)
    lists.py         lists and their memberships
    account.py       pipelines, owners, tokens, callbacks, the request log
    flows.py         workflows (Automation v4 flows) and their custom-code actions
    schemas.py       custom object schemas, read only
    seeding.py       seed data
"""
from hs_actions.portal.backend.account import Account
from hs_actions.portal.backend.associations import Associations
from hs_actions.portal.backend.flows import Flows
from hs_actions.portal.backend.gdpr import Gdpr
from hs_actions.portal.backend.hubdb import HubDb
from hs_actions.portal.backend.labels import AssociationLabels
from hs_actions.portal.backend.lists import Lists
from hs_actions.portal.backend.merge import Merge
from hs_actions.portal.backend.properties import PropertyDefinitions
from hs_actions.portal.backend.records import Records
from hs_actions.portal.backend.schemas import Schemas
from hs_actions.portal.backend.search import Search
from hs_actions.portal.backend.seeding import SEED_KEYS, Seeding
from hs_actions.portal.backend.store import Store, cursor

__all__ = ["Backend", "SEED_KEYS", "cursor"]


class Backend(Merge, Gdpr, AssociationLabels, PropertyDefinitions, HubDb, Lists,
              Records, Search, Associations, Account, Flows, Schemas, Seeding, Store):
    """The portal's state. `reset()` empties it; `seed()` fills it from seed-file data.
    The families that refine another's methods (Merge's ids, AssociationLabels' and Merge's
    registry) come before it."""
