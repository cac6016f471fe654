"""The main-return rule: where main gives HubSpot None instead of a dict, or cannot be called
as HubSpot calls it. The analysis is the one `hs-actions run` names in its own reports."""
from __future__ import annotations

from hs_actions.action import returns
from hs_actions.check.registry import ACTION, ERROR, WARNING, Finding, rule


@rule("main-return", ERROR, "a place where main ends without returning a value (a warning with "
      "allow_return_none), or a generator or async main", takes=ACTION)
def main_rule(subject) -> list[Finding]:
    """Where main gives HubSpot None (the analysis `hs-actions run` names too), or a main that
    is a generator or async function. None is an error unless allow_return_none is set."""
    action = subject.source
    main = returns.main_function(action.tree)
    if main is None:
        return []
    what = returns.kind(main)
    if what:
        return [Finding(action.display, main.lineno, "main-return", returns.kind_message(what), returns.KIND_FIX)]
    allowed = returns.return_none_allowed()
    severity, outcome = (WARNING, returns.NONE_ALLOWED) if allowed else (ERROR, returns.NONE_FAILS)
    return [Finding(action.display, ending.line, "main-return",
                    f"{ending.describe()}, so main returns None here and HubSpot gets no outputFields: {outcome}",
                    returns.FIX, severity)
            for ending in returns.endings(main)]
