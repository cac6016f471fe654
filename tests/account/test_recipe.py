"""The CI recipe, one text (the init template's workflow; the README shows it verbatim): its
deploy job's steps run, as GitHub would run them, in a project made by `hs-actions init` that is
a git repository, against `hs-actions account demo` serving as the account (two of them as the
sandbox and production accounts): it deploys what changed, commits the [hubspot] records back,
fails on an edit made in HubSpot, and promotes sandbox before production."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from string import Template

import pytest
import requests
import yaml

from hs_actions.cli import build_parser
from hs_actions.core import project
from hs_actions.scaffold import init as init_module
from tests.account.conftest import ACCOUNTS
from tests.scaffold.test_init import hs_actions as outside_the_toolkit
from tests.scaffold.test_init import share_runtime

TEMPLATE = init_module.TEMPLATES / "github" / "workflows" / "actions.yml.tmpl"
WORKFLOW = Template(TEMPLATE.read_text()).substitute({})
DEPLOY = yaml.safe_load(WORKFLOW)["jobs"]["deploy"]
README = (project.current().root / "README.md").read_text()
TOOLKIT = Path(sys.executable).parent / "hs-actions"
DEMO_TOKEN = json.loads((project.current().root / "hs_actions" / "account" / "demo_account.json").read_text())["token"]
EDIT = ("region = event", "region = (event")       # a change the starter test still passes
EDITED = ('.get("region")', '.get("region"))')


def test_the_readme_shows_the_template_verbatim():
    shown = re.search(r"```yaml\n# \.github/workflows/actions\.yml\n(.*?)```", README, re.S).group(1)
    assert shown == WORKFLOW


def test_every_hs_actions_command_of_the_recipe_parses():
    commands = [c for step in DEPLOY["steps"] for c in re.findall(r"\./scripts/hs-actions ([^\n|;)]+)", step.get("run", ""))]
    assert [c.split()[:2] for c in commands] == [["status"], ["status", "--json"], ["deploy", '"${item#*:}"']]
    for argv in (["status"], ["status", "--json"], ["deploy", "lead_score"], ["deploy", "lead_score", "--account", "x"]):
        build_parser().parse_args(argv)


@pytest.fixture
def demos():
    """start() -> (api base, token) of a new `hs-actions account demo`, stopped at the end."""
    started = []

    def start():
        demo = subprocess.Popen([str(TOOLKIT), "account", "demo"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        started.append(demo)
        said = {}
        for line in demo.stdout:
            found = re.match(r"export (\w+)=(\S+)", line)
            if found:
                said[found.group(1)] = found.group(2)
            if len(said) == 2:
                return said["HS_ACTIONS_API_BASE"], said["HUBSPOT_ACCESS_TOKEN"]
        raise AssertionError(demo.stderr.read())

    yield start
    for demo in started:
        demo.terminate()
        demo.wait(timeout=30)


def make_repository(tmp_path, accounts: str = "") -> Path:
    """A project made by init, with its .venv standing for the toolkit running these tests, in a
    git repository whose origin is a bare one (what the commit-back step pushes to)."""
    assert outside_the_toolkit(tmp_path, "init", "team").returncode == 0
    team = tmp_path / "team"
    if accounts:
        with open(team / "pyproject.toml", "a") as pyproject:
            pyproject.write(accounts)
    share_runtime(team)
    (team / ".venv" / "bin").mkdir(parents=True)
    (team / ".venv" / "bin" / "hs-actions").write_text(f'#!/bin/sh\nexec "{TOOLKIT}" "$@"\n')
    (team / ".venv" / "bin" / "hs-actions").chmod(0o755)
    stamp = subprocess.run("cksum < pyproject.toml", shell=True, cwd=team, capture_output=True, text=True, check=True)
    (team / ".venv" / ".hs-actions-stamp").write_text(stamp.stdout)
    with open(team / ".gitignore", "a") as ignored:
        ignored.write(".venv\n")
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(tmp_path / "origin.git")], check=True)
    git(team, "init", "-q", "-b", "main")
    git(team, "remote", "add", "origin", str(tmp_path / "origin.git"))
    return team


def git(team: Path, *args) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
           "GIT_COMMITTER_NAME": "dev", "GIT_COMMITTER_EMAIL": "dev@example.com"}
    return subprocess.run(["git", *args], cwd=team, env=env, capture_output=True, text=True, check=True).stdout


def commit(team: Path, message: str) -> None:
    git(team, "add", "-A")
    git(team, "commit", "-q", "-m", message)
    git(team, "push", "-q", "-u", "origin", "main")      # tracking, as actions/checkout leaves it


def environment(**variables) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in (project.PROJECT_ENV, "HS_ACTIONS_API_BASE",
                                                             "HUBSPOT_ACCESS_TOKEN")}
    return {**env, **variables}


def hs_actions(team: Path, env: dict, *args) -> subprocess.CompletedProcess:
    done = subprocess.run(["./scripts/hs-actions", *args], cwd=team, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def run_deploy_job(team: Path, env: dict) -> tuple[bool, str]:
    """The deploy job's `run` steps as GitHub runs them (bash -eo pipefail; after a failure only
    the steps marked always()); (whether the job passed, what it printed). The machine set-up
    step (sysctl) is GitHub's runner's, not the project's."""
    failed, said = False, []
    for step in DEPLOY["steps"]:
        script = step.get("run")
        if script is None or script.startswith("sudo sysctl") or failed and step.get("if") != "always()":
            continue
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=team, env=env,
                              capture_output=True, text=True, timeout=600)
        said.append(f"--- {step.get('name', script)}: exit {done.returncode}\n{done.stdout}{done.stderr}")
        failed = failed or done.returncode != 0
    return not failed, "\n".join(said)


def flow(base: str, flow_id: str = "500") -> dict:
    return requests.get(f"{base}/automation/v4/flows/{flow_id}", headers={"Authorization": f"Bearer {DEMO_TOKEN}"},
                        timeout=30).json()


def edit_in_hubspot(base: str, flow_id: str = "500") -> str:
    body = flow(base, flow_id)
    body["actions"][0]["sourceCode"] += "# edited in HubSpot's editor\n"
    answer = requests.put(f"{base}/automation/v4/flows/{flow_id}", json=body, timeout=30,
                          headers={"Authorization": f"Bearer {DEMO_TOKEN}"})
    assert answer.status_code == 200, answer.text
    return body["actions"][0]["sourceCode"]


def edit_locally(team: Path, name: str = "lead_routing_1") -> None:
    code = team / "actions" / name / "action.py"
    code.write_text(code.read_text().replace(*EDIT).replace(*EDITED))
    commit(team, f"edit {name}")


def test_the_deploy_job_deploys_commits_the_records_back_and_fails_on_an_edit_made_in_hubspot(tmp_path, demos):
    base, token = demos()
    team = make_repository(tmp_path)
    env = environment(HS_ACTIONS_API_BASE=base, HUBSPOT_ACCESS_TOKEN=token)
    hs_actions(team, env, "pull", "--all")
    commit(team, "pulled")
    edit_locally(team)

    passed, said = run_deploy_job(team, env)
    assert passed, said
    assert "lead_routing_1: deployed to action 1 of workflow 500" in said
    assert "region = (event" in flow(base)["actions"][0]["sourceCode"]
    assert git(tmp_path / "origin.git", "log", "-1", "--format=%s").strip() == \
        "hs-actions deploy: [hubspot] records [skip ci]"
    assert 'revision = "2"' in git(tmp_path / "origin.git", "show", "main:actions/lead_routing_1/action.toml")
    assert {s["state"] for s in json.loads(hs_actions(team, env, "status", "--json").stdout)
            if s["name"] != "first_action"} == {"in sync"}

    commits = git(tmp_path / "origin.git", "rev-list", "--count", "main")
    again, said = run_deploy_job(team, env)           # nothing new: nothing written, nothing committed
    assert again and "deployed to" not in said, said
    assert flow(base)["revisionId"] == "2"
    assert git(tmp_path / "origin.git", "rev-list", "--count", "main") == commits

    theirs = edit_in_hubspot(base)
    code = team / "actions" / "lead_routing_1" / "action.py"
    code.write_text(code.read_text() + "# a local change too\n")
    commit(team, "another edit")
    passed, said = run_deploy_job(team, env)
    assert not passed
    assert "lead_routing_1: not deployed: its code in HubSpot changed since it was last pulled or deployed" in said
    assert flow(base)["actions"][0]["sourceCode"] == theirs




def test_with_accounts_the_job_promotes_the_same_bundle_to_the_sandbox_then_production(tmp_path, demos):
    (sandbox, token), (production, _) = demos(), demos()
    team = make_repository(tmp_path, ACCOUNTS.format(sandbox=sandbox, production=production))
    env = environment(HUBSPOT_SANDBOX_TOKEN=token, HUBSPOT_PRODUCTION_TOKEN=token)
    hs_actions(team, env, "pull", "--all")
    linked = hs_actions(team, env, "pull", "--all", "--account", "production").stdout
    assert "lead_routing_1: linked to action 1 of workflow 500 in the account 'production'" in linked
    commit(team, "pulled from both accounts")
    edit_locally(team)

    passed, said = run_deploy_job(team, env)
    assert passed, said
    to_sandbox = said.index("lead_routing_1: deployed to action 1 of workflow 500 ('Lead routing') in the account 'sandbox'")
    assert to_sandbox < said.index("lead_routing_1: deployed to action 1 of workflow 500 ('Lead routing') in the "
                                   "account 'production'")
    assert flow(sandbox)["actions"][0]["sourceCode"].encode() == flow(production)["actions"][0]["sourceCode"].encode()
    assert "region = (event" in flow(production)["actions"][0]["sourceCode"]
    records = git(tmp_path / "origin.git", "show", "main:actions/lead_routing_1/action.toml")
    assert "[hubspot.sandbox]" in records and "[hubspot.production]" in records

    edit_in_hubspot(sandbox)                           # the sandbox refuses: production is not reached
    code = team / "actions" / "lead_routing_1" / "action.py"
    code.write_text(code.read_text() + "# a local change too\n")
    commit(team, "another edit")
    passed, said = run_deploy_job(team, env)
    assert not passed and "in the account 'production'" not in said.split("not deployed", 1)[1]
    assert flow(production)["revisionId"] == "2"
