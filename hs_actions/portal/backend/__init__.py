"""The portal's state and HubSpot's rules over it, in SQLite. Nothing here knows about HTTP.

Split by family, as moto splits services, and composed rather than inherited: the Backend is
the core (store.py) plus one object per family of FAMILIES below, each a `Family`
(family.py) that declares, next to its code, its tables, its seed key, the shape of its seed
entry, its seed step, and (in responses/<name>.py) its routes.

    store.py         the core: connection, transactions, record tables, registry of types
    family.py        the contract a family follows
    seeding.py       the seeding loop over the families, and the checks seed shapes are made of
    schemas.py       custom object schemas (read; seeded)
    properties.py    property definitions and groups: read, written
    requirements.py  the account's required properties (enforced on 2026-09 paths)
    pipelines.py     deal and ticket pipelines and their stages
    labels.py        association labels (USER_DEFINED types)
    owners.py        owners
    objects.py       records of every type: objects v3, the properties the portal computes
    associations.py  associations v4 and v3
    hubdb.py         HubDB tables and rows: read, draft writes, publishing
    hubdb_values.py  HubDB's column types, values and row filters (functions hubdb.py uses)
    lists.py         lists and their memberships
    forms.py         forms (read; seeded), as forms v3 and v2 show them
    tokens.py        private-app tokens and their scopes
    flows.py         workflows (Automation v4 flows) and their custom-code actions
    search.py        search: filters, sorts, query, paging
    merge.py         record merge, and merged-away ids that keep answering
    gdpr.py          GDPR delete of contacts
    callbacks.py     completed workflow callbacks
    request_log.py   the calls the portal answered, by run

How families meet, and why the order of FAMILIES does not silently matter:
- A family reaches the portal's state through the core only (documented in store.py), and
  another family only through its public methods, called on `self.backend`.
- The Backend answers every family's public methods by name. A name two families use, or that
  the core has, is an error when this module is imported, never a silent override.
- A family that adds to another's work does it through a named method, not by overriding it:
  objects' `find_id` asks merge's `merged_into`, the registry calls each family's
  `extend_registry`.
- Routes are sorted by path (urls.py), not by family; a path belongs to one family.
- The one order that counts is the seed's, and it is said here: FAMILIES lists the families
  in the order their seed steps run (a type before its properties, records before their
  associations and lists), which is also the order of SEED_KEYS.
Adding a family: a module here with a Family subclass, responses/<name>.py if it serves
routes, and one line in FAMILIES.
"""
from hs_actions.portal.backend.associations import Associations
from hs_actions.portal.backend.callbacks import Callbacks
from hs_actions.portal.backend.family import Family
from hs_actions.portal.backend.flows import Flows
from hs_actions.portal.backend.forms import Forms
from hs_actions.portal.backend.gdpr import Gdpr
from hs_actions.portal.backend.hubdb import HubDb
from hs_actions.portal.backend.labels import Labels
from hs_actions.portal.backend.lists import Lists
from hs_actions.portal.backend.merge import Merge
from hs_actions.portal.backend.objects import Objects
from hs_actions.portal.backend.owners import Owners
from hs_actions.portal.backend.pipelines import Pipelines
from hs_actions.portal.backend.properties import Properties
from hs_actions.portal.backend.request_log import RequestLog
from hs_actions.portal.backend.requirements import Requirements
from hs_actions.portal.backend.schemas import Schemas
from hs_actions.portal.backend.search import Search
from hs_actions.portal.backend.seeding import Seeder
from hs_actions.portal.backend.store import Store, cursor
from hs_actions.portal.backend.tokens import Tokens

__all__ = ["API", "Backend", "FAMILIES", "SEED_KEYS", "api_of", "cursor"]

# In the order their seed steps run; families without a seed key after them.
FAMILIES = (Schemas, Properties, Requirements, Pipelines, Labels, Owners, Objects, Associations, HubDb, Lists, Forms,
            Tokens, Flows, Search, Merge, Gdpr, Callbacks, RequestLog)

SEEDER = Seeder(FAMILIES)
# The keys a seed file may have (see Backend.seed); "comment" documents the file.
SEED_KEYS = SEEDER.keys


def api_of(families: tuple) -> dict[str, str]:
    """{public method name: the family that answers it}; TypeError for a name used twice."""
    reserved = set(dir(Store)) | {"families", "seeding", "masks", "conn", "lock", "db", "portal_id", "types",
                                  "pipelines", "defs", "computed", "assoc_types", "spellings", "seed"}
    api: dict[str, str] = {}
    tables: dict[str, str] = dict.fromkeys(Store.TABLES, "the core")
    for family in families:
        for name, value in vars(family).items():
            if name.startswith("_") or name.isupper() or name in vars(Family) or not callable(
                    value.__func__ if isinstance(value, (staticmethod, classmethod)) else value):
                continue
            owner = api.get(name) or ("the core" if name in reserved else None)
            if owner:
                raise TypeError(f"{family.__name__}.{name}: {owner} answers {name} already")
            api[name] = family.name
        for table in family.TABLES:
            if table in tables:
                raise TypeError(f"{family.__name__} declares table {table}, which {tables[table]} owns")
            tables[table] = family.__name__
    return api


API = api_of(FAMILIES)


class Backend(Store):
    """The portal's state: the core plus the families of FAMILIES, whose public methods it
    answers. `reset()` empties it; `seed()` fills it from seed-file data."""

    def __init__(self, db: str = ":memory:", portal_id: int = 0):
        super().__init__(db, portal_id, FAMILIES)
        # Bound once here, so a call costs what a method of this class would.
        for name, family in API.items():
            setattr(self, name, getattr(self.families[family], name))

    def seed(self, data: dict) -> dict:
        """Load seed data in one transaction; see seeding.Seeder.seed and README "Seeding"."""
        return SEEDER.seed(self, data)
