"""check, rule output-undeclared: keys returned in outputFields that action.toml does not declare."""
import textwrap

import pytest

from hs_actions.check import check
from hs_actions.harness import runtime
from tests.support import write_action


MANIFEST = 'object_type = "CONTACT"\n[outputs]\ndays = "number"\nstage = { type = "enumeration", options = ["a"] }\n'


def findings(tmp_path, code):
    folder, helpers_dir = write_action(tmp_path, code, MANIFEST)
    return [str(f) for f in check([folder], helpers_dir, runtime=runtime.fallback()) if f.rule == "output-undeclared"]


def undeclared(line, name):
    return (f"actions/demo/action.py:{line}: output-undeclared: the output field {name!r} is returned but not "
            f"declared in actions/demo/action.toml, so HubSpot flags it and later actions cannot use it. Fix: "
            f'declare it under [outputs] in actions/demo/action.toml ({name} = "string", or its type) and in '
            f"HubSpot's data outputs, or stop returning it")


def test_undeclared_keys_in_a_returned_dict_literal_are_found(tmp_path):
    assert findings(tmp_path, '''\
        def main(event):
            if event:
                return {"outputFields": {"days": 1, "stage": "a", "dayz": 2}}
            return {
                "outputFields": {
                    "days": 1,
                    "extra": True,
                },
            }
        ''') == [undeclared(3, "dayz"), undeclared(7, "extra")]


def test_keys_of_a_dict_built_in_a_variable_are_found(tmp_path):
    assert findings(tmp_path, '''\
        def main(event):
            outputs = {"days": 1}
            outputs["note"] = "x"
            outputs["stage"] = "a"
            return {"outputFields": outputs}
        ''') == [undeclared(3, "note")]


def test_declared_outputs_pass(tmp_path):
    assert findings(tmp_path, '''\
        def main(event):
            outputs = {"days": 1}
            outputs["stage"] = "a"
            if event:
                return {"outputFields": {"days": 2}}
            return {"outputFields": outputs}
        ''') == []


def test_outputs_not_statically_visible_are_not_guessed(tmp_path):
    assert findings(tmp_path, '''\
        def main(event):
            if event:
                return {"outputFields": dict(**event)}
            return {"outputFields": make(event)}
        ''') == []


def test_keys_of_dict_calls_are_found(tmp_path):
    assert findings(tmp_path, '''\
        def main(event):
            if event:
                return {"outputFields": dict(days=1, dayz=2)}
            out = dict(stage="a", extra=True)
            return {"outputFields": out}
        ''') == [undeclared(3, "dayz"), undeclared(4, "extra")]


TYPED = '''\
object_type = "CONTACT"
[outputs]
name = "string"
count = "number"
done = "boolean"
when = "datetime"
day = "date"
stage = { type = "enumeration", options = ["early", "late"] }
'''


def typed(tmp_path, code):
    folder = tmp_path / "actions" / "demo"
    folder.mkdir(parents=True)
    (folder / "action.py").write_text(textwrap.dedent(code))
    (folder / "action.toml").write_text(TYPED)
    return [str(f) for f in check([folder], tmp_path, runtime=runtime.fallback()) if f.rule == "output-type"]


def wrong(line, name, kind, problem):
    return (f"actions/demo/action.py:{line}: output-type: output {name!r} ({kind}): {problem}. Fix: return a value "
            f"of type {kind} here, or declare the type it has in actions/demo/action.toml and in HubSpot")


@pytest.mark.parametrize("string_outputs", ["text", "strict"])
def test_literal_values_that_cannot_be_the_declared_type_are_found(tmp_path, monkeypatch, string_outputs):
    """By default (string_outputs = "text") a list or dict for a string output is stored as its
    text, so check leaves it to the run's warning; strict makes it an error here too."""
    monkeypatch.setenv("HS_ACTIONS_STRING_OUTPUTS", string_outputs)
    found = typed(tmp_path, '''\
        def main(event):
            if event:
                return {"outputFields": {
                    "name": ["a", "b"],
                    "count": "12",
                    "done": "true",
                    "when": f"{event}",
                    "day": 1714525200000,
                    "stage": "middle",
                }}
            outputs = {"name": {"first": event}}
            outputs["count"] = True
            if event is None:
                return {"outputFields": outputs}
            return {"outputFields": dict(done=1, name=[x for x in event])}
        ''')
    expected = [
        wrong(4, "name", "string", "expected a string, got list ['a', 'b']"),
        wrong(5, "count", "number", "expected a number, got str '12'"),
        wrong(6, "done", "boolean", "expected true or false, got str 'true'"),
        wrong(7, "when", "datetime", "expected a number (Unix milliseconds), got str f'{event}'"),
        wrong(8, "day", "date", "1714525200000 is 2024-05-01T01:00:00Z, not midnight UTC; a date output is the "
                                "day's midnight UTC in milliseconds, e.g. 1714521600000"),
        wrong(9, "stage", "enumeration", "'middle' is not one of its options: 'early', 'late'"),
        wrong(11, "name", "string", "expected a string, got dict {'first': event}"),
        wrong(12, "count", "number", "expected a number, got bool True"),
        wrong(15, "done", "boolean", "expected true or false, got int 1"),
        wrong(15, "name", "string", "expected a string, got list [x for x in event]"),
    ]
    if string_outputs == "text":
        expected = [f for f in expected if "'name' (string)" not in f]
    assert found == expected


def test_values_of_the_right_type_or_not_literal_pass(tmp_path):
    assert typed(tmp_path, '''\
        def main(event):
            count = len(event)
            return {"outputFields": {
                "name": f"{event}",
                "count": -1.5,
                "done": None,
                "when": 1714525200000,
                "day": 1714521600000,
                "stage": f"{event}",
                "undeclared": [1],
            }} if event else {"outputFields": {"name": str(count), "count": count, "stage": "late"}}
        ''') == []


def test_a_name_action_toml_cannot_declare_is_to_be_renamed_not_declared(tmp_path):
    # Seen in a published action: an output named in Portuguese, with spaces and accents.
    assert findings(tmp_path, '''\
        def main(event):
            return {"outputFields": {"days": 1, "Área de Atuação": "x", "2nd": 2}}
        ''') == [
        "actions/demo/action.py:2: output-undeclared: the output field '2nd' is returned but not "
        "declared in actions/demo/action.toml, so HubSpot flags it and later actions cannot use it. Fix: rename it "
        "in the code, as action.toml cannot declare '2nd' (use letters, digits and _, not starting "
        "with a digit), and declare that under [outputs] in actions/demo/action.toml and "
        "in HubSpot's data outputs, or stop returning it",
        "actions/demo/action.py:2: output-undeclared: the output field 'Área de Atuação' is returned but not "
        "declared in actions/demo/action.toml, so HubSpot flags it and later actions cannot use it. Fix: rename it "
        "in the code, as action.toml cannot declare 'Área de Atuação' (use letters, digits and _, not starting "
        "with a digit), and declare that under [outputs] in actions/demo/action.toml and "
        "in HubSpot's data outputs, or stop returning it",
    ]
