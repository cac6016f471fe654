"""Run one action the way HubSpot does: event, secrets, limits, outputs, logs."""
from __future__ import annotations

import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Mapping

from hs_actions import hubspot_runtime, project
from hs_actions.errors import ToolkitError
from hs_actions.harness import event as event_module
from hs_actions.harness import outputs, secrets as secrets_module
from hs_actions.harness import runtime as runtime_module
from hs_actions.harness.action import Action, load
from hs_actions.harness.result import Error, Result
from hs_actions.harness.child import REFUSAL
from hs_actions.harness.runner import ROUTING, RawOutcome, Runner, library_imports


class Harness:
    """Runs actions on one runtime. Reuse one Harness for many runs; close() it after.

    mode "spawn" starts a fresh interpreter per run; mode "fork" keeps a per-action zygote
    that forks each run (same isolation, far cheaper for many runs).
    """

    def __init__(self, runtime: runtime_module.Runtime | None = None, mode: str = "spawn", portal=None,
                 runner: Runner | None = None, sandbox: str | None = None):
        """`portal` is a serving hs_actions.portal.portal.Portal, or a function that opens one
        (called once, at the first run, while the runtime starts): runs reach it as HubSpot's
        API, read input fields from its records and report the calls they made. Without one,
        API calls are refused like any other host. `runner` is one already started on
        `runtime` (the CLI starts it before loading the rest of the toolkit). `sandbox`
        overrides the sandbox setting: auto, off or required (harness/sandbox)."""
        self.runtime = runtime or runtime_module.current()
        self._portal = portal
        self._runner = runner or Runner(self.runtime.python, mode, sandbox)

    def run(
        self,
        action: Action | str | Path,
        *,
        event: dict | None = None,
        event_file: str | Path | None = None,
        object_id: int | None = None,
        inputs: Mapping[str, object] | None = None,
        secrets: Mapping[str, str] | None = None,
        environ: Mapping[str, str] | None = None,
        env_file: Path | None = None,
        timeout: float | None = None,
        memory: float | None = None,
        warm: bool = False,
        extended_event: bool = False,
        allow_hosts: tuple[str, ...] = (),
    ) -> Result:
        """Run `action` once and judge the result.

        Raises ToolkitError (exit code 2) when it cannot be run: a missing or invalid folder,
        manifest or event, or a missing secret. Everything that happens once the action runs
        (exceptions, limits, bad outputs) is in the Result. `environ` defaults to this
        process's environment; pass {} to read secrets only from `secrets` and .env.
        """
        if not isinstance(action, Action):
            action = load(action)
        self._runner.prepare(str(action.folder), action.code, library_imports(action.code))
        built, warnings = event_module.build(
            action, event=event, event_file=event_file, object_id=object_id, inputs=dict(inputs or {}),
            extended=extended_event, record=self._record if self.portal else None,
        )
        values = secrets_module.resolve(
            action.manifest.secrets, explicit=secrets, environ=os.environ if environ is None else environ,
            env_file=env_file,
        )
        timeout = _limit("timeout", hubspot_runtime.TIMEOUT_SECONDS if timeout is None else timeout)
        memory = _limit("memory", hubspot_runtime.MEMORY_MB if memory is None else memory)
        workdir = tempfile.mkdtemp(prefix=f"hs-action-{action.name}-")
        request = {
            "action": str(action.code),
            "module_name": "action",
            "event": built,
            "env": {**hubspot_runtime.ENVIRONMENT, **values},
            "cwd": workdir,
            "helpers_root": str(project.ROOT),   # for `from shared.helpers import ...`
            "network": self._network(allow_hosts),
            "routing_module": str(ROUTING),
        }
        try:
            raw = self._runner.run(str(action.folder), request, timeout, memory, warm=warm,
                                   api=self._serve_api if self.portal else None)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        result = _interpret(action, raw, timeout, memory)
        result.event = built
        result.runtime = self.runtime.describe()
        result.isolation = raw.isolation
        if self.portal:
            calls = self.portal.requests(run=built["callbackId"])
            result.api_calls = [{k: c[k] for k in ("method", "path", "query", "status", "duration_ms", "scopes")} for c in calls]
            result.scopes = self.portal.scopes_needed(run=built["callbackId"])
        result.warnings[:0] = [w for w in [self.runtime.warning, *warnings] if w]
        return _masked(result, values)

    @property
    def portal(self):
        if callable(self._portal):
            self._portal = self._portal()
        return self._portal

    def _network(self, allow_hosts) -> dict:
        network = {"allow": list(allow_hosts), "routes": {}}
        if self.portal:
            address = f"{self.portal.server.host}:{self.portal.server.port}"
            network["allow"].append(address)
            network["routes"][hubspot_runtime.API_HOST] = address
        return network

    def _serve_api(self, conn, run) -> None:
        """A sandbox's channel to HubSpot's API: the portal serves it, logging each request
        with `run()`, the run being served."""
        self.portal.server.serve_connection(conn, run)

    def _record(self, object_type: str, object_id) -> dict | None:
        from hs_actions.portal.exceptions import PortalError

        try:
            found = self.portal.record(object_type, object_id)
        except PortalError:  # an object type the portal does not model (no schema seeded)
            return None
        if found is None:
            return None
        types = {p.name: p.type for p in self.portal.backend.properties(object_type)}
        return event_module.workflow_values(found["properties"], types)

    def cool(self) -> None:
        """End warm workers: the next warm run of each action starts cold (a new test)."""
        self._runner.cool()

    def close(self) -> None:
        self._runner.close()

    def __enter__(self) -> Harness:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _limit(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ToolkitError(f"{name} = {value!r}: give a number greater than 0 ({'seconds' if name == 'timeout' else 'MB'})")
    return float(value)


def _interpret(action: Action, raw: RawOutcome, timeout: float, memory: float) -> Result:
    result = Result(action.name, "error", logs=raw.logs, duration_ms=raw.duration_ms, memory_mb=raw.peak_mb)
    if raw.leftover:
        result.warnings.append(
            f"the action left {len(raw.leftover)} process(es) running ({'; '.join(raw.leftover)}); "
            "they were stopped with the run, as HubSpot ends an execution's processes"
        )
    if raw.refused:
        result.warnings.append(
            f"the action tried to connect to {', '.join(raw.refused)}, which a local run refuses "
            "(HubSpot's API is reached through the local portal; --allow-host lets others through)")
    if raw.logs_dropped:
        result.warnings.append(f"the action printed more than the log keeps: {raw.logs_dropped:,} bytes dropped from the middle")

    if raw.kind == "timeout":
        result.status = "timeout"
        result.error = Error("Timeout", f"Task timed out after {raw.duration_ms / 1000:.2f} seconds")
    elif raw.kind == "memory":
        result.status = "memory"
        result.error = Error(
            "MemoryLimitExceeded",
            f"Runtime exited with error: the execution used more than its {memory:g} MB of memory "
            f"(peak seen {raw.peak_mb:.0f} MB)",
            raw.raised["traceback"] if raw.raised else None,
        )
    elif raw.kind == "malformed":
        result.error = Error("Runtime.ChannelError", f"the run's answer could not be read: {raw.problem}. An action "
                             "must not write to the toolkit's descriptors")
    elif raw.kind == "died":
        result.exit = raw.exit
        how = (f"signal {raw.exit['signal']}" if raw.exit and raw.exit.get("signal")
               else f"exit status {raw.exit.get('exit_code') if raw.exit else '?'}")
        result.error = Error("Runtime.ExitError", f"Runtime exited without a result ({how}): os._exit() or a crash ends the execution")
    elif raw.kind == "raised":
        result.error, result.status, result.retry = _from_exception(raw.raised)
        if raw.raised.get("http_status") and result.status == "error" and hubspot_runtime.is_retried_status(raw.raised["http_status"]):
            result.warnings.append(
                f"main raised {raw.raised['type']} for HTTP {raw.raised['http_status']}: HubSpot retries "
                "rate-limit and server errors raised as hubspot's ApiException; raise that to get a retry"
            )
    else:
        verdict = outputs.judge(raw.returned, action.manifest)
        result.output_fields = verdict.outputs
        result.output_errors = verdict.problems
        result.warnings += verdict.warnings
        if verdict.error:
            result.error = Error(**verdict.error)
        else:
            result.status = "success"
    return result


def _from_exception(raised: dict) -> tuple[Error, str, str | None]:
    error = Error(raised["type"], raised["message"], raised["traceback"])
    if raised.get("refused"):  # the network guard's refusal, however wrapped: that is the news
        error.refused_connection = True
        error.message = REFUSAL.format(host=raised["refused"])
    if raised["type"] == "SystemExit":
        error.message = f"main called sys.exit({raised['exit_code']!r}): the runtime exits and HubSpot fails the execution"
        return error, "error", None
    status = raised.get("http_status")
    if status and raised["module"].startswith("hubspot") and hubspot_runtime.is_retried_status(status):
        return error, "retry", hubspot_runtime.RETRY_POLICY
    return error, "error", None


def _masked(result: Result, values: Mapping[str, str]) -> Result:
    mask = secrets_module.mask
    result.warnings += secrets_module.unmasked(values)
    result.output_fields = secrets_module.mask_all(result.output_fields, values)
    result.event = secrets_module.mask_all(result.event, values)
    result.api_calls = secrets_module.mask_all(result.api_calls, values)
    result.logs = mask(result.logs, values)
    result.warnings = [mask(w, values) for w in result.warnings]
    result.output_errors = [mask(p, values) for p in result.output_errors]
    if result.error:
        result.error.message = mask(result.error.message, values)
        result.error.traceback = result.error.traceback and mask(result.error.traceback, values)
    return result
