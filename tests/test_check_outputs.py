"""check, rule output-undeclared: keys returned in outputFields that action.toml does not declare."""
import textwrap

import pytest

from hs_actions.bundler import check
from hs_actions.harness import runtime


@pytest.fixture(autouse=True)
def _from_the_project(tmp_path, monkeypatch):
    """check prints paths relative to where it is run: here, the project in tmp_path."""
    monkeypatch.chdir(tmp_path)


MANIFEST = 'object_type = "CONTACT"\n[outputs]\ndays = "number"\nstage = { type = "enumeration", options = ["a"] }\n'


def findings(tmp_path, code):
    folder = tmp_path / "actions" / "demo"
    folder.mkdir(parents=True)
    (folder / "action.py").write_text(textwrap.dedent(code))
    (folder / "action.toml").write_text(MANIFEST)
    return [str(f) for f in check([folder], tmp_path, runtime=runtime.fallback()) if f.rule == "output-undeclared"]


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
