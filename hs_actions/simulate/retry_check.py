"""Is the action safe to retry? For a record: run once clean; then, for each k, run with a 429 on
the k-th API call, let HubSpot's retry run the action again, and compare the portal's final
state with the clean run's. Between trials the portal goes back to its state before (a SQLite
snapshot, Portal.snapshot/restore), and it is left as it was found.

A retry that repeats a write shows as a difference: a second task or note, an association made
twice, a property incremented twice. A 429 that main catches and does not raise again is not
retried by HubSpot: a write it skipped shows as missing.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from hs_actions.core.masking import Masks
from hs_actions.harness import secrets
from hs_actions.simulate import state

WRITES = ("POST", "PUT", "PATCH", "DELETE")
# Attempts of one trial at most: the first, with its forced 429, and HubSpot's retries after it
# (one is enough unless the action fails again for a reason of its own).
ATTEMPTS = 4


@dataclass
class Trial:
    """The action run with a 429 on its `call`-th API call (1-based), then retried."""
    call: int
    failed_call: str                                   # "METHOD path" of the call answered 429
    statuses: list[str] = field(default_factory=list)  # each attempt's status, in order
    repeated_writes: list[str] = field(default_factory=list)   # writes done before the 429 and again by the retry
    differences: list[dict] = field(default_factory=list)      # state.differences of the final state

    @property
    def retried(self) -> bool:
        return len(self.statuses) > 1

    @property
    def safe(self) -> bool:
        return not self.differences

    def to_dict(self) -> dict:
        return {"call": self.call, "failed_call": self.failed_call, "retried": self.retried, "statuses": self.statuses,
                "repeated_writes": self.repeated_writes, "differences": self.differences, "retry_safe": self.safe}


@dataclass
class RecordCheck:
    """The trials of one enrolled record."""
    object_id: int
    clean_status: str
    calls: list[str] = field(default_factory=list)     # the clean run's API calls, "METHOD path"
    trials: list[Trial] = field(default_factory=list)
    problem: str | None = None                          # why it could not be checked

    @property
    def safe(self) -> bool:
        return all(t.safe for t in self.trials)

    def to_dict(self) -> dict:
        return {"object_id": self.object_id, "clean_status": self.clean_status, "calls": self.calls,
                "problem": self.problem, "retry_safe": self.safe, "trials": [t.to_dict() for t in self.trials]}


@dataclass
class RetryCheck:
    action: str
    records: list[RecordCheck] = field(default_factory=list)

    @property
    def retry_safe(self) -> bool:
        """Every record was checked (its clean run succeeded), and every trial left the state a
        clean run leaves."""
        return all(r.problem is None and r.safe for r in self.records) and bool(self.records)

    @property
    def checked(self) -> int:
        """Records whose clean run succeeded, so that their trials mean something."""
        return sum(1 for r in self.records if r.problem is None)

    def to_dict(self) -> dict:
        return {"action": self.action, "retry_safe": self.retry_safe, "checked": self.checked,
                "records": [r.to_dict() for r in self.records]}

    def explain(self) -> str:
        """What is unsafe, for an assertion's message or the report."""
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        lines = []
        for record in self.records:
            if record.problem:
                lines.append(f"record {record.object_id}: not checked: {record.problem}")
                continue
            unsafe = [t for t in record.trials if not t.safe]
            lines.append(f"record {record.object_id}: {len(record.calls)} API call(s), "
                         + ("retry safe" if not unsafe else f"NOT retry safe ({len(unsafe)} of {len(record.trials)} trials)"))
            for trial in record.trials:
                if trial.safe:
                    continue
                how = "retried" if trial.retried else f"not retried (the run ended {trial.statuses[0]})"
                lines.append(f"  429 on call {trial.call} ({trial.failed_call}), {how}:")
                if trial.repeated_writes:
                    lines.append(f"    writes repeated by the retry: {', '.join(trial.repeated_writes)}")
                lines += [f"    {d['kind']}: {d['message']}" for d in trial.differences]
        return lines


def check(harness, portal, action, object_ids: list[int], run_options: dict | None = None) -> RetryCheck:
    """The retry check of `action` for each record of `object_ids`, run by `harness` against
    `portal` (which it serves). The portal's forced failures are its own while it runs; its
    state is as before when it returns."""
    options = dict(run_options or {})
    # What the portal holds is not masked: values an action wrote (its token, even) are shown
    # in differences, so the run's secrets are masked here as a run's result is.
    values = secrets.resolve(action.manifest.secrets, explicit=options.get("secrets"),
                             environ=os.environ if options.get("environ") is None else options["environ"],
                             env_file=options.get("env_file"))
    found = RetryCheck(action.name)
    for object_id in object_ids:
        found.records.append(_check_record(harness, portal, action, object_id, options))
    return Masks(values).all(found)


def _fresh_limits(portal) -> None:
    """Rate-limit counts emptied: the trials' many runs in a few seconds must not be refused
    for the account's limits, or a trial would fail for a 429 it did not ask for."""
    with portal.limiter.lock:
        portal.limiter.reset()


def _check_record(harness, portal, action, object_id: int, options: dict) -> RecordCheck:
    snapshot = portal.snapshot()
    try:
        before = portal.contents()

        def run_clean():
            portal.restore(snapshot)
            _fresh_limits(portal)
            result = harness.run(action, object_id=object_id, **options)
            return result, state.change(before, portal.contents())

        clean, clean_change = run_clean()
        record = RecordCheck(object_id, clean.status, [_call(c) for c in clean.api_calls])
        if not clean.ok:
            first_line = clean.error.message.strip().splitlines()[0] if clean.error and clean.error.message.strip() else ""
            record.problem = f"its clean run ended {clean.status}" + (f" ({clean.error.type}: {first_line})" if clean.error else "")
            return record
        # Two clean runs may differ (a timestamp the action writes): such values are not the retry's doing.
        ignore = state.noise(clean_change, run_clean()[1])
        for k in range(1, len(record.calls) + 1):
            portal.restore(snapshot)
            portal.failures.reset()
            _fresh_limits(portal)
            armed = _fail_call(portal, k)
            trial = Trial(k, record.calls[k - 1])
            results = [harness.run(action, object_id=object_id, **options)]
            armed[0] = False
            portal.failures.reset()   # a 429 the attempt never reached is not kept for the retry
            while results[-1].status == "retry" and len(results) < ATTEMPTS:
                results.append(harness.run(action, object_id=object_id, **options))
            trial.statuses = [r.status for r in results]
            if len(results) > 1:
                done = [_call(c) for c in results[0].api_calls if c["method"] in WRITES and c["status"] < 400]
                again = {_call(c) for r in results[1:] for c in r.api_calls if c["method"] in WRITES}
                trial.repeated_writes = [c for c in done if c in again]
            trial.differences = state.differences(clean_change, state.change(before, portal.contents()), ignore)
            record.trials.append(trial)
        return record
    finally:
        portal.failures.reset()
        portal.restore(snapshot)
        snapshot.close()


def _call(logged: dict) -> str:
    return f"{logged['method']} {logged['path']}"


def _fail_call(portal, k: int) -> list[bool]:
    """Answer the k-th API call from now with a 429 (HubSpot's body and headers). Returns the
    switch that keeps it armed: set its item False once the attempt is over, so that a count
    not yet reached (a run that made fewer calls) forces nothing later."""
    armed = [True]
    if k == 1:
        portal.fail("*", ".*", 429)
        return armed
    seen = [0]

    def answered():
        if not armed[0]:
            return
        seen[0] += 1
        if seen[0] == k - 1:
            portal.fail("*", ".*", 429)
        else:
            portal.on_request("*", ".*", answered)

    portal.on_request("*", ".*", answered)
    return armed
