"""The portal's backend is a list of families composed on a core (hs_actions/portal/backend):
what each declares holds together, and a clash is an error at import, never a silent override."""
import ast
import importlib
from pathlib import Path
from types import ModuleType

import pytest

from hs_actions.portal import urls
from hs_actions.portal.backend import API, FAMILIES, SEED_KEYS, Backend, api_of
from hs_actions.portal.backend.family import Family

PORTAL = Path(urls.__file__).parent


def test_families_have_distinct_names_and_seed_in_the_order_of_seed_keys():
    assert len({f.name for f in FAMILIES}) == len(FAMILIES)
    assert all(issubclass(f, Family) and f.name for f in FAMILIES)
    assert SEED_KEYS == (*(f.SEED_KEY for f in FAMILIES if f.SEED_KEY), "comment")


def test_the_backend_answers_each_public_method_with_its_family():
    backend = Backend()
    for name, family in API.items():
        assert getattr(backend, name) == getattr(backend.families[family], name), name
    backend.close()


def test_a_method_name_two_families_use_is_refused():
    class Duplicate(Family):
        name = "duplicate"

        def tokens(self):
            return []

    with pytest.raises(TypeError, match="Duplicate.tokens: tokens answers tokens already"):
        api_of((*FAMILIES, Duplicate))


def test_a_table_two_families_declare_is_refused():
    class Duplicate(Family):
        name = "duplicate"
        TABLES = {"owners": "CREATE TABLE IF NOT EXISTS owners (id TEXT);"}

    with pytest.raises(TypeError, match="declares table owners, which Owners owns"):
        api_of((*FAMILIES, Duplicate))


def test_every_route_is_reached_by_its_own_path():
    """No row is shadowed by an earlier one, whatever the order of the families."""
    for route in urls.TABLE:
        path = "/".join("p17" if part.startswith("{") else part for part in route.template.split("/"))
        assert urls.resolve(route.method, path)[0] is route, f"{route.method} {route.template}"


def _private_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    modules, found = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("hs_actions"):
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"from {node.module} import {alias.name}")
                elif isinstance(getattr(importlib.import_module(node.module), alias.name, None), ModuleType):
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            modules.update(a.asname or a.name for a in node.names if a.name.startswith("hs_actions") and a.asname)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules \
                and node.attr.startswith("_") and not node.attr.startswith("__"):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_no_portal_module_uses_a_private_name_of_another():
    found = {str(p.relative_to(PORTAL)): _private_imports(p) for p in PORTAL.rglob("*.py")}
    assert {name: uses for name, uses in found.items() if uses} == {}
