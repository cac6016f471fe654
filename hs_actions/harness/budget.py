"""A run judged against the action's [budget] in action.toml: the time, memory and API calls the
team expects it to stay within, well below HubSpot's own limits (which stop a run; a budget
only fails it, once it has run). Local only: HubSpot never sees a budget."""
from __future__ import annotations

from hs_actions.action.manifest import Budget
from hs_actions.harness.result import Failure, Result

FAILURE = "BudgetExceeded"


def overruns(result: Result, budget: Budget) -> list[str]:
    """Each budget the run went over, saying by how much; [] when within all (or none is set)."""
    found = []
    seconds = result.duration_ms / 1000
    if budget.seconds is not None and seconds > budget.seconds:
        found.append(f"budget.seconds: took {seconds:.3f} s, {_over(seconds, budget.seconds, ' s')} "
                     f"its budget of {budget.seconds:g} s")
    if budget.memory_mb is not None and result.memory_mb > budget.memory_mb:
        found.append(f"budget.memory_mb: peaked at {result.memory_mb:.1f} MB, "
                     f"{_over(result.memory_mb, budget.memory_mb, ' MB')} its budget of {budget.memory_mb:g} MB")
    calls = len(result.api_calls)
    if budget.api_calls is not None and calls > budget.api_calls:
        found.append(f"budget.api_calls: made {calls} API call{'s' if calls != 1 else ''}, {calls - budget.api_calls} "
                     f"over its budget of {budget.api_calls}")
    return found


def judge(result: Result, budget: Budget) -> None:
    """A successful run over a budget becomes `over_budget`, with the overruns as its error;
    a run that failed otherwise keeps its status (its failure is the news)."""
    found = overruns(result, budget)
    result.budget_errors = found
    if found and result.status == "success":
        result.status = "over_budget"
        result.error = Failure(FAILURE, "over its [budget] in action.toml: " + "; ".join(found))


def _over(value: float, limit: float, unit: str) -> str:
    return f"{value - limit:.{3 if unit == ' s' else 1}f}{unit} ({(value - limit) / limit:.0%}) over"
