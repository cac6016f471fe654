"""check, rule input-undeclared: input fields main reads that action.toml does not declare."""
import textwrap

import pytest

from hs_actions.check import check
from hs_actions.harness import runtime


@pytest.fixture(autouse=True)
def _from_the_project(tmp_path, monkeypatch):
    """check prints paths relative to where it is run: here, the project in tmp_path."""
    monkeypatch.chdir(tmp_path)


MANIFEST = 'object_type = "CONTACT"\n[inputs]\nemail = "email"\ncampaign = { value = "spring" }\n'


def findings(tmp_path, code):
    folder = tmp_path / "actions" / "demo"
    folder.mkdir(parents=True)
    (folder / "action.py").write_text(textwrap.dedent(code))
    (folder / "action.toml").write_text(MANIFEST)
    return [str(f) for f in check([folder], tmp_path, runtime=runtime.fallback()) if f.rule == "input-undeclared"]


def undeclared(line, name):
    return (f"actions/demo/action.py:{line}: input-undeclared: the input field {name!r} is read here but not "
            f"declared in actions/demo/action.toml, so HubSpot does not send it. Fix: declare it under [inputs] "
            f'in actions/demo/action.toml ({name} = "<property name>") and add it in HubSpot\'s properties to '
            f"include in code")


def test_every_way_of_reading_an_input_field_is_seen(tmp_path):
    assert findings(tmp_path, '''\
        def main(evt):
            a = evt["inputFields"]["phone"]
            b = evt["inputFields"].get("firstname")
            c = evt.get("inputFields").get("lastname", "")
            fields = evt.get("inputFields", {})
            d = fields["company"]
            e = fields.get("email")
            f = fields.get("campaign")
            other = {"inputFields": 1}
            g = other.get("notaninput")
            return {}
        ''') == [undeclared(2, "phone"), undeclared(3, "firstname"), undeclared(4, "lastname"),
                 undeclared(6, "company")]


def test_declared_inputs_pass(tmp_path):
    assert findings(tmp_path, '''\
        def main(event):
            email = event["inputFields"]["email"]
            return {"outputFields": {"e": email, "c": event["inputFields"].get("campaign")}}
        ''') == []
