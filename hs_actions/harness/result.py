"""The result of one run, as HubSpot's test panel would show it."""
from __future__ import annotations

from dataclasses import dataclass, field

# invalid_outputs: main returned, HubSpot would not fail the execution, but the outputs break
# action.toml (undeclared, or of the wrong type: see outputs.py for what HubSpot does).
# over_budget: it succeeded, but went over the [budget] of its action.toml (harness/budget.py).
STATUSES = ("success", "invalid_outputs", "over_budget", "error", "retry", "timeout", "memory")
# The scopes of a call the local portal does not model: HubSpot serves it, no one here knows them.
UNKNOWN_SCOPES = "unknown"


@dataclass
class Failure:
    """Why a run failed: the exception main raised, or the limit or runtime error HubSpot reports."""

    type: str
    message: str
    traceback: str | None = None
    refused_connection: bool = False              # the network guard's refusal: shown as one line


@dataclass
class Result:
    action: str
    status: str                                   # one of STATUSES
    output_fields: dict = field(default_factory=dict)
    logs: str = ""
    duration_ms: float = 0.0
    memory_mb: float = 0.0
    error: Failure | None = None
    warnings: list[str] = field(default_factory=list)
    output_errors: list[str] = field(default_factory=list)   # outputs that break action.toml
    budget_errors: list[str] = field(default_factory=list)   # budgets of action.toml it went over
    runtime: str = ""
    event: dict = field(default_factory=dict)
    retry: str | None = None                      # what HubSpot would do, when status is retry
    exit: dict | None = None                      # how the worker process ended, when it died
    api_calls: list[dict] = field(default_factory=list)   # HubSpot API calls made (local portal)
    scopes: list[str] = field(default_factory=list)       # the private-app scopes they needed ("unknown"
                                                          # last when a call was one the portal does not model)
    isolation: dict = field(default_factory=dict)         # sandbox (namespaces|none), reason, memory, processes
    assigned_ids: list[str] = field(default_factory=list)  # ids the local portal gave what the run created

    @property
    def ok(self) -> bool:
        """Succeeded, with outputs that match the declaration."""
        return self.status == "success"

    @property
    def outputs(self) -> dict:
        return self.output_fields

    @property
    def problem(self) -> str | None:
        """Why it did not succeed, in a line or a few (a test's `assert result.ok, result.problem`):
        the error raised, the outputs that break action.toml, the budgets gone over; None when ok."""
        if self.ok:
            return None
        said = [f"{self.action}: {self.status}"]
        if self.error is not None:
            said.append(f"{self.error.type}: {self.error.message}".rstrip())
        said += self.output_errors + self.budget_errors
        return "\n".join(said)

    def to_dict(self) -> dict:
        return {
            "action": self.action,
            "status": self.status,
            "ok": self.ok,
            "outputFields": self.output_fields,
            "output_errors": self.output_errors,
            "budget_errors": self.budget_errors,
            "logs": self.logs,
            "duration_ms": round(self.duration_ms, 2),
            "memory_mb": round(self.memory_mb, 1),
            "error": None if self.error is None else vars(self.error),
            "retry": self.retry,
            "warnings": self.warnings,
            "runtime": self.runtime,
            "isolation": self.isolation,
            "api_calls": self.api_calls,
            "scopes": self.scopes,
            "assigned_ids": self.assigned_ids,
            "callbackId": self.event.get("callbackId"),
            "event": self.event,
        }
