"""The README's CI recipe uses commands that exist, and its deploy filter picks the right actions."""
import json
import re
import subprocess

from hs_actions.core import project
from hs_actions.cli import build_parser

README = (project.current().root / "README.md").read_text()
RECIPE = re.search(r"```yaml\n# \.github/workflows/actions\.yml\n(.*?)```", README, re.S).group(1)


def test_every_hs_actions_command_of_the_recipe_parses():
    commands = re.findall(r"\./scripts/hs-actions ([^\n|;]+)", RECIPE)
    assert len(commands) == 3
    for command in commands:
        argv = [a.strip('"') for a in command.split()]
        build_parser().parse_args([a if a != "$name" else "lead_score" for a in argv])


def test_the_deploy_filter_picks_every_action_not_in_sync():
    # An action edited in HubSpot is deployed too: its deploy refuses, which fails the job.
    snippet = re.search(r"python3 -c '(.*?)'\)", RECIPE, re.S).group(1)
    states = [{"name": "a", "state": "local changes not deployed"}, {"name": "b", "state": "in sync"},
              {"name": "c", "state": "edited in HubSpot"}, {"name": "d", "state": "never pulled or deployed"},
              {"name": "e", "state": "cannot be read"}, {"name": "f", "state": "not in HubSpot"}]
    done = subprocess.run(["python3", "-c", snippet], input=json.dumps(states), capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["a", "c", "e", "f"]


def test_the_wrapper_script_runs_the_toolkit():
    done = subprocess.run([str(project.current().root / "scripts" / "hs-actions"), "list", "--json"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert {a["name"] for a in json.loads(done.stdout)} >= {"lead_score", "archive_contact"}
