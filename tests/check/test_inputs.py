"""check, rule input-undeclared: input fields main reads that action.toml does not declare."""

from hs_actions.check import check
from hs_actions.harness import runtime
from tests.support import write_action


MANIFEST = 'object_type = "CONTACT"\n[inputs]\nemail = "email"\ncampaign = { value = "spring" }\n'


def findings(tmp_path, code):
    folder, helpers_dir = write_action(tmp_path, code, MANIFEST)
    return [str(f) for f in check([folder], helpers_dir, runtime=runtime.fallback()) if f.rule == "input-undeclared"]


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
