"""Rules of imports: HubSpot's runtime has the Python 3.9 standard library, a handful of
libraries and nothing of this repository but the helpers the bundler inlines."""
from __future__ import annotations

import ast

from hs_actions.bundler import imports as classes
from hs_actions.check.registry import ERROR, FILE, Finding, rule
from hs_actions.core import pyimports


@rule("import-unavailable", ERROR, "an import HubSpot's runtime does not have", takes=FILE)
@rule("import-local", ERROR, "an import of this repository's code that is not a helper", takes=FILE)
def import_rule(source) -> list[Finding]:
    found = []
    for node in pyimports.statements(ast.walk(source.tree)):
        for module in pyimports.modules(node):
            kind = classes.classify(module)
            if kind == classes.UNAVAILABLE:
                found.append(Finding(
                    source.display, node.lineno, "import-unavailable",
                    f"{module!r} is not in HubSpot's runtime, which has only {classes.available()}",
                    "use the standard library or one of those libraries (HubSpot cannot install others)"))
            elif kind == classes.LOCAL:
                found.append(Finding(
                    source.display, node.lineno, "import-local",
                    f"{module!r} is this repository's code, which HubSpot does not have (the bundler "
                    f"inlines only {classes.HELPERS_PACKAGE})",
                    f"move the code into {classes.HELPERS_PACKAGE} or into this file"))
    return found
