"""Run one action the way HubSpot does: event, secrets, limits, outputs, logs."""
from __future__ import annotations

import ast
import math
import os
import platform
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from hs_actions.core import hubspot_runtime, project, text
from hs_actions.core.errors import ToolkitError
from hs_actions.harness import event as event_module
from hs_actions.harness import budget as budget_module, outputs, secrets as secrets_module
from hs_actions.action import returns
from hs_actions.harness import runtime as runtime_module, sandbox
from hs_actions.action.folder import Action, load
from hs_actions.harness.inside import protocol
from hs_actions.harness.result import UNKNOWN_SCOPES, Failure, Result
from hs_actions.harness.runner import RawOutcome, Runner
from hs_actions.core.masking import Masks


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
        self._warm_masks: dict[str, Masks] = {}   # per action: the secrets its warm runs were given
        self._kept: dict[str, Result] = {}        # per action: the result of its run whose process is kept

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
        budget: bool = True,
        callback_id: str | None = None,
    ) -> Result:
        """Run `action` once and judge the result.

        Raises ToolkitError (exit code 2) when it cannot be run: a missing or invalid folder,
        manifest or event, or a missing secret. Everything that happens once the action runs
        (exceptions, limits, bad outputs) is in the Result. `environ` defaults to this
        process's environment; pass {} to read secrets only from `secrets` and .env. With
        `budget` (the default) a successful run over the [budget] of action.toml is over_budget.
        `callback_id` names the execution (default: a fresh one, as HubSpot gives each).
        """
        _check_arguments(event=event, event_file=event_file, object_id=object_id, inputs=inputs, secrets=secrets,
                         environ=environ, env_file=env_file, warm=warm, extended_event=extended_event,
                         allow_hosts=allow_hosts, budget=budget, callback_id=callback_id)
        if not isinstance(action, Action):
            action = load(action)
        self._runner.prepare(str(action.folder), action.code)
        built, warnings = event_module.build(
            action, event=event, event_file=event_file, object_id=object_id, inputs=dict(inputs or {}),
            extended=extended_event, callback_id=callback_id, record=self._record if self.portal else None,
            properties=self.portal.backend.property_names if self.portal else None,
        )
        values = secrets_module.resolve(
            action.manifest.secrets, explicit=secrets, environ=os.environ if environ is None else environ,
            env_file=env_file,
        )
        masks = self._masks(str(action.folder), values, warm)
        timeout = _limit("timeout", hubspot_runtime.TIMEOUT_SECONDS if timeout is None else timeout)
        memory = _limit("memory", hubspot_runtime.MEMORY_MB if memory is None else memory)
        workdir = tempfile.mkdtemp(prefix=f"hs-action-{action.name}-")
        request = {
            "action": str(action.code),
            "module_name": "action",
            "event": built,
            "env": {**hubspot_runtime.ENVIRONMENT, **values},
            "cwd": workdir,
            "helpers_root": str(project.current().root),   # for `from shared.helpers import ...`
            "network": self._network(allow_hosts),
        }
        if self.portal:
            self.portal.mask_secrets(values)
            first_id = self.portal.backend.peek_next_id()
        try:
            raw = self._runner.run(str(action.folder), request, timeout, memory, warm=warm, masks=masks,
                                   api=self._serve_api if self.portal else None)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        result = _interpret(action, raw, timeout, memory)
        result.event = built
        result.runtime = self.runtime.describe()
        result.isolation = raw.isolation
        if self.portal:
            result.assigned_ids = [str(i) for i in range(first_id, self.portal.backend.peek_next_id())]
            calls = self.portal.requests(run=built["callbackId"])
            result.api_calls = [_api_call(c) for c in calls]
            # A call the portal does not model needs scopes no one here knows: "unknown", never none.
            unknown = [UNKNOWN_SCOPES] if any(c["unmodelled"] for c in calls) else []
            result.scopes = sorted({s for c in calls for s in c["scopes"] or ()}) + unknown   # as scopes_needed()
            if any(c["status"] == 401 for c in calls):
                result.warnings += _unknown_tokens(values, self.portal)
        if budget:
            budget_module.judge(result, action.manifest.budget)
        result.warnings[:0] = [w for w in [self.runtime.warning, *warnings, *_above_hubspots(timeout, memory)] if w]
        result.warnings += secrets_module.unmasked(values)
        masked = masks.all(result)
        masked.warnings += secrets_module.shown(masked, values) + secrets_module.sent(masked, values)
        self._count_late_calls(str(action.folder), raw, masked)
        return masked

    def _count_late_calls(self, key: str, raw: RawOutcome, result: Result) -> None:
        """Late calls (refused connections of what a kept run left, found as the next run
        starts) count in the run that left them too: its result, already returned, gets the
        warning as well as this one."""
        earlier = self._kept.pop(key, None)
        if earlier is not None and raw.late_calls:
            earlier.warnings.append(
                f"{raw.late_calls} connection(s) to HubSpot's API or the network, made after this run had ended "
                "(by a thread or process it left), were refused (counted as the action's next run started)")
        if raw.kept:
            self._kept[key] = result

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

    def _masks(self, key: str, values: dict[str, str], warm: bool) -> Masks:
        """The masks of the run's secrets; on a warm run, also of those of the action's
        earlier warm runs since cool(): the kept module may hold them (read at import time)."""
        if not warm:
            return Masks(values)
        self._warm_masks[key] = self._warm_masks.get(key, Masks()).plus(values)
        return self._warm_masks[key]

    def fork_ahead(self, action: Action | str | Path, memory: float | None = None) -> None:
        """Have the next cold run of `action` find its action process forked already (`watch`
        calls it while it waits for a change). No run's secrets or event are in it."""
        if not isinstance(action, Action):
            action = load(action)
        memory = _limit("memory", hubspot_runtime.MEMORY_MB if memory is None else memory)
        self._runner.fork_ahead(str(action.folder), action.code, project.current().root, memory)

    def cool(self) -> None:
        """End warm workers: the next warm run of each action starts cold (a new test)."""
        self._runner.cool()
        self._warm_masks.clear()
        self._kept.clear()

    def close(self) -> None:
        self._runner.close()
        self._warm_masks.clear()
        self._kept.clear()

    def __enter__(self) -> Harness:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _check_arguments(**given) -> None:
    """TypeError naming the argument when one is of a type the run would misread: a string of
    hosts iterated as characters, a secret that is not a string, inputs that are no mapping."""
    def refuse(name, value, wanted):
        raise TypeError(f"{name}={text.cut(repr(value))}: {wanted}")

    for name, keys in (("inputs", "input field"), ("secrets", "secret"), ("environ", "variable")):
        value = given[name]
        if value is not None and not isinstance(value, Mapping):
            refuse(name, value, f"give a dict of {keys} names to values (got {type(value).__name__})")
        for key, item in (value or {}).items():
            if not isinstance(key, str):
                refuse(name, value, f"its keys are {keys} names, strings (got {type(key).__name__})")
            if name != "inputs" and not isinstance(item, str):
                refuse(name, value, f"{key} is {type(item).__name__} {item!r}: the environment holds strings only")
    hosts = given["allow_hosts"]
    if isinstance(hosts, str):
        refuse("allow_hosts", hosts, f"give a list of host names, e.g. [{hosts!r}] (a string is read as its characters)")
    if not isinstance(hosts, (list, tuple, set, frozenset)) or not all(isinstance(h, str) and h for h in hosts):
        refuse("allow_hosts", hosts, "give a list of host names, e.g. ['example.com', '127.0.0.1:8080']")
    if given["event"] is not None and not isinstance(given["event"], dict):
        refuse("event", given["event"], f"give the event as a dict (got {type(given['event']).__name__})")
    for name in ("event_file", "env_file"):
        if given[name] is not None and not isinstance(given[name], (str, os.PathLike)):
            refuse(name, given[name], f"give a path (got {type(given[name]).__name__})")
    object_id = given["object_id"]
    if object_id is not None and (isinstance(object_id, bool) or not isinstance(object_id, int) or object_id <= 0):
        refuse("object_id", object_id, "give the record's id as a whole number greater than 0")
    if given["callback_id"] is not None and not (isinstance(given["callback_id"], str) and given["callback_id"]):
        refuse("callback_id", given["callback_id"], "give the execution's callbackId as a non-empty string")
    for name in ("warm", "extended_event", "budget"):
        if not isinstance(given[name], bool):
            refuse(name, given[name], "give True or False")


def _api_call(logged: dict) -> dict:
    """One API call of a run as the report lists it (`body`: the JSON it sent, its text when
    not JSON, or None); a call the local portal does not model says so, with its scopes "unknown\"."""
    call = {k: logged[k] for k in ("method", "path", "query", "body", "status", "duration_ms", "scopes")}
    if logged["unmodelled"]:
        call.update(scopes=UNKNOWN_SCOPES, unmodelled=True)
    return call


def _above_hubspots(timeout: float, memory: float) -> list[str]:
    """Warnings for limits set above HubSpot's: a run that passes under them may fail there."""
    found = []
    if timeout > hubspot_runtime.TIMEOUT_SECONDS:
        found.append(f"timeout {timeout:g} s is above HubSpot's {hubspot_runtime.TIMEOUT_SECONDS:g} s: a run this long "
                     "passes here and times out in HubSpot")
    if memory > hubspot_runtime.MEMORY_MB:
        found.append(f"memory {memory:g} MB is above HubSpot's {hubspot_runtime.MEMORY_MB} MB: a run this large "
                     "passes here and is stopped in HubSpot")
    return found


def _limit(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ToolkitError(f"{name} = {value!r}: give a number greater than 0 ({'seconds' if name == 'timeout' else 'MB'})")
    return float(value)


def _at_process_limit(raw: RawOutcome) -> bool:
    """Whether the run met the process limit: main raised what fork() or a new thread raises
    there (EAGAIN), or the run left about as many processes as the limit allows."""
    raised = raw.raised or {}
    failed_to_start = raised.get("type") == "BlockingIOError" or (
        raised.get("type") == "RuntimeError" and "can't start new thread" in str(raised.get("message")))
    return bool(raw.isolation.get("processes")) and (
        failed_to_start or len(raw.leftover) >= sandbox.PROCESS_LIMIT - 8)


_LEFTOVER_NAMED = 5


def _interpret(action: Action, raw: RawOutcome, timeout: float, memory: float) -> Result:
    result = Result(action.name, "error", logs=raw.logs, duration_ms=raw.duration_ms, memory_mb=raw.peak_mb)
    if raw.leftover:
        # A few are named; a fork flood's thousand would bury the report.
        named = "; ".join(raw.leftover[:_LEFTOVER_NAMED])
        more = len(raw.leftover) - _LEFTOVER_NAMED
        result.warnings.append(
            f"the action left {len(raw.leftover)} process(es) running ({named}{f'; and {more:,} more' if more > 0 else ''}); "
            "they were stopped with the run, as HubSpot ends an execution's processes"
        )
    if _at_process_limit(raw):
        result.warnings.append(
            f"the run reached the limit of {sandbox.PROCESS_LIMIT:,} processes and threads at once (AWS Lambda's per "
            "execution environment): starting another failed, as a fork or thread flood fails there")
    if raw.threads:
        result.warnings.append(
            f"the action left {raw.threads} thread(s) running when main ended: " + (
                "they go on in the process kept for the next warm run (as in a reused HubSpot container), but "
                "reach neither HubSpot's API nor the network: each connection they make is refused, and counted "
                "in the next run's report" if raw.kept else "they were stopped with the run"))
    if raw.late_calls:
        result.warnings.append(
            f"{raw.late_calls} connection(s) to HubSpot's API or the network, made after the action's "
            "previous run had ended (by a thread or process it left), were refused")
    if raw.refused:
        result.warnings.append(
            f"the action tried to connect to {', '.join(raw.refused)}, which a local run refuses "
            "(HubSpot's API is reached through the local portal; --allow-host lets others through)")
    if raw.logs_dropped:
        result.warnings.append(f"the action printed more than the log keeps: {raw.logs_dropped:,} bytes dropped from the middle")

    if raw.kind == protocol.TIMEOUT:
        result.status = "timeout"
        result.error = Failure("Timeout", f"Task timed out after {raw.duration_ms / 1000:.2f} seconds")
    elif raw.kind == protocol.MEMORY:
        result.status = "memory"
        result.error = Failure(
            "MemoryLimitExceeded",
            f"Runtime exited with error: the execution used more than its {memory:g} MB of memory "
            f"(peak seen {raw.peak_mb:.0f} MB)",
            raw.raised["traceback"] if raw.raised else None,
        )
    elif raw.kind == protocol.MALFORMED:
        result.error = Failure("Runtime.ChannelError", f"the run's answer could not be read: {raw.problem}. An action "
                               "must not write to the toolkit's descriptors")
    elif raw.kind == protocol.DIED:
        result.exit = raw.exit
        how = (f"signal {raw.exit['signal']}" if raw.exit and raw.exit.get("signal")
               else f"exit status {raw.exit.get('exit_code') if raw.exit else '?'}")
        result.error = Failure("Runtime.ExitError", f"Runtime exited without a result ({how}): os._exit() or a crash ends the execution")
    elif raw.kind == protocol.RAISED:
        result.error, result.status, result.retry = _from_exception(raw.raised)
        if raw.raised.get("file") and _parses(raw.raised["file"]):
            result.warnings.append(
                f"{project.shown(raw.raised['file'])} uses syntax newer than Python {hubspot_runtime.PYTHON} (the "
                f"toolkit's Python {platform.python_version()} parses it): `hs-actions check "
                f"{project.shown(action.folder)}` names what needs which version")
        if raw.raised.get("main_kind"):
            line = returns.main_line(action.code)
            where = project.shown(action.code) + (f":{line}" if line else "")
            result.error.message = f"{returns.kind_message(raw.raised['main_kind'], where)}. Fix: {returns.KIND_FIX}"
        if raw.raised.get("http_status") and result.status == "error" and hubspot_runtime.is_retried_status(raw.raised["http_status"]):
            result.warnings.append(
                f"main raised {raw.raised['type']} for HTTP {raw.raised['http_status']}: HubSpot retries "
                "rate-limit and server errors raised as hubspot's ApiException; raise that to get a retry"
            )
    else:
        verdict = outputs.judge(raw.returned, action.manifest, action.code)
        result.output_fields = verdict.outputs
        result.output_errors = verdict.problems
        result.warnings += verdict.warnings
        if verdict.error:
            result.error = Failure(**verdict.error)
        else:
            result.status = "invalid_outputs" if verdict.problems else "success"
    return result


def _unknown_tokens(values: dict[str, str], portal) -> list[str]:
    """Why the local portal answered 401, when a secret holds a token it does not know (named,
    never shown), and how to give it one: a new user's first API call in a test meets this."""
    from hs_actions.portal.portal import LOCAL_TOKEN   # here: a run without a 401 never needs it

    unknown = sorted(name for name, value in values.items() if value and portal.backend.token(value) is None)
    if not unknown:
        return []
    return [f"the API answered 401: the local portal knows no token given in {', '.join(unknown)}. In a test, "
            f"register it first: portal.add_token(<its value>, [scopes]); for `hs-actions run`, give the secret "
            f"the local portal's token ({LOCAL_TOKEN}) in .env, or seed a token (`hs-actions portal seed`, key tokens)"]


def _parses(path: str) -> bool:
    """Whether the toolkit's own (newer) Python parses the file HubSpot's 3.9 refused."""
    try:
        ast.parse(Path(path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return False
    return True


def _from_exception(raised: dict) -> tuple[Failure, str, str | None]:
    error = Failure(raised["type"], raised["message"], raised["traceback"])
    if raised.get("refused"):  # the network guard's refusal, however wrapped: that is the news
        error.refused_connection = True
        error.message = protocol.REFUSAL.format(host=raised["refused"])
    if raised["type"] == "SystemExit":
        error.message = f"main called sys.exit({raised['exit_code']!r}): the runtime exits and HubSpot fails the execution"
        return error, "error", None
    status = raised.get("http_status")
    if status and raised["module"].startswith("hubspot") and hubspot_runtime.is_retried_status(status):
        return error, "retry", hubspot_runtime.RETRY_POLICY
    return error, "error", None
