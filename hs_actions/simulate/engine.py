"""The scheduler: every enrolled record's execution, as HubSpot schedules them.

All records enroll at once (a spike: an import, a list added to a workflow). HubSpot runs their
executions in parallel up to a concurrency, optionally no faster than the action's execution
rate limit; every execution's API calls count against the account's rate limits, which all
share; an execution that raises a 429 or 5xx runs again by HubSpot's retry rule (retry.py).

Time is simulated. Each execution starts at a simulated time and lasts as long as its real
run lasted; its API calls are stamped with its start plus the real time since its run began,
which is how the portal's rate limiter (given `VirtualClock`) counts windows and days. Runs
are real: each one is the harness's sandboxed run of the action's code, on `lanes` harnesses
at once (several a core: commands.py says why), each forking from its own warm supervisor.

Executions are started in order of their simulated start, so the start of one depends only on
those that began before it: exact with one lane. With more, an execution is started only when
no running one can change its start: not while they fill the concurrency (one may end first),
nor later than a running one's retry could come (a minute after it started, at the soonest).
"""
from __future__ import annotations

import heapq
import queue
import threading
import time
from dataclasses import dataclass, field

from hs_actions.simulate.retry import RetryRule


class VirtualClock:
    """Simulated seconds for the portal's rate limiter: clock(run) is the time of a call of the
    execution `run` (its callbackId) at this moment."""

    def __init__(self):
        self._runs: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self.latest = 0.0

    def begin(self, run: str, at: float) -> None:
        with self._lock:
            self._runs[run] = (at, time.monotonic())
            self.latest = max(self.latest, at)

    def end(self, run: str) -> None:
        with self._lock:
            self._runs.pop(run, None)

    def __call__(self, run: str | None) -> float:
        with self._lock:
            started = self._runs.get(run)
        if started is None:   # a call after its run ended (a thread the action left): now, as best known
            return self.latest
        return started[0] + (time.monotonic() - started[1])


@dataclass
class Execution:
    """One attempt of one enrollment: when it ran (simulated seconds) and how it ended."""
    object_id: int
    attempt: int                 # 0 the first, n the n-th retry
    start: float
    end: float
    status: str                  # a Result's status
    kind: str | None             # why it failed (failure_kind), None on success
    duration_ms: float
    api_calls: int
    rate_limited: int            # calls answered 429
    callback_id: str = ""
    budget_errors: list[str] = field(default_factory=list)   # the [budget] it went over (it still succeeded)


@dataclass
class Enrollment:
    object_id: int
    executions: list[Execution] = field(default_factory=list)
    outcome: str | None = None   # "success", or the kind of failure that ended it
    inputs: dict | None = None   # the input fields its first execution got: its retries get them too

    @property
    def seconds(self) -> float:
        """Simulated seconds from enrolment (time 0) until its last execution ended."""
        return self.executions[-1].end if self.executions else 0.0


def failure_kind(result) -> str | None:
    """What a run's failure is called in a simulation's counts; None for a success. A run over
    the action's [budget] succeeded as far as HubSpot knows (a budget is local only): it is
    counted as a success, and apart as over budget."""
    if result.ok or result.status == "over_budget":
        return None
    if result.status == "error" and result.error is not None:
        return result.error.type
    return result.status


@dataclass
class _Job:
    enrollment: int
    attempt: int
    start: float
    callback_id: str


class Simulation:
    """Runs `action` once per record of `object_ids` (and again for each retry), on `harnesses`
    (one lane each) sharing `portal`, whose rate limiter it gives its clock."""

    def __init__(self, harnesses: list, portal, action, object_ids: list[int], *, concurrency: int,
                 rule: RetryRule | None = None, execution_rate: float | None = None,
                 run_options: dict | None = None, progress=None):
        if concurrency < 1:
            raise ValueError("concurrency must be 1 or more")
        self.harnesses = harnesses
        self.portal = portal
        self.action = action
        self.enrollments = [Enrollment(i) for i in object_ids]
        self.concurrency = concurrency
        self.rule = rule or RetryRule()
        self.interval = 1 / execution_rate if execution_rate else 0.0
        self.run_options = dict(run_options or {})
        self.progress = progress
        self.clock = VirtualClock()
        self.executed = 0         # runs so far, retries included
        self.first = None         # the first run's Result: its runtime and sandbox describe them all

    def run(self) -> list[Enrollment]:
        self.portal.limiter.clock = self.clock
        with self.portal.limiter.lock:
            self.portal.limiter.reset()
        jobs: queue.Queue = queue.Queue()
        done: queue.Queue = queue.Queue()
        lanes = [threading.Thread(target=self._lane, args=(h, jobs, done), name=f"simulate-lane-{n}", daemon=True)
                 for n, h in enumerate(self.harnesses)]
        for lane in lanes:
            lane.start()
        try:
            self._schedule(jobs, done)
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM) or stopped by an error: the executions under way end
            # now, rather than each run to its end (up to its time limit) while the user waits.
            for harness in self.harnesses:
                harness.close()
            raise
        finally:
            for _ in lanes:
                jobs.put(None)
            for lane in lanes:
                lane.join()
            self.portal.limiter.clock = None
            with self.portal.limiter.lock:
                self.portal.limiter.reset()   # counts of simulated time mean nothing to this machine's clock
        return self.enrollments

    def _schedule(self, jobs: queue.Queue, done: queue.Queue) -> None:
        portal_id = self.portal.portal_id
        ready = [(0.0, n, n, 0) for n in range(len(self.enrollments))]   # (at, order, enrollment, attempt)
        heapq.heapify(ready)
        ends: list[float] = []        # simulated ends of executions that have run
        order = len(ready)
        running, now, next_allowed = 0, 0.0, 0.0
        first_failure: dict[int, float] = {}
        starts: dict[str, float] = {}   # simulated starts of the executions running now
        settled = 0
        while ready or running:
            while ready and running < len(self.harnesses):
                start = max(ready[0][0], now, next_allowed)
                while ends and ends[0] <= start:
                    heapq.heappop(ends)
                while not running and len(ends) >= self.concurrency:
                    start = max(start, heapq.heappop(ends))
                    while ends and ends[0] <= start:
                        heapq.heappop(ends)
                if running + len(ends) >= self.concurrency:
                    break   # a running execution may end first and free its slot: wait for it
                if running and start > min(starts.values()) + self.rule.first_after:
                    break   # a running execution's retry may come before this start: wait for it
                _, _, index, attempt = heapq.heappop(ready)
                now = start
                next_allowed = start + self.interval
                # HubSpot's form, ap-<portal>-<enrollment>-<n>-<m>: one enrollment, its attempt.
                job = _Job(index, attempt, start, f"ap-{portal_id}-{100000 + index}-{attempt + 1}-0")
                starts[job.callback_id] = start
                jobs.put(job)
                running += 1
            job, result = done.get()
            running -= 1
            del starts[job.callback_id]
            if isinstance(result, BaseException):
                raise result
            end = job.start + result.duration_ms / 1000
            heapq.heappush(ends, end)
            enrollment = self.enrollments[job.enrollment]
            enrollment.executions.append(Execution(
                enrollment.object_id, job.attempt, job.start, end, result.status, failure_kind(result),
                result.duration_ms, len(result.api_calls), sum(1 for c in result.api_calls if c["status"] == 429),
                job.callback_id, result.budget_errors))
            self.executed += 1
            self.first = self.first or result
            if enrollment.inputs is None:
                enrollment.inputs = dict(result.event.get("inputFields") or {})
            if result.status == "retry":
                first = first_failure.setdefault(job.enrollment, end)
                at = self.rule.next_attempt(first, end, job.attempt)
                if at is not None:
                    heapq.heappush(ready, (at, order, job.enrollment, job.attempt + 1))
                    order += 1
                else:
                    enrollment.outcome = "retries exhausted"
            else:
                enrollment.outcome = failure_kind(result) or "success"
            if enrollment.outcome is not None:
                settled += 1
            if self.progress:
                self.progress(settled, len(self.enrollments), self.executed, max(now, end))

    def _lane(self, harness, jobs: queue.Queue, done: queue.Queue) -> None:
        while True:
            job = jobs.get()
            if job is None:
                return
            enrollment = self.enrollments[job.enrollment]
            options = self.run_options
            if job.attempt and enrollment.inputs is not None:
                # A retry runs with the input fields of the enrolment's first execution: the record
                # need not be read again (and may be gone: an action that archives it).
                options = {**options, "inputs": {**enrollment.inputs, **(options.get("inputs") or {})}}
            self.clock.begin(job.callback_id, job.start)
            try:
                result = harness.run(self.action, object_id=enrollment.object_id, callback_id=job.callback_id,
                                     **options)
            except BaseException as error:   # a ToolkitError (a missing secret): the whole simulation stops
                result = error
            finally:
                self.clock.end(job.callback_id)
            done.put((job, result))
