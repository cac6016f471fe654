"""Broken actions: each gets a clear message, the right status, and the harness keeps working."""
import platform

import pytest

from hs_actions.core.errors import ActionNotFound, ManifestError
from hs_actions.harness import runtime

OUT = 'object_type = "CONTACT"\n[outputs]\nok = "boolean"\n'


def test_missing_folder(run_action, tmp_path):
    with pytest.raises(ActionNotFound, match=r"no action '.*nowhere': not a folder, nor a name under"):
        run_action(str(tmp_path / "nowhere"))


def test_folder_without_action_py(run_action, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ActionNotFound, match=r"empty: no action.py\. An action folder holds action.py with def main\(event\)"):
        run_action(tmp_path / "empty")


def test_invalid_manifest_stops_before_running(run_action, make_action):
    folder = make_action("def main(event):\n    return {}\n", 'object_type = "CONTACT"\n[outputs]\nx = "strnig"\n')
    with pytest.raises(ManifestError, match=r"action.toml: outputs.x: unknown type 'strnig' \(did you mean 'string'\?\)"):
        run_action(folder)


def test_syntax_error(run_action, make_action):
    result = run_action(make_action("def main(event):\n    return {'outputFields': {}\n"))
    assert result.status == "error"
    assert result.error.type == "SyntaxError"
    assert "action.py\", line" in result.error.traceback
    assert "harness/inside" not in result.error.traceback and "importlib" not in result.error.traceback


def test_no_main_names_what_was_found(run_action, make_action):
    result = run_action(make_action("def handler(event):\n    pass\ndef helper():\n    pass\n"))
    assert result.status == "error"
    assert result.error.type == "ActionLoadError"
    assert result.error.message.endswith("has no function main(event): HubSpot calls main with the event. Found: handler, helper")


def test_main_with_wrong_signature(run_action, make_action):
    result = run_action(make_action("def main(event, context):\n    pass\n"))
    assert result.status == "error"
    assert result.error.message.endswith("main(event, context) cannot be called as main(event): HubSpot passes exactly one argument, the event")


def test_import_of_a_module_hubspot_does_not_have(run_action, make_action):
    result = run_action(make_action("import pandas\ndef main(event):\n    pass\n"))
    assert result.status == "error"
    assert result.error.type == "ModuleNotFoundError"
    assert result.error.message == "No module named 'pandas'"
    assert 'line 1, in <module>' in result.error.traceback


@pytest.mark.parametrize("returned, found", [
    ("[1, 2]", "it returned list [1, 2]"),
    ("{'ok': True}", "it returned a dict with keys 'ok'"),
])
def test_main_returning_the_wrong_shape(run_action, make_action, returned, found):
    result = run_action(make_action(f"def main(event):\n    return {returned}\n", OUT))
    assert result.status == "error"
    assert result.error.type == "InvalidReturnValue"
    assert result.error.message == 'main must return a dict like {"outputFields": {...}}; ' + found


def test_sys_exit_inside_main(run_action, make_action):
    result = run_action(make_action("import sys\ndef main(event):\n    sys.exit(3)\n"))
    assert result.status == "error"
    assert result.error.type == "SystemExit"
    assert result.error.message == "main called sys.exit(3): the runtime exits and HubSpot fails the execution"


def test_os_exit_inside_main(run_action, make_action):
    result = run_action(make_action("import os\ndef main(event):\n    print('bye')\n    os._exit(4)\n"))
    assert result.status == "error"
    assert result.error.type == "Runtime.ExitError"
    assert result.error.message == "Runtime exited without a result (exit status 4): os._exit() or a crash ends the execution"
    assert result.logs == "bye\n"


def test_infinite_loop_times_out(run_action, make_action):
    result = run_action(make_action("def main(event):\n    print('spinning')\n    while True:\n        pass\n"), timeout=1)
    assert result.status == "timeout"
    assert result.error.type == "Timeout"
    assert result.error.message.startswith("Task timed out after 1.0")
    assert result.error.message.endswith(" seconds")
    assert result.logs == "spinning\n"
    assert 1000 <= result.duration_ms < 1500


def test_500_mb_allocation_is_stopped_at_the_memory_limit(run_action, make_action):
    code = "def main(event):\n    blob = b'x' * (500 * 1024 * 1024)\n    return {'outputFields': {}}\n"
    result = run_action(make_action(code))
    assert result.status == "memory"
    assert result.error.type == "MemoryLimitExceeded"
    assert "more than its 128 MB of memory" in result.error.message
    assert 128 < result.memory_mb < 500


def test_memory_limit_can_be_lowered_for_tests(run_action, make_action):
    code = "def main(event):\n    blob = bytearray(60 * 1024 * 1024)\n    blob[::4096] = b'x' * len(blob[::4096])\n    import time; time.sleep(0.2)\n    return {'outputFields': {}}\n"
    assert run_action(make_action(code)).status == "success"
    assert run_action(make_action(code), memory=50).status == "memory"


def test_printing_100_mb_keeps_the_run_and_caps_the_log(run_action, make_action):
    # In 1 MB lines: one 100 MB string would itself cross the 128 MB limit, in HubSpot too.
    code = ("def main(event):\n    print('first line')\n    line = 'x' * (1024 * 1024)\n"
            "    for _ in range(100):\n        print(line)\n    print('last line')\n"
            "    return {'outputFields': {'ok': True}}\n")
    result = run_action(make_action(code, OUT))
    assert result.ok, result.error
    assert result.logs.startswith("first line\n")
    assert result.logs.endswith("last line\n")
    assert len(result.logs) < 2 * 1024 * 1024
    assert "bytes of log dropped here" in result.logs
    assert any("printed more than the log keeps" in w for w in result.warnings)


def test_child_process_left_running_is_stopped(run_action, make_action):
    code = ("import subprocess\n"
            "def main(event):\n"
            "    subprocess.Popen(['sleep', '300'])\n"
            "    return {'outputFields': {}}\n")
    result = run_action(make_action(code))
    assert result.status == "success"
    assert result.duration_ms < 5000
    leftover = [w for w in result.warnings if "left 1 process(es) running" in w]
    assert leftover and "sleep 300" in leftover[0]
    pid = int(leftover[0].split("(")[2].split(":")[0])
    import psutil
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_harness_keeps_working_after_every_failure(run_action, make_action):
    for code in ("import os\ndef main(event):\n    os._exit(1)\n", "def main(event):\n    while True: pass\n"):
        run_action(make_action(code), timeout=0.5)
    result = run_action(make_action("def main(event):\n    return {'outputFields': {'ok': True}}\n", OUT))
    assert result.ok


def test_a_peak_between_two_samples_still_crosses_the_limit(run_action, make_action):
    # Allocated and freed within a millisecond or two: the 5 ms sampling can miss it, the
    # kernel's high-water mark cannot.
    code = "def main(event):\n    b = bytearray(80 * 1024 * 1024)\n    b[::4096] = b'x' * len(b[::4096])\n    del b\n    return {'outputFields': {}}\n"
    result = run_action(make_action(code), memory=60)
    assert result.status == "memory"
    assert result.memory_mb > 60


@pytest.mark.skipif(runtime.current().fallback, reason="HubSpot's runtime is not prepared")
def test_syntax_only_newer_pythons_have_points_to_check(run_action, make_action):
    folder = make_action("def main(event):\n    match event:\n        case _:\n            return {'outputFields': {}}\n")
    result = run_action(folder)
    assert (result.status, result.error.type) == ("error", "SyntaxError")
    assert result.warnings[-1] == (f"{folder}/action.py uses syntax newer than Python 3.9 (the toolkit's Python "
                                   f"{platform.python_version()} parses it): `hs-actions check {folder}` names what "
                                   f"needs which version")


def test_a_plain_syntax_error_does_not_point_to_check(run_action, make_action):
    result = run_action(make_action("def main(event):\n    return {'outputFields': {}\n"))
    assert not any("hs-actions check" in warning for warning in result.warnings)
