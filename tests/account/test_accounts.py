"""Several accounts: [tool.hs-actions.accounts.NAME] read and refused in one place, --account
choosing one, an action linked to one flow per account, pull linking the same action from a
second account, status per account, and deploy promoting the same bundle sandbox -> production."""
import copy
import json
import subprocess
import sys

import pytest

from hs_actions.account import mapping
from hs_actions.account import status as status_module
from hs_actions.account.connection import AccountError, Connection, choose_account
from hs_actions.account.deploy import deploy
from hs_actions.account.pull import pull_actions
from hs_actions.account.status import status
from hs_actions.action import manifest
from hs_actions.core import project
from hs_actions.core.errors import ToolkitError
from hs_actions.core.tomlfile import tomllib
from tests.account.conftest import PRODUCTION_TOKEN
from tests.account.test_deploy import OWN_TEST
from tests.account.test_loop import CODE, FLOW, NAME
from tests.support import ACCOUNT_TOKEN


def pull(account=None, **options):
    return pull_actions(Connection.from_environment(account=account), options.pop("flow_ids", None), **options)


def record(name=NAME) -> manifest.Manifest:
    return manifest.load(project.current().actions / name / "action.toml")


def edit_code(root, old="routing ", new="routing contact "):
    code = root / "actions" / NAME / "action.py"
    code.write_text(code.read_text().replace(old, new))


def linked_in_both(root, sandbox, production):
    """The flow as 500 in the sandbox and 900 in production, pulled from both into one folder
    (and its code then edited here; its test the team's own, which deploys verify, as in
    test_deploy.py)."""
    seeded(sandbox)
    seeded(production, flow_id="900")
    pull()
    pull("production")
    edit_code(root)
    (root / "actions" / NAME / f"test_{NAME}.py").write_text(OWN_TEST)


def seeded(portal, flow_id="500", code=CODE, revision="7", **changes):
    """FLOW in `portal` as `flow_id`, its Python action with `code` and the `changes` given."""
    flow = copy.deepcopy(FLOW)
    flow["id"], flow["revisionId"] = flow_id, revision
    flow["actions"][0]["sourceCode"] = code
    flow["actions"][0].update(changes)
    portal.seed({"flows": [flow]})
    return flow


# --- the settings -------------------------------------------------------------------------

def write_accounts(tmp_path, text):
    (tmp_path / "pyproject.toml").write_text("[tool.hs-actions]\n" + text)
    return tmp_path / "pyproject.toml"


def test_accounts_are_read_with_their_defaults(tmp_path):
    path = write_accounts(tmp_path, '[tool.hs-actions.accounts.sandbox]\napi_base = "http://127.0.0.1:9/"\n'
                                    'default = true\n[tool.hs-actions.accounts.production]\n')
    found = project.accounts(path)
    assert found == {"sandbox": project.Account("sandbox", "http://127.0.0.1:9", "HUBSPOT_ACCESS_TOKEN", True),
                     "production": project.Account("production", None, "HUBSPOT_ACCESS_TOKEN", False)}
    assert project.default_account(found).name == "sandbox"
    assert project.default_account({"p": found["production"]}).name == "production"    # the only one
    assert project.default_account({**found, "sandbox": project.Account("sandbox")}) is None
    assert project.accounts(write_accounts(tmp_path, "")) == {}


@pytest.mark.parametrize("table, said", [
    ('[tool.hs-actions.accounts.sandbox]\ntoken = "x"\n',
     "[tool.hs-actions.accounts.sandbox]: unknown key 'token': an account takes api_base, token_env, default and flows_api"),
    ('[tool.hs-actions.accounts.sandbox]\napi_base = 5\n',
     "[tool.hs-actions.accounts.sandbox]: api_base = 5 is not a URL: give one such as https://api.hubapi.com"),
    ('[tool.hs-actions.accounts.sandbox]\napi_base = "api.hubapi.com"\n', "api_base = 'api.hubapi.com' is not a URL"),
    ('[tool.hs-actions.accounts.sandbox]\ntoken_env = "MY TOKEN"\n',
     "[tool.hs-actions.accounts.sandbox]: token_env = 'MY TOKEN' is not the name of an environment variable"),
    ('[tool.hs-actions.accounts.sandbox]\ndefault = "yes"\n',
     "[tool.hs-actions.accounts.sandbox]: default = 'yes': write true or false"),
    ('[tool.hs-actions.accounts.a]\ndefault = true\n[tool.hs-actions.accounts.b]\ndefault = true\n',
     "[tool.hs-actions.accounts]: a and b are both marked default = true: mark one"),
    ('[tool.hs-actions.accounts."Prod uction"]\n',
     "[tool.hs-actions.accounts.Prod uction]: 'Prod uction' is not an account name: use lower-case letters"),
    ('[tool.hs-actions.accounts]\nsandbox = "https://api.hubapi.com"\n',
     "[tool.hs-actions.accounts.sandbox]: must be a table (api_base, token_env, default, flows_api), not a string"),
    ('[tool.hs-actions]\naccounts = 1\n', "[tool.hs-actions.accounts]: must be a table of accounts"),
])
def test_a_bad_accounts_table_names_pyproject_and_the_key(tmp_path, table, said):
    if table.startswith("[tool.hs-actions]\n"):
        path = tmp_path / "pyproject.toml"
        path.write_text(table)
    else:
        path = write_accounts(tmp_path, table)
    with pytest.raises(ToolkitError) as raised:
        project.accounts(path)
    assert raised.value.exit_code == 2
    assert str(raised.value).startswith(f"{path} ")
    assert said in str(raised.value)


def test_a_bad_accounts_table_stops_an_account_command_with_exit_2(tmp_path):
    write_accounts(tmp_path, '[tool.hs-actions.accounts.sandbox]\ndefault = 1\n')
    done = subprocess.run([sys.executable, "-m", "hs_actions.cli", "status"], capture_output=True, text=True,
                          cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "HUBSPOT_ACCESS_TOKEN": "pat-x"})
    assert done.returncode == 2, done.stderr
    assert "pyproject.toml [tool.hs-actions.accounts.sandbox]: default = 1: write true or false" in done.stderr


# --- choosing an account --------------------------------------------------------------------

def test_the_default_account_is_the_marked_one_and_its_token_comes_from_its_variable(two_accounts, account_portal):
    connection = Connection.from_environment()
    assert (connection.account, connection.default, connection.base) == ("sandbox", True, account_portal.server.url)
    assert connection.token == ACCOUNT_TOKEN
    production = Connection.from_environment(account="production")
    assert (production.account, production.default, production.token) == ("production", False, PRODUCTION_TOKEN)


def test_an_unknown_account_lists_the_configured_ones(two_accounts):
    with pytest.raises(AccountError, match=r"--account 'staging': no such account; the project's accounts are "
                                           r"sandbox, production$"):
        choose_account("staging")


def test_without_accounts_the_environment_is_the_account_and_a_name_is_refused(account_portal):
    assert choose_account(None) is None
    connection = Connection.from_environment()
    assert (connection.account, connection.default, connection.token) == (None, True, ACCOUNT_TOKEN)
    with pytest.raises(AccountError, match=r"no such account; the project has no accounts: add a "
                                           r"\[tool.hs-actions.accounts.NAME\] table"):
        Connection.from_environment(account="production")


def test_a_missing_token_names_the_account_and_its_variable_never_a_value(two_accounts, monkeypatch):
    monkeypatch.delenv("HUBSPOT_PRODUCTION_TOKEN")
    with pytest.raises(AccountError, match=r"^no HUBSPOT_PRODUCTION_TOKEN for the account 'production': set it"):
        Connection.from_environment(account="production")


def test_env_file_may_hold_the_tokens_and_the_api_base(tmp_path, monkeypatch, account_portal):
    (tmp_path / "pyproject.toml").write_text('[tool.hs-actions]\n[tool.hs-actions.accounts.sandbox]\n'
                                             'token_env = "SANDBOX_TOKEN"\n')
    (tmp_path / ".env").write_text(f"HS_ACTIONS_API_BASE={account_portal.server.url}\nSANDBOX_TOKEN={ACCOUNT_TOKEN}\n")
    monkeypatch.setenv("HS_ACTIONS_PROJECT", str(tmp_path))
    monkeypatch.delenv("HS_ACTIONS_API_BASE")
    connection = Connection.from_environment()
    assert (connection.account, connection.base, connection.token) == ("sandbox", account_portal.server.url, ACCOUNT_TOKEN)
    assert list(connection.pages("/automation/v4/flows")) == []      # the token was taken


# --- one flow per account -------------------------------------------------------------------

def test_each_account_has_its_own_table_and_only_the_default_accounts_write_moves_the_flat_one():
    def record_of(revision):
        return dict(flow_id="500", action_id="1", revision=revision, code_hash="sha256:c", fields_hash="sha256:f")

    flat = mapping.with_origin('object_type = "CONTACT"\n', record_of("1"))
    both = mapping.with_origin(flat, record_of("2"), "production", default=False)
    assert {name: r.revision for name, r in parse(both).records.items()} == {"": "1", "production": "2"}
    again = mapping.with_origin(both, record_of("3"), None)         # the environment's account, as before
    assert {name: r.revision for name, r in parse(again).records.items()} == {"": "3", "production": "2"}
    moved = mapping.with_origin(again, record_of("4"), "sandbox", default=True)
    assert {name: r.revision for name, r in parse(moved).records.items()} == {"production": "2", "sandbox": "4"}
    assert moved.startswith('object_type = "CONTACT"\n') and "\n[hubspot]" not in moved
    assert parse(moved).record("sandbox", default=True).revision == "4"
    assert parse(again).record("sandbox", default=True).revision == "3"    # the flat one, until moved
    assert parse(again).record("sandbox", default=False) is None


def parse(toml: str) -> manifest.Manifest:
    return manifest.parse(tomllib.loads(toml))


def test_a_flat_record_is_the_default_accounts_and_moves_to_its_table_on_the_next_write(two_accounts, account_portal):
    seeded(account_portal)
    del_accounts = (two_accounts / "pyproject.toml").read_text()
    (two_accounts / "pyproject.toml").write_text("[tool.hs-actions]\n")   # pulled before accounts were configured
    pull_actions(Connection(ACCOUNT_TOKEN, account_portal.server.url), None)
    toml = two_accounts / "actions" / NAME / "action.toml"
    assert "[hubspot]\n" in toml.read_text().replace("[hubspot] #", "[hubspot]\n")
    (two_accounts / "pyproject.toml").write_text(del_accounts)
    assert record().record("sandbox", default=True).flow_id == "500"
    assert record().record("production") is None
    assert {s.state for s in status_module.action_states(Connection.from_environment())} == {status_module.IN_SYNC}
    edit_code(two_accounts)
    assert deploy(Connection.from_environment(), NAME).exit_code == 0
    text = toml.read_text()
    assert "[hubspot.sandbox]" in text and "[hubspot]" not in text
    assert record().records["sandbox"].revision == "8" and "" not in record().records


def test_pull_from_a_second_account_links_the_same_code_instead_of_a_new_folder(two_accounts, account_portal,
                                                                                  production_portal):
    seeded(account_portal)
    seeded(production_portal, flow_id="900", revision="3")
    assert pull().written == [f"{NAME}: created"]
    linked = pull("production")
    assert linked.written == [f"{NAME}: linked to action 1 of workflow 900 in the account 'production' "
                              f"({production_portal.server.url}): same code and fields"]
    assert sorted(p.name for p in (two_accounts / "actions").iterdir()) == [NAME]
    records = record().records
    assert (records["sandbox"].flow_id, records["production"].flow_id, records["production"].revision) == ("500", "900", "3")
    assert pull("production").written == [f"{NAME}: unchanged"]
    report = status([Connection.from_environment(account=a) for a in ("sandbox", "production")])
    assert report.lines == [f"{NAME}  sandbox     in sync: revision 7", f"{NAME}  production  in sync: revision 3"]


def test_a_link_with_other_fields_says_which(two_accounts, account_portal, production_portal):
    seeded(account_portal)
    seeded(production_portal, secretNames=["HUBSPOT_TOKEN", "OTHER"], outputFields=[{"name": "domain", "type": "STRING"}])
    pull()
    line, = pull("production").written
    assert line.endswith("secretNames, outputFields differ there: the folder is kept as it is, and "
                         f"`hs-actions deploy {NAME} --account production` writes it there")
    assert record().secrets == ("HUBSPOT_TOKEN",)
    states = {s.account: s.state for s in status_module.action_states(Connection.from_environment(account="production"))}
    assert states == {"production": status_module.LOCAL}


def test_other_code_makes_a_new_folder_unless_pulled_into_one(two_accounts, account_portal, production_portal):
    seeded(account_portal)
    seeded(production_portal, code=CODE.replace("routing ", "routing (production) "))
    pull()
    assert pull("production").written == [f"{NAME}_2: created"]
    assert record(f"{NAME}_2").records.keys() == {"production"}


def test_pull_into_links_explicitly_and_says_the_code_differs(two_accounts, account_portal, production_portal):
    seeded(account_portal)
    seeded(production_portal, code=CODE.replace("routing ", "routing (production) "))
    pull()
    line, = pull("production", flow_ids=["500"], into=NAME).written
    assert line.startswith(f"{NAME}: linked to action 1 of workflow 500 in the account 'production'")
    assert "its code differ there" in line
    assert "routing (production)" not in (two_accounts / "actions" / NAME / "action.py").read_text()
    with pytest.raises(ToolkitError, match="pull --into NAME links one workflow's action: give it with one --flow ID"):
        pull("production", into=NAME)
    with pytest.raises(ToolkitError, match="pull --into 'nothing': no action folder of that name"):
        pull("production", flow_ids=["500"], into="nothing")


def test_two_folders_with_the_code_are_not_guessed_between(two_accounts, account_portal, production_portal):
    seeded(account_portal)
    seeded(account_portal, flow_id="501")
    seeded(production_portal)
    pull()
    result = pull("production")
    assert result.written == [] and len(result.failed) == 1
    assert (f"its code is that of {NAME}, lead_routing_eu_1_2, so which folder is its could not be told: "
            f"hs-actions pull --flow 500 --into NAME --account production links it to one") in result.failed[0]


# --- promoting ----------------------------------------------------------------------------------

def test_deploy_promotes_the_same_bundle_byte_for_byte(two_accounts, account_portal, production_portal):
    linked_in_both(two_accounts, account_portal, production_portal)
    states = {s.account: s.state for c in Connection.every() for s in status_module.action_states(c)}
    assert states == {"sandbox": status_module.LOCAL, "production": status_module.LOCAL}
    assert deploy(Connection.from_environment(), NAME).exit_code == 0
    promoted = deploy(Connection.from_environment(account="production"), NAME)
    assert promoted.exit_code == 0, promoted.lines
    assert "in the account 'production'" in promoted.lines[0]
    sandbox_code = account_portal.backend.flow("500")["actions"][0]["sourceCode"]
    production_code = production_portal.backend.flow("900")["actions"][0]["sourceCode"]
    assert "routing contact " in sandbox_code
    assert sandbox_code.encode() == production_code.encode()
    assert {s.state for c in Connection.every() for s in status_module.action_states(c)} == {status_module.IN_SYNC}


def test_deploy_to_an_account_the_action_is_not_linked_in_says_how_to_link(two_accounts, account_portal):
    seeded(account_portal)
    pull()
    with pytest.raises(AccountError, match=r"no record for the account 'production' \(\[hubspot.production\]\).*"
                                           rf"hs-actions pull --account production --flow ID --into {NAME}"):
        deploy(Connection.from_environment(account="production"), NAME)


def test_status_json_has_the_account_and_the_cli_limits_it_to_one(two_accounts, account_portal, production_portal):
    seeded(account_portal)
    pull()
    command = [sys.executable, "-m", "hs_actions.cli", "status", "--json"]
    every = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    assert [(s["name"], s["account"], s["state"]) for s in every] == [(NAME, "sandbox", "in sync"),
                                                                      (NAME, "production", "never pulled or deployed")]
    one = json.loads(subprocess.run(command + ["--account", "production"], capture_output=True, text=True,
                                    check=True).stdout)
    assert [(s["account"], s["state"]) for s in one] == [("production", "never pulled or deployed")]
    done = subprocess.run(command + ["--account", "staging"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "no such account; the project's accounts are sandbox, production" in done.stderr
    assert ACCOUNT_TOKEN not in done.stderr + done.stdout and PRODUCTION_TOKEN not in json.dumps(every)


def test_an_account_that_cannot_be_reached_is_not_checked_and_the_others_are_shown(two_accounts, account_portal,
                                                                                 production_portal, monkeypatch):
    """A developer holding the sandbox's token and not production's still sees the sandbox;
    production's lines say why it was not checked, and the command exits 2 (CI's recipe stops)."""
    seeded(account_portal)
    seeded(production_portal, flow_id="900")
    pull()
    pull("production")
    monkeypatch.delenv("HUBSPOT_PRODUCTION_TOKEN")
    command = [sys.executable, "-m", "hs_actions.cli", "status"]
    done = subprocess.run(command + ["--json"], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    states = [(s["name"], s["account"], s["state"]) for s in json.loads(done.stdout)]
    assert states == [(NAME, "sandbox", "in sync"), (NAME, "production", "not checked")]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 2
    lines = done.stdout.splitlines()
    assert [line.split() for line in lines[:2]] == [[NAME, "sandbox", "in", "sync:", "revision", "7"],
                                                    [NAME, "production", "not", "checked"]]
    assert lines[2].startswith("the account 'production' was not checked: no HUBSPOT_PRODUCTION_TOKEN"), lines
    assert ACCOUNT_TOKEN not in done.stdout + done.stderr
    monkeypatch.setenv("HUBSPOT_PRODUCTION_TOKEN", "pat-na1-not-the-right-one")   # refused (401)
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 2 and "sandbox     in sync" in done.stdout
    assert "the account 'production' was not checked: GET /automation/v4/flows/900: the token in " \
           "HUBSPOT_PRODUCTION_TOKEN was refused" in done.stdout
    assert "pat-na1-not-the-right-one" not in done.stdout + done.stderr
    one = subprocess.run(command + ["--account", "production"], capture_output=True, text=True)
    assert one.returncode == 2 and not one.stdout   # one account: its error is the command's
    assert "the token in HUBSPOT_PRODUCTION_TOKEN was refused" in one.stderr


# --- the workflows API version --------------------------------------------------------------

def test_an_account_may_use_the_date_versioned_flows_paths_and_the_default_is_v4(two_accounts, account_portal,
                                                                                 production_portal):
    pyproject = two_accounts / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'flows_api = "2026-09-beta"\n')     # production's
    linked_in_both(two_accounts, account_portal, production_portal)
    assert deploy(Connection.from_environment(account="production"), NAME).exit_code == 0
    assert "routing contact " in production_portal.backend.flow("900")["actions"][0]["sourceCode"]
    flows_calls = {r["path"].split("/900")[0].removesuffix("/batch/read") for r in production_portal.requests()}
    assert flows_calls == {"/automation/v4/2026-09-beta/flows"}
    assert {r["path"].split("/500")[0].removesuffix("/batch/read") for r in account_portal.requests()} == \
        {"/automation/v4/flows"}


def test_the_local_portal_serves_both_spellings_of_the_dated_flows_paths(account_portal):
    seeded(account_portal)
    connection = Connection(ACCOUNT_TOKEN, account_portal.server.url)
    for path in ("/automation/v4/2026-09-beta/flows/500", "/automation/2026-09-beta/flows/500"):
        assert connection.get(path)["revisionId"] == "7"


@pytest.mark.parametrize("where, table", [
    ("[tool.hs-actions.accounts.sandbox]: flows_api = 'v3'", '[tool.hs-actions.accounts.sandbox]\nflows_api = "v3"\n'),
    ("flows_api = '2026-9' (pyproject.toml [tool.hs-actions] or HS_ACTIONS_FLOWS_API)", 'flows_api = "2026-9"\n'),
])
def test_a_flows_api_that_is_no_version_is_refused(tmp_path, monkeypatch, where, table):
    monkeypatch.setenv("HS_ACTIONS_PROJECT", str(tmp_path))
    write_accounts(tmp_path, table)
    with pytest.raises(ToolkitError) as raised:
        project.accounts() if "accounts" in table else project.settings()
    assert where in str(raised.value)
    assert 'write "v4" (the default) or a date version such as "2026-09-beta"' in str(raised.value)


def test_a_record_under_a_name_that_is_no_account_name_is_refused_naming_it():
    record = 'flow_id = "1"\naction_id = "1"\nrevision = "1"\ncode_hash = "c"\nfields_hash = "f"\n'
    with pytest.raises(ToolkitError, match=r"action.toml: hubspot.Prod X: 'Prod X' is not an account name: use "
                                           r"lower-case letters"):
        manifest.parse(tomllib.loads(f'object_type = "CONTACT"\n[hubspot."Prod X"]\n{record}'), source="action.toml")
    with pytest.raises(ToolkitError, match=r"hubspot.sandbox.revision: missing or not a string"):
        manifest.parse(tomllib.loads(f'object_type = "CONTACT"\n[hubspot.sandbox]\n{record.replace("revision", "#")}'))
