"""Secrets as HubSpot gives them: only the ticked ones, as environment variables.

Values come from, in order: explicit values (a test's), the process environment, the .env
file. Everything else in the developer's environment is withheld from the action. How their
values are masked in what a run shows: hs_actions/core/masking.py.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

from hs_actions.core import files, hubspot_runtime, project
from hs_actions.core.errors import SecretError
from hs_actions.core.masking import MASK, MASK_MIN_LENGTH


def resolve(
    declared: tuple[str, ...],
    *,
    explicit: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    env_file: Path | None = None,
) -> dict[str, str]:
    """The values of the declared secrets; SecretError naming the secret when one is missing.

    `env_file` defaults to the project's .env, which may be absent; a file named explicitly
    must exist.
    """
    explicit = explicit or {}
    environ = {} if environ is None else environ

    def given(name: str) -> str | None:
        return next((str(source[name]) for source in (explicit, environ) if source.get(name) not in (None, "")), None)

    found = {name: given(name) for name in declared}
    # The project's .env is read only when a secret is still missing (a simulation gives every
    # value, and runs thousands of times); a file named explicitly is always read: it must exist.
    file_values = {}
    if env_file is not None:
        file_values = files.read_env(Path(env_file), required=True)
    elif None in found.values():
        env_file = project.current().env_file
        file_values = files.read_env(env_file, required=False)
    values: dict[str, str] = {}
    for name in declared:
        value = found[name] if found[name] is not None else file_values.get(name)
        if value in (None, ""):
            raise SecretError(
                f"secret {name} has no value: looked in the values given to the run, the "
                f"environment and {env_file}. Add `{name}=...` to {env_file} (see .env.example) "
                f"or export it; in HubSpot, tick {name} under the action's secrets."
            )
        values[name] = str(value)
    total = sum(len(v) for v in values.values())
    if total > hubspot_runtime.SECRETS_TOTAL_MAX:
        sizes = ", ".join(f"{n}: {len(v):,}" for n, v in values.items())
        raise SecretError(
            f"the secrets of this action total {total:,} characters ({sizes}); HubSpot allows "
            f"at most {hubspot_runtime.SECRETS_TOTAL_MAX:,} characters of secret values per action"
        )
    return values


def unmasked(secrets: Mapping[str, str]) -> list[str]:
    """Warnings for the secrets too short to be masked."""
    return [f"secret {name} is only {len(value)} characters long, too short to mask without mangling the "
            f"output, so it is shown as it is (real tokens are far longer)"
            for name, value in secrets.items() if 0 < len(value) < MASK_MIN_LENGTH]


def shown(result, secrets: Mapping[str, str]) -> list[str]:
    """Warnings for the secrets a run printed or returned, naming where: `result` is masked
    already, so a secret is there as its mask (a new user expects to be told, not to find
    a clean success)."""
    places: dict[str, list[str]] = {}
    for name, mask in _masked(secrets):
        if mask in result.logs:
            places.setdefault(name, []).append("the logs")
        places.setdefault(name, []).extend(
            f"output {output!r}" for output, got in result.output_fields.items()
            if mask in str(output) or mask in json.dumps(got, default=str))
        if result.error and mask in f"{result.error.message}\n{result.error.traceback or ''}":
            places.setdefault(name, []).append("the error")
    return [f"the action printed or returned secret {name} (in {', '.join(where)}): masked here, but nothing "
            f"says HubSpot masks an action's logs or outputs, which everyone who can see the workflow reads"
            for name, where in places.items() if where]


def sent(result, secrets: Mapping[str, str]) -> list[str]:
    """Warnings for the secrets a run sent to HubSpot's API as data (a query or a body), not as
    its Authorization header: `result` is masked already, as for shown(). HubSpot keeps what
    it is sent as a property value or a note, where anyone who can see the record reads it."""
    places: dict[str, list[str]] = {}
    for name, mask in _masked(secrets):
        for call in result.api_calls:
            parts = [part for part in ("query", "body") if mask in json.dumps(call.get(part), default=str)]
            if parts:
                places.setdefault(name, []).append(f"the {' and '.join(parts)} of {call['method']} {call['path']}")
    return [f"the action sent secret {name} to HubSpot's API as data (in {', '.join(dict.fromkeys(where))}): masked "
            f"here, but HubSpot keeps what it is sent (a property value, a note) where anyone who can see the "
            f"record reads it; send a token only as the Authorization header"
            for name, where in places.items()]


def _masked(secrets: Mapping[str, str]):
    """(name, its mask) of each secret long enough to be masked: what a masked result holds instead."""
    return [(name, MASK.format(name=name)) for name, value in secrets.items() if len(value) >= MASK_MIN_LENGTH]
