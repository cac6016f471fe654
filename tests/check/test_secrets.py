"""check, rules secret-undeclared and secret-unused: the secrets code reads against those
action.toml declares (what is ticked in HubSpot)."""

from hs_actions.check import check
from hs_actions.check import WARNING, has_errors
from hs_actions.harness import runtime
from tests.support import write_action


def findings(tmp_path, code, secrets, helpers=None):
    manifest = f'object_type = "CONTACT"\nsecrets = {secrets!r}\n'.replace("'", '"')
    folder, helpers_dir = write_action(tmp_path, code, manifest, helpers)
    return [str(f) for f in check([folder], helpers_dir, runtime=runtime.fallback()) if f.rule.startswith("secret-")]


def undeclared(line, name, file="actions/demo/action.py", where="", toml="actions/demo/action.toml"):
    return (f"{file}:{line}: secret-undeclared: the secret {name!r} is read here{where} but not declared in "
            f"{toml}, so HubSpot gives the code None for it. Fix: add it to secrets in "
            f'{toml} (secrets = [..., "{name}"]) and tick it in HubSpot')


def unused(name):
    return (f"actions/demo/action.toml:2: secret-unused: the secret {name!r} is declared but the code never "
            f"reads it. Fix: remove it from secrets here and untick it in HubSpot, or read it "
            f'(os.getenv("{name}"))')


def test_every_way_of_reading_a_secret_is_seen(tmp_path):
    assert findings(tmp_path, '''\
        import os
        import os as system
        from os import environ, getenv
        from shared.helpers.client import hubspot_client
        from shared.helpers import client


        def main(event):
            a = os.getenv("A")
            b = os.environ["B"]
            c = os.environ.get("C", "default")
            d = system.getenv(key="D")
            e = environ["E"]
            f = getenv("F")
            g = hubspot_client("G")
            h = client.hubspot_client(secret="H")
            i = "I" in os.environ
            tz = os.environ["TZ"]          # set by HubSpot's runtime, not a secret
            return {}
        ''', [], {"client": "import os\n\n\ndef hubspot_client(secret):\n    return os.environ.get(secret)\n"}) == [
        undeclared(9, "A"), undeclared(10, "B"), undeclared(11, "C"), undeclared(12, "D"), undeclared(13, "E"),
        undeclared(14, "F"), undeclared(15, "G"), undeclared(16, "H"), undeclared(17, "I"),
    ]


def test_declared_and_read_secrets_pass(tmp_path):
    assert findings(tmp_path, '''\
        import os
        from shared.helpers.client import hubspot_client


        def main(event):
            return {"outputFields": {"a": os.getenv("token"), "b": hubspot_client("hs_app")}}
        ''', ["token", "hs_app"], {"client": "import os\n\n\ndef hubspot_client(secret):\n    return os.environ[secret]\n"}) == []


def test_declared_secrets_never_read_are_found(tmp_path):
    assert findings(tmp_path, 'import os\n\n\ndef main(event):\n    return {"t": os.getenv("token")}\n',
                    ["token", "old_key"]) == [unused("old_key")]


def test_a_secret_name_the_code_computes_keeps_unused_silent(tmp_path):
    assert findings(tmp_path, 'import os\nNAME = "token"\n\n\ndef main(event):\n    return {"t": os.getenv(NAME)}\n',
                    ["token", "other"]) == []


def test_a_helper_reading_a_secret_by_name_counts_for_the_action(tmp_path):
    helper = {"creds": 'import os\n\n\ndef token():\n    return os.getenv("PRIVATE_APP")\n'}
    assert findings(tmp_path, "from shared.helpers.creds import token\n", [], helper) == [
        undeclared(5, "PRIVATE_APP", "shared/helpers/creds.py", " (this helper is inlined into actions/demo)"),
    ]
    assert findings(tmp_path / "declared", "from shared.helpers.creds import token\n", ["PRIVATE_APP"], helper) == []


def test_only_helper_code_the_action_uses_counts(tmp_path):
    helper = {"creds": 'import os\n\n\ndef token():\n    return os.getenv("PRIVATE_APP")\n\n\n'
                       'def other():\n    return os.getenv("OTHER_APP")\n'}
    assert findings(tmp_path, "from shared.helpers.creds import token\n", ["PRIVATE_APP"], helper) == []
    assert findings(tmp_path / "both", "from shared.helpers import creds\n\n\ndef main(event):\n"
                                       "    return creds.token(), creds.other()\n", ["PRIVATE_APP"], helper) == [
        undeclared(9, "OTHER_APP", "shared/helpers/creds.py", " (this helper is inlined into both/actions/demo)",
                   "both/actions/demo/action.toml"),
    ]


def test_an_unused_secret_is_a_warning_as_hubspot_runs_the_action(tmp_path):
    # Actions pulled from HubSpot often tick a secret their code no longer reads: not a failure.
    folder = tmp_path / "actions" / "demo"
    folder.mkdir(parents=True)
    (folder / "action.py").write_text("def main(event):\n    return {'outputFields': {}}\n")
    (folder / "action.toml").write_text('object_type = "CONTACT"\nsecrets = ["TOKEN"]\n')
    found = check([folder], runtime=runtime.fallback())
    assert [(f.rule, f.severity) for f in found] == [("secret-unused", WARNING)]
    assert not has_errors(found)
