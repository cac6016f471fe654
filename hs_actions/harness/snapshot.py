"""Snapshots of runs: what a run produced (status, outputs, and each API call's method, path,
query and body) kept as JSON beside the test, compared at each run, written again on request.

What the pytest fixture `hs_snapshot` (pytest_plugin.py) stands on, as Jest's and syrupy's
snapshots do: a snapshot missing or different fails the test with a readable diff, and
`pytest --hs-snapshot-update` writes those missing or different instead.

Values that change from run to run would make a snapshot fail for nothing; before anything is
stored or compared they are replaced (normalised):
  - ids the local portal assigned while the run ran (Result.assigned_ids): "<id 1>", "<id 2>"...
    in the order assigned, as a whole string or number, or as a segment of a path or query;
  - times within a day of now: ISO 8601 dates and times, and Unix seconds or milliseconds (as
    numbers or digit strings): "<now>". A fixed date (a test's own input) is kept.
Secrets never reach a snapshot: a Result holds them masked already ("[secret NAME]").
"""
from __future__ import annotations

import datetime
import difflib
import hashlib
import json
import re
import time
from pathlib import Path

from hs_actions.core import project
from hs_actions.core.files import write_atomic
from hs_actions.core.text import escaped
from hs_actions.harness.result import Result

FOLDER = "__snapshots__"
UPDATE_OPTION = "--hs-snapshot-update"
NOW = "<now>"
_DAY = 24 * 3600
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?")
_TOKEN = re.compile(r"[^/?&=,;]+")     # the parts of a path or query an id can be
_UNSAFE = re.compile(r"[^\w.\[\]-]")   # characters a test's name may have that a file name should not


def path_for(test_file: Path, test_name: str, index: int) -> Path:
    """__snapshots__/<test file's stem>/<test name>.json beside the test file; the second and
    later snapshots of one test add .2, .3... A name with characters a file name should not
    have gets them as _ and a short hash of the name as it was, so that two tests whose names
    differ only there ("a/b" and "a_b") never share a file."""
    name = _UNSAFE.sub("_", test_name)
    if name != test_name:
        name += "-" + hashlib.sha256(test_name.encode()).hexdigest()[:8]
    name += "" if index == 1 else f".{index}"
    return test_file.parent / FOLDER / test_file.stem / f"{name}.json"


def document(result: Result, now: float | None = None) -> dict:
    """What a snapshot of `result` holds, normalised (see the module's docstring)."""
    calls = []
    for call in result.api_calls:
        kept = {"method": call["method"], "path": call["path"]}
        if call.get("query"):
            kept["query"] = call["query"]
        if call.get("body") is not None:
            kept["body"] = call["body"]
        calls.append(kept)
    found = {"status": result.status, "outputs": result.outputs, "api_calls": calls}
    ids = {assigned: f"<id {n}>" for n, assigned in enumerate(result.assigned_ids, 1)}
    return _normalised(found, ids, time.time() if now is None else now)


def check(path: Path, found: dict, update: bool) -> tuple[bool, str | None]:
    """Compare `found` with the snapshot at `path`: (written, problem). With `update` a snapshot
    missing or different is written (whole) and there is no problem; without, the problem says
    what differs, as a diff, and how to accept it."""
    text = dump(found)
    shown = project.shown(path)
    try:
        stored_text = path.read_text(encoding="utf-8")
        stored = json.loads(stored_text)
    except FileNotFoundError:
        stored_text = stored = None
    except (ValueError, UnicodeDecodeError) as error:
        stored_text, stored = "", error
    if stored == json.loads(text):
        return False, None
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
        return True, None
    # Both ways of writing them: in a project, `hs-actions test` is how its tests are run.
    update = f"pytest {UPDATE_OPTION} (or hs-actions test --snapshot-update)"
    accept = f"If the change is intended, run {update} and commit the snapshot."
    if stored is None:
        return False, f"no snapshot {shown} yet: run {update} to write it, then commit it"
    if isinstance(stored, Exception):
        return False, f"snapshot {shown} is not JSON ({stored}): {accept}"
    diff = difflib.unified_diff(dump(stored).splitlines(), text.splitlines(), "snapshot", "this run", lineterm="", n=2)
    return False, escaped(f"the run differs from its snapshot {shown} (- snapshot, + this run):\n"
                          + "\n".join(list(diff)[2:]) + f"\n{accept}", keep="\n")


def dump(found: dict) -> str:
    """A snapshot's text: stable (sorted keys), one value a line, so its diffs read well."""
    return json.dumps(found, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _normalised(value, ids: dict[str, str], now: float):
    if isinstance(value, dict):
        return {_normalised(key, ids, now): _normalised(item, ids, now) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalised(item, ids, now) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, int) and str(value) in ids:
            return ids[str(value)]
        return NOW if _is_now(value, now) else value
    if isinstance(value, str):
        if value in ids:
            return ids[value]
        if value.isdigit() and _is_now(int(value), now):
            return NOW
        if _ISO.fullmatch(value):
            return NOW if _iso_is_now(value, now) else value
        if ids and ("/" in value or "=" in value):   # a path or a query
            return _TOKEN.sub(lambda token: ids.get(token.group(), token.group()), value)
    return value


def _is_now(number: float, now: float) -> bool:
    """Unix seconds or milliseconds within a day of now."""
    return abs(number - now) < _DAY or abs(number / 1000 - now) < _DAY


def _iso_is_now(text: str, now: float) -> bool:
    try:
        when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T"))
    except ValueError:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    if len(text) == 10:   # a date: today's, yesterday's or tomorrow's, wherever the run was
        return abs(when.timestamp() - now) < 2 * _DAY
    return abs(when.timestamp() - now) < _DAY
