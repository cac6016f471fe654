"""Regenerate hs_actions/check/data/client_surface.json from the installed HubSpot client.

The file is every attribute path of `hubspot.HubSpot()` (client.crm.deals.basic_api.get_by_id,
...) as the version in HubSpot's runtime has it, so that `check` can name a path that version
lacks (rule client-attribute). It is data generated from the package itself, never written by
hand. Run it with the runtime's Python, whose hubspot-api-client is the runtime's version:

    .hs-actions/runtime/bin/python scripts/client_surface.py [output.json]
"""
import json
import re
import sys
from importlib.metadata import version
from pathlib import Path

import hubspot

OUTPUT = Path(__file__).resolve().parents[1] / "hs_actions" / "check" / "data" / "client_surface.json"


def _is_node(value) -> bool:
    """A discovery object (client.crm, client.crm.deals) or a generated API class (basic_api)."""
    module = type(value).__module__
    return module.startswith("hubspot.discovery") or (module.startswith("hubspot.") and type(value).__name__.endswith("Api"))


def walk(obj) -> dict:
    """{attribute: its own attributes (a dict), or None where a path ends (a method, a value)}."""
    found = {}
    for name in sorted(dir(type(obj))):
        if name.startswith("_"):
            continue
        declared = getattr(type(obj), name)
        if isinstance(declared, property):
            value = getattr(obj, name)
            found[name] = walk(value) if _is_node(value) else None
        else:
            found[name] = None
    for name in sorted(vars(obj)):
        if not name.startswith("_"):
            found.setdefault(name, None)
    return found


def operations() -> list[str]:
    """"METHOD /path" of every call the package's generated APIs make (their call_api lines)."""
    found = set()
    for module in Path(hubspot.__file__).parent.rglob("api/*.py"):
        text = module.read_text()
        for path, method in re.findall(r'call_api\(\s*"([^"]+)",\s*"([A-Z]+)"', text):
            found.add(f"{method} {path}")
    return sorted(found)


def surface() -> dict:
    installed = version("hubspot-api-client")
    return {"comment": f"Every attribute path of hubspot.HubSpot() in hubspot-api-client {installed}, the version in "
                       "HubSpot's Python runtime: {name: its attributes, or null where a path ends}; and `operations`, "
                       "every call its generated APIs can make. Generated from the installed package by "
                       "scripts/client_surface.py (run with the runtime's Python); do not edit.",
            "version": installed, "client": walk(hubspot.HubSpot()), "operations": operations()}


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    target.write_text(json.dumps(surface(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {target}")
