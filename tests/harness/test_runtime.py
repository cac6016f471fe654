"""Actions run on HubSpot's runtime: Python 3.9, HubSpot's library versions, UTC, fresh imports."""
import json
import os
import sys

import pytest

from hs_actions.harness import Harness, runtime
from tests.support import pytest_in_process

needs_39 = pytest.mark.skipif(runtime.current().fallback, reason="no Python 3.9 runtime prepared on this machine")
OUT = 'object_type = "CONTACT"\n[outputs]\ninfo = "string"\n'
REPORT = """
import json, sys, time
import hubspot, requests
from importlib import metadata

def main(event):
    info = {"python": "%d.%d" % sys.version_info[:2], "hubspot": metadata.version("hubspot-api-client"),
            "requests": requests.__version__, "utc_offset": time.localtime().tm_gmtoff}
    return {"outputFields": {"info": json.dumps(info)}}
"""


@needs_39
def test_runs_on_python_39_with_hubspots_libraries(run_action, make_action):
    result = run_action(make_action(REPORT, OUT))
    assert result.ok, result.error
    assert json.loads(result.outputs["info"]) == {"python": "3.9", "hubspot": "8.2.1", "requests": "2.28.2", "utc_offset": 0}
    assert result.runtime.startswith("Python 3.9.")
    assert not any("toolkit's own interpreter" in w for w in result.warnings)


@needs_39
def test_python_310_syntax_fails_as_in_hubspot(run_action, make_action):
    code = "def main(event):\n    match event:\n        case _:\n            return {'outputFields': {}}\n"
    result = run_action(make_action(code))
    assert result.status == "error"
    assert result.error.type == "SyntaxError"


@needs_39
def test_python_310_library_api_fails_as_in_hubspot(run_action, make_action):
    result = run_action(make_action("def main(event):\n    return {'outputFields': {'info': str((5).bit_count())}}\n", OUT))
    assert result.status == "error"
    assert result.error.message == "'int' object has no attribute 'bit_count'"


def test_fallback_interpreter_says_so_in_every_report(make_action):
    with Harness(runtime=runtime.fallback(), mode="spawn") as harness:
        result = harness.run(make_action(REPORT, OUT))
    assert result.ok, result.error
    assert json.loads(result.outputs["info"])["python"] == "%d.%d" % sys.version_info[:2]
    assert result.warnings[0].startswith(f"ran on Python {runtime.fallback().version} (the toolkit's own interpreter), not HubSpot's Python 3.9")


@needs_39
def test_setup_finds_a_python_39():
    base = runtime.find_base_python()
    assert base is not None and base.name == "python3.9"


def test_a_configured_interpreter_that_is_not_39_is_refused(monkeypatch):
    from hs_actions.core.errors import RuntimeSetupError
    monkeypatch.setenv("HS_ACTIONS_RUNTIME_PYTHON", sys.executable)
    with pytest.raises(RuntimeSetupError, match=r"is Python 3\.\d+, not 3\.9"):
        runtime.find_base_python()


COUNTER = """
import os
TOKEN_AT_IMPORT = os.getenv("TOKEN")
runs = 0

def main(event):
    global runs
    runs += 1
    return {"outputFields": {"info": f"{runs} {TOKEN_AT_IMPORT}"}}
"""
COUNTER_MANIFEST = 'object_type = "CONTACT"\nsecrets = ["TOKEN"]\n[outputs]\ninfo = "string"\n'


def test_fresh_module_per_run_and_secrets_readable_at_import(run_action, make_action):
    folder = make_action(COUNTER, COUNTER_MANIFEST)
    infos = [run_action(folder, secrets={"TOKEN": "abc123"}).outputs["info"] for _ in range(3)]
    assert infos == ["1 [secret TOKEN]"] * 3


def test_warm_reuse_keeps_module_state(run_action, make_action):
    folder = make_action(COUNTER, COUNTER_MANIFEST)
    infos = [run_action(folder, secrets={"TOKEN": "abc123"}, warm=True).outputs["info"] for _ in range(3)]
    assert infos == ["1 [secret TOKEN]", "2 [secret TOKEN]", "3 [secret TOKEN]"]
    assert run_action(folder, secrets={"TOKEN": "abc123"}).outputs["info"] == "1 [secret TOKEN]"


def test_spawned_and_forked_runs_agree(make_action):
    folder = make_action(REPORT, OUT)
    results = []
    for mode in ("spawn", "fork"):
        with Harness(mode=mode) as harness:
            results.append([harness.run(folder) for _ in range(2)])
    spawned, forked = results
    assert [r.outputs for r in spawned] == [r.outputs for r in forked]
    # Memory is counted as a cold start would use it, either way (within a few MB).
    assert abs(spawned[0].memory_mb - forked[1].memory_mb) < 4


def test_runs_leave_the_parent_process_as_it_was(run_action, make_action):
    code = ("import os, sys\nsys.path.append('/polluted')\nos.environ['POLLUTED'] = '1'\n"
            "def main(event):\n    os.chdir('/')\n    return {'outputFields': {}}\n")
    before = (list(sys.path), dict(os.environ), set(sys.modules), os.getcwd())
    run_action(make_action(code))
    assert (list(sys.path), dict(os.environ), set(sys.modules) - before[2] == set(), os.getcwd()) == \
        (before[0], before[1], True, before[3])


def test_warm_state_does_not_leak_from_one_test_to_the_next(make_action, tmp_path):
    import textwrap
    folder = make_action(COUNTER, COUNTER_MANIFEST)
    tests = tmp_path / "test_order.py"
    tests.write_text(textwrap.dedent(f"""
        def run(run_action):
            return run_action({str(folder)!r}, secrets={{"TOKEN": "abc123"}}, warm=True).outputs["info"]

        def test_a(run_action):
            assert run(run_action) == "1 [secret TOKEN]"

        def test_b(run_action):
            assert run(run_action) == "1 [secret TOKEN]"
    """))
    done = pytest_in_process("-q", str(tests), cwd=tmp_path)
    assert done.exit_code == 0 and list(done.outcomes.values()) == ["passed", "passed"], done.output


def test_a_pyenv_root_this_user_cannot_read_finds_no_python_there(tmp_path, monkeypatch):
    # Running as another user than the one whose home holds pyenv: not a crash, just none found.
    if os.geteuid() == 0:
        pytest.skip("root reads every folder")
    locked = tmp_path / "pyenv"
    (locked / "versions").mkdir(parents=True)
    locked.chmod(0)
    monkeypatch.setenv("PYENV_ROOT", str(locked))
    monkeypatch.setenv("PATH", str(tmp_path))
    try:
        assert runtime.find_base_python() is None
    finally:
        locked.chmod(0o755)
