"""The helpers give the same answers on HubSpot's Python 3.9 as on the toolkit's Python."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hs_actions.harness import runtime

ROOT = Path(__file__).resolve().parents[2]
CASES = [
    ("phone", "to_e164", ["(415) 555-0100"]),
    ("phone", "to_e164", ["020 7946 0958", "44"]),
    ("phone", "to_e164", ["0044 20 7946 0958"]),
    ("phone", "to_e164", ["415 555 0100 x12"]),
    ("phone", "to_e164", ["555 0100"]),
    ("dates", "date_to_ms", ["1706700000000"]),
    ("dates", "date_to_ms", ["2024-01-31T23:30:00-02:00"]),
    ("dates", "datetime_to_ms", ["2024-01-31T10:00:00.123Z"]),
    ("dates", "datetime_to_ms", ["2024-01-31T10:00:00.123456+00:00"]),
    ("dates", "days_between", ["1706659200000", "2024-02-29"]),
    ("dates", "to_date", ["31/01/2024"]),
    ("properties", "api_object_type", ["LINE_ITEM"]),
    ("properties", "to_property_value", [True]),
]
SCRIPT = """
import importlib, json, sys
sys.path.insert(0, sys.argv[1])
answers = []
for module, function, args in json.loads(sys.argv[2]):
    try:
        value = getattr(importlib.import_module("shared.helpers." + module), function)(*args)
        answers.append(["ok", str(value)])
    except ValueError as error:
        answers.append(["ValueError", str(error)])
print(json.dumps(answers))
"""


def answers(python):
    done = subprocess.run([python, "-c", SCRIPT, str(ROOT), json.dumps(CASES)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.skipif(runtime.current().fallback, reason="HubSpot's runtime is not prepared")
def test_same_answers_on_python_39():
    on_toolkit = answers(sys.executable)
    assert [kind for kind, _ in on_toolkit] == ["ok", "ok", "ok", "ValueError", "ValueError", "ok", "ok", "ok", "ok",
                                               "ok", "ValueError", "ok", "ok"]
    assert answers(str(runtime.current().python)) == on_toolkit
