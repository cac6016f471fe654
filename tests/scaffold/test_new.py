"""hs-actions new: a working action folder whose own tests pass, for every object type, reading
a property of that type; and its secret in .env.example."""
import fcntl
import json
import os
from pathlib import Path

import pytest

from hs_actions.core import hubspot_runtime
from hs_actions import scaffold
from hs_actions.check import check
from hs_actions.core import files, project
from hs_actions.core.errors import ToolkitError
from hs_actions.action import manifest as manifest_module
from hs_actions.portal import models
from hs_actions.portal.backend import Backend
from tests.support import pytest_in_process

CUSTOM = "2-1234"
OBJECT_TYPES = [*hubspot_runtime.STANDARD_OBJECT_TYPES, CUSTOM]
# Types workflows enroll that the local portal does not model: their new tests skip, saying so.
UNMODELLED = {"FEEDBACK_SUBMISSION"}


# One worker of pytest-xdist runs them (./scripts/test's --dist loadfile keeps a file on one
# worker, --dist loadgroup this group), and `generated` is made once per test run whatever
# worker asks for it (below).
pytestmark = pytest.mark.xdist_group("scaffold_new")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """One new action per object type in one actions folder, and one pytest run over them all
    (in this process: the starter tests' end-to-end run is `hs-actions test` in test_init.py):
    {object type: (folder, {test name: outcome})}, and that run's output.

    Made once per run of the suite: under pytest-xdist in a folder its workers share, so that a
    test of the group sent to the other worker (xdist 3.8 has done so with one of them) reads
    what the first made instead of making it all again (half a minute)."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return made_in(tmp_path_factory.mktemp("scaffold"))
    shared = tmp_path_factory.getbasetemp().parent / "scaffold-new"
    with open(f"{shared}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)        # the other worker waits for it, then reads it
        record = shared / "made.json"
        if not record.exists():
            shared.mkdir()
            actions, output = made_in(shared)
            files.write_atomic(record, json.dumps([{t: [str(f), o] for t, (f, o) in actions.items()}, output]))
        actions, output = json.loads(record.read_text())
    return {t: (Path(folder), outcomes) for t, (folder, outcomes) in actions.items()}, output


def made_in(root: Path):
    folders = {t: scaffold.create(f"new_{t.lower().replace('-', '_')}", object_type=t, actions_dir=root / "actions",
                                  env_example=root / ".env.example", env_file=root / ".env")
               for t in OBJECT_TYPES}
    done = pytest_in_process("-q", str(root / "actions"), cwd=root)
    outcomes: dict[str, dict[str, str]] = {}
    for node, outcome in done.outcomes.items():
        module, _, test = node.partition("::")
        outcomes.setdefault(module.rpartition("/")[2].removesuffix(".py"), {})[test] = outcome
    return {t: (folder, outcomes.get(f"test_{folder.name}", {})) for t, folder in folders.items()}, done.output


@pytest.mark.parametrize("object_type", OBJECT_TYPES)
def test_the_new_action_passes_its_own_tests(generated, object_type):
    actions, output = generated
    _, outcomes = actions[object_type]
    expected = {"skipped"} if object_type in UNMODELLED else {"passed"}
    assert len(outcomes) >= 2 and set(outcomes.values()) == expected, output


@pytest.mark.parametrize("object_type", OBJECT_TYPES)
def test_the_new_action_reads_the_enrolled_record_through_the_api(generated, object_type):
    """It reads a property of its type with HubSpot's client, from the record its sample event
    names, which the local portal's default seed holds for the types it seeds."""
    folder, _ = generated[0][object_type]
    manifest = manifest_module.load(folder / "action.toml")
    assert manifest.object_type == object_type and not manifest.inputs
    code = (folder / "action.py").read_text()
    prop = scaffold.PROPERTIES.get(object_type, (scaffold.ANY_OBJECT,))[0]
    api_type = (CUSTOM if object_type == CUSTOM else "feedback_submissions" if object_type in UNMODELLED
                else Backend().object_type(object_type).name)
    assert f'get_by_id("{api_type}", record_id, properties=["{prop}"])' in code
    known = Backend().property_names(object_type)
    assert known is None or prop in known
    event = json.loads((folder / "events" / "default.json").read_text())
    seeded = {r["id"] for r in models.load("seed_default.json")["records"].get(api_type, [])}
    if object_type == CUSTOM or object_type in UNMODELLED:      # no such records until a test seeds them
        assert not seeded
    else:
        assert str(event["object"]["objectId"]) in seeded


def test_the_readmes_company_example_reads_a_company_property(generated):
    folder, _ = generated[0]["COMPANY"]
    assert 'get_by_id("companies", record_id, properties=["domain"])' in (folder / "action.py").read_text()
    assert json.loads((folder / "events" / "default.json").read_text())["object"] == {"objectType": "COMPANY", "objectId": 301}


def test_the_new_actions_pass_check(generated, tmp_path):
    folders = [folder for folder, _ in generated[0].values()]
    assert [str(f) for f in check(folders, portal_db=tmp_path / "no-portal.sqlite3")] == []


def test_new_action_files_and_its_secret_in_env_files(tmp_path):
    env_example = tmp_path / ".env.example"
    env_example.write_text("# secrets\nOTHER=x")
    env_file = tmp_path / ".env"
    env_file.write_text("HUBSPOT_TOKEN=local-portal-token\n")
    folder = scaffold.create("dedupe_company", object_type="COMPANY", secret="OPS_TOKEN",
                             actions_dir=tmp_path / "actions", env_example=env_example, env_file=env_file)
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == \
        ["action.py", "action.toml", "events/default.json", "test_dedupe_company.py"]
    assert 'os.getenv("OPS_TOKEN")' in (folder / "action.py").read_text()
    assert env_example.read_text() == "# secrets\nOTHER=x\nOPS_TOKEN=local-portal-token\n"
    assert env_file.read_text() == "HUBSPOT_TOKEN=local-portal-token\nOPS_TOKEN=local-portal-token\n"
    scaffold.create("second", secret="OPS_TOKEN", actions_dir=tmp_path / "actions", env_example=env_example,
                    env_file=env_file)
    assert env_example.read_text().count("OPS_TOKEN=") == 1


@pytest.mark.parametrize("name, message", [
    ("Bad-Name", "'Bad-Name' is not a valid action name"),
    ("taken", "already exists: choose another name"),
])
def test_refuses_bad_names_and_writes_nothing(tmp_path, name, message):
    (tmp_path / "actions" / "taken").mkdir(parents=True)
    with pytest.raises(ToolkitError, match=message):
        scaffold.create(name, actions_dir=tmp_path / "actions", env_example=tmp_path / ".env.example",
                        env_file=tmp_path / ".env")
    assert sorted(p.name for p in (tmp_path / "actions").iterdir()) == ["taken"]
    assert not (tmp_path / ".env.example").exists() and not (tmp_path / ".env").exists()


def test_new_says_what_a_run_of_a_custom_objects_action_needs(tmp_path, monkeypatch):
    # The new action's test seeds its schema; `run` reads the local portal, which has none.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "team"\n\n[tool.hs-actions]\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(project.PROJECT_ENV, raising=False)
    custom = scaffold.new("ships", object_type="2-999").lines
    assert custom[1] == ("note: a run needs 2-999's schema and a record 1 in the local portal (its test seeds "
                         "its own): `hs-actions portal pull` copies your account's schemas, or `hs-actions portal "
                         "seed FILE` adds one (\"schemas\" and \"records\")")
    assert len(scaffold.new("people").lines) == 1
