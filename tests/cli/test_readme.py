"""What README.md says about runs is what they do: the Result's fields, and the recipe for a
token with fewer scopes, followed line by line."""
import dataclasses
import json
import os
import re
import shlex
import subprocess
import sys

from hs_actions.core import project
from hs_actions.harness.result import Result

README = (project.current().root / "README.md").read_text()
HS = [sys.executable, "-m", "hs_actions.cli"]
COMMANDS = {".venv/bin/hs-actions": HS, "./scripts/run": [*HS, "run"]}


def test_the_readme_lists_every_field_of_a_result():
    sentence = re.search(r"returns\s+a\s+`Result`\s+with\s(.*?)\sit\s+ran\s+with\.", README, re.S).group(1)
    listed = re.findall(r"`(\w+)`", re.sub(r"\([^)]*\)", "", sentence))   # not the fields' own keys
    assert sorted(listed) == sorted({f.name for f in dataclasses.fields(Result)} | {"ok", "outputs", "problem"})
    assert re.search(r"`scopes` \([^)]*sorted\s+alphabetically", sentence)


def test_the_recipe_for_a_token_with_fewer_scopes(tmp_path):
    recipe = README[README.index("A token with fewer scopes"):]
    seed_name, seed = re.search(r"`(\w+\.json)`:\n\n```json\n(.*?)```", recipe, re.S).groups()
    (tmp_path / seed_name).write_text(seed)
    token = json.loads(seed)["tokens"][0]
    db = tmp_path / "portal.sqlite3"
    environ = {k: v for k, v in os.environ.items() if k != "TEST_SECRET"}
    done, given = [], []
    for line in re.search(r"```sh\n(.*?)```", recipe, re.S).group(1).splitlines():
        words = shlex.split(line)
        settings = dict(w.split("=", 1) for w in words if re.fullmatch(r"[A-Z_]+=\S+", w))
        command = words[len(settings):]
        given.append(settings)
        done.append(subprocess.run([*COMMANDS[command[0]], *command[1:], "--portal-db", str(db)], cwd=tmp_path,
                                   env={**environ, **settings}, capture_output=True, text=True))
    seeded, run = done
    assert seeded.returncode == 0 and seeded.stdout.endswith(f"from {seed_name}: 1 tokens.\n"), seeded.stderr
    assert given == [{}, {"TEST_SECRET": token["token"]}]
    assert run.returncode == 1, run.stderr
    report = run.stdout
    assert report.startswith("FAILED  archive_contact: error")
    assert "ForbiddenException" in report and "MISSING_SCOPES" in report
    assert "  200 GET /crm/v3/objects/contacts/3" in report and "  403 DELETE /crm/v3/objects/contacts/3" in report
    assert "scopes needed: crm.objects.contacts.read, crm.objects.contacts.write" in report
    # The development token still works for every other run, though the narrow one came first.
    done = subprocess.run([*HS, "run", "archive_contact", "--object-id", "3", "--portal-db", str(db),
                           "--env-file", str(project.current().env_example)], env=environ, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
