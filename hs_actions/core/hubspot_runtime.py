"""HubSpot's custom-code runtime as the toolkit models it, read from hubspot_runtime.toml."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hs_actions.core.tomlfile import tomllib


_DATA = tomllib.loads((Path(__file__).with_name("hubspot_runtime.toml")).read_text())


@dataclass(frozen=True)
class Library:
    distribution: str
    version: str
    imports: tuple[str, ...]
    core: bool
    brings: tuple[str, ...] = ()      # modules of its dependencies, importable with it


PYTHON: str = _DATA["python"]
TIMEOUT_SECONDS: float = _DATA["limits"]["timeout_seconds"]
MEMORY_MB: int = _DATA["limits"]["memory_mb"]
OUTPUT_STRING_MAX: int = _DATA["limits"]["output_string_max"]
SECRETS_TOTAL_MAX: int = _DATA["limits"]["secrets_total_max"]
MAX_INPUTS: int = _DATA["limits"]["max_inputs"]

LIBRARIES: tuple[Library, ...] = tuple(
    Library(name, spec["version"], tuple(spec["imports"]), spec.get("core", False), tuple(spec.get("brings", ())))
    for name, spec in _DATA["libraries"].items()
)
API_HOST: str = _DATA["api"]["host"]
ENVIRONMENT: dict[str, str] = dict(_DATA["environment"])
OUTPUT_TYPES: dict[str, str] = dict(_DATA["output_types"])
OUTPUT_TYPES_API: dict[str, str] = dict(_DATA["output_types_api"])
API_RUNTIME: str = _DATA["api"]["runtime"]
STANDARD_OBJECT_TYPES: tuple[str, ...] = tuple(_DATA["object_types"]["standard"])
_CUSTOM_OBJECT_TYPE = re.compile(_DATA["object_types"]["custom_pattern"])

_RETRY = _DATA["retry"]
RETRY_POLICY = (
    f"HubSpot would retry this execution: first after {_RETRY['first_after']}, "
    f"then at growing intervals at most {_RETRY['max_gap']} apart, "
    f"for up to {_RETRY['gives_up_after']}."
)

RETRY_FIRST_AFTER_SECONDS: float = _RETRY["first_after_seconds"]
RETRY_MAX_GAP_SECONDS: float = _RETRY["max_gap_seconds"]
RETRY_GIVES_UP_AFTER_SECONDS: float = _RETRY["gives_up_after_seconds"]
RETRY_BACKOFF_FACTOR: float = _RETRY["backoff_factor"]   # unconfirmed: an option of simulate


def is_retried_status(status: int) -> bool:
    """True for the HTTP statuses that make HubSpot retry an execution (429 and 5xx)."""
    low, high = _RETRY["server_errors"]
    return status in _RETRY["statuses"] or low <= status <= high


def is_object_type(name: str) -> bool:
    return name in STANDARD_OBJECT_TYPES or is_custom_object_type(name)


def is_custom_object_type(name: str) -> bool:
    """A custom object's type id (2-<n>)."""
    return bool(_CUSTOM_OBJECT_TYPE.match(name))


def requirements(core_only: bool = False) -> list[str]:
    """pip requirement lines for the runtime environment."""
    return [f"{lib.distribution}=={lib.version}" for lib in LIBRARIES if lib.core or not core_only]
