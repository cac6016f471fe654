"""Rules of loading and inlining: what stops the bundler reading an action's code and the
helpers it imports, or inlining them into one file.

The bundler (sources.py, inline.py) finds these and raises them as BundleError under the ids
declared here; these checks report them as findings, and the loading check gives the later
kinds the code that loaded.
"""
from __future__ import annotations

from hs_actions.bundler import imports
from hs_actions.bundler.errors import BundleError
from hs_actions.bundler.sources import load_helpers, read
from hs_actions.check.registry import BUNDLE, CODE, ERROR, Finding, rule

# How helpers are shown (sources.display_name): a file under helpers_dir.
HELPERS_SHOWN = imports.HELPERS_PACKAGE.replace(".", "/") + "/"


@rule("syntax", ERROR, "the file does not parse", takes=CODE)
@rule("helper-missing", ERROR, "an import of a helper (or a name in one) that does not exist", takes=CODE)
@rule("helper-import", ERROR, "a helper import the bundler cannot inline", takes=CODE)
@rule("helper-cycle", ERROR, "helpers importing each other", takes=CODE)
@rule("link-out", ERROR, "action.py or a helper that is a symbolic link out of its folder (or shared/): never read",
      takes=CODE)
def load(action) -> list[Finding]:
    """Reads action.py and the helpers it imports into `action`. Loading a helper also reports
    its imports HubSpot lacks (import-unavailable, import-local) when they stop it loading."""
    path, shown = action.folder / "action.py", f"{action.display}/action.py"
    try:
        action.source = read(path, "action", shown, action.folder)
    except BundleError as error:
        if error.rule == "syntax":  # a later check compiles it with HubSpot's Python; a link is never read
            action.unparsed[shown] = path
        return [Finding.of(error)]
    try:
        action.helpers = load_helpers(action.source, action.helpers_dir)
    except BundleError as error:
        if error.rule == "syntax" and str(error.path).startswith(HELPERS_SHOWN):
            action.unparsed[str(error.path)] = action.helpers_dir / str(error.path)[len(HELPERS_SHOWN):]
        return [Finding.of(error)]
    return []


@rule("helper-clash", ERROR, "two helpers defining one name in the same bundle", takes=BUNDLE)
@rule("bundle", ERROR, "a bundle the toolkit built wrong (a toolkit bug, to report with the action)",
      takes=BUNDLE)
def inlining(action) -> list[Finding]:
    """What stops the helpers that loaded being inlined into one file."""
    try:
        action.inlined()
    except BundleError as error:
        return [Finding.of(error)]
    return []
