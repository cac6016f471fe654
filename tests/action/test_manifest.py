"""action.toml: the documented form is accepted; every mistake is named with its field."""
import pytest

from hs_actions.core.errors import ManifestError
from hs_actions.action import manifest
from hs_actions.action.manifest import InputField, OutputField

DOCUMENTED = '''
description = "Days from creation to MQL"
object_type = "CONTACT"
secrets = ["TEST_SECRET"]

[inputs]
createdate = "createdate"
campaign = { value = "spring" }

[outputs]
days = "number"
stage = { type = "enumeration", options = ["early", "late"] }
'''


def load(tmp_path, text):
    path = tmp_path / "action.toml"
    path.write_text(text)
    return manifest.load(path)


def test_documented_form(tmp_path):
    m = load(tmp_path, DOCUMENTED)
    assert m.description == "Days from creation to MQL"
    assert m.object_type == "CONTACT"
    assert m.secrets == ("TEST_SECRET",)
    assert m.inputs == (InputField("createdate", property="createdate"), InputField("campaign", value="spring"))
    assert m.outputs == (OutputField("days", "number"), OutputField("stage", "enumeration", ("early", "late")))


@pytest.mark.parametrize("kind", ["string", "number", "boolean", "datetime", "date", "phone_number"])
def test_every_output_type(tmp_path, kind):
    assert load(tmp_path, f'object_type = "DEAL"\n[outputs]\nx = "{kind}"\n').outputs[0].type == kind


def test_custom_object_type_id(tmp_path):
    assert load(tmp_path, 'object_type = "2-1234567"\n').object_type == "2-1234567"


@pytest.mark.parametrize("text, message", [
    ('object_type = "CONTACT"\n[outputs]\nx = "strnig"\n',
     "outputs.x: unknown type 'strnig' (did you mean 'string'?); use one of string, number, boolean, datetime, date, enumeration, phone_number"),
    ('object_type = "CONTACT"\n[outputs]\nx = "enumeration"\n',
     'outputs.x: an enumeration needs options, e.g. x = { type = "enumeration", options = ["a", "b"] }'),
    ('object_type = "CONTACT"\n[outputs]\nx = { type = "string", options = ["a"] }\n',
     "outputs.x.options: only enumeration outputs take options; this one is string"),
    ('object_type = "CONTACT"\n[outputs]\nx = { type = "enumeration", options = ["a", "a"] }\n',
     "outputs.x.options: an option is listed twice"),
    ('object_type = "CONTACT"\nsecrets = ["TOKEN", "TOKEN"]\n', "secrets: 'TOKEN' is listed twice"),
    ('object_type = "CONTACT"\nsecrets = "TOKEN"\n', 'secrets: must be a list of names, e.g. secrets = ["TEST_SECRET"], not a string'),
    ('object_type = "CONTACT"\nsecrets = ["my token"]\n', "secrets: 'my token' is not a secret name: use letters, digits and _, not starting with a digit"),
    ('object_type = "CONTACT"\nsecret = ["TOKEN"]\n', "secret: unknown key (did you mean 'secrets'?); known keys: description, object_type, secrets, inputs, outputs"),
    ('object_type = "CONTACT"\n[inputs]\nx = { property = "a", value = "b" }\n', 'inputs.x: give either a property name or { value = "..." }, not both or neither'),
    ('object_type = "CONTACT"\n[inputs]\nx = { prop = "a" }\n', "inputs.x.prop: unknown key (did you mean 'property'?); known keys: property, value"),
    ('object_type = "CONTACT"\n[inputs]\nx = 3\n', 'inputs.x: must be a property name or { value = "..." }, not int'),
    ('object_type = "CONTACT"\n[inputs]\n"my-var" = "a"\n', "inputs.my-var: 'my-var' is not a valid name: use letters, digits and _, not starting with a digit"),
    ('description = "x"\n', 'object_type: missing: say what the workflow enrolls, e.g. object_type = "CONTACT"'),
    ('object_type = "CONTACTS"\n', "object_type: 'CONTACTS' is not an object type HubSpot enrolls (did you mean 'CONTACT'?)."),
])
def test_mistakes_are_named(tmp_path, text, message):
    with pytest.raises(ManifestError) as caught:
        load(tmp_path, text)
    assert str(caught.value).startswith(f"{tmp_path / 'action.toml'}: {message}")


def test_more_than_50_inputs(tmp_path):
    inputs = "".join(f'p{i} = "prop{i}"\n' for i in range(51))
    with pytest.raises(ManifestError, match=r"inputs: 51 input fields; HubSpot allows at most 50 per action"):
        load(tmp_path, 'object_type = "CONTACT"\n[inputs]\n' + inputs)
    assert len(load(tmp_path, 'object_type = "CONTACT"\n[inputs]\n' + inputs.split("p50")[0]).inputs) == 50


def test_duplicate_name_is_a_toml_error_with_its_line(tmp_path):
    with pytest.raises(ManifestError, match=r"action.toml: invalid TOML: Cannot overwrite a value \(at line 4, column \d+\)"):
        load(tmp_path, 'object_type = "CONTACT"\n[outputs]\ndays = "number"\ndays = "string"\n')


def test_invalid_toml(tmp_path):
    with pytest.raises(ManifestError, match=r"action.toml: invalid TOML: .*\(at line 1, column 15\)"):
        load(tmp_path, 'object_type = CONTACT\n')


def test_missing_manifest(tmp_path):
    with pytest.raises(ManifestError, match=r"action.toml: not found. Every action folder needs an action.toml; `hs-actions new NAME` writes one."):
        manifest.load(tmp_path / "action.toml")
