"""run_bundle (`hs-actions bundle`): check, bundle, verify, and only then write dist/<name>.py."""
import io
import os
import re
import signal
import subprocess
import sys
import time

import psutil
import pytest

from hs_actions.bundler.commands import run_bundle
from hs_actions.core import project as project_module
from hs_actions.core.report import Console
from tests.support import command_line

ACTION = '''\
from shared.helpers.phone import to_e164


def main(event):
    return {"outputFields": {"e164": to_e164(event["inputFields"]["phone"])}}
'''
TESTS = '''\
def test_formats(run_action):
    result = run_action("caller", inputs={"phone": "415 555 0100"})
    assert result.outputs == {"e164": "+14155550100"}, result.error
'''
MANIFEST = 'object_type = "CONTACT"\n[inputs]\nphone = "phone"\n[outputs]\ne164 = "phone_number"\n'


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "actions" / "caller"
    folder.mkdir(parents=True)
    (folder / "action.py").write_text(ACTION)
    (folder / "action.toml").write_text(MANIFEST)
    (folder / "test_caller.py").write_text(TESTS)
    return tmp_path


def bundle_cli(project, *refs, all_=False, print_=False):
    err = io.StringIO()
    report = run_bundle(list(refs), all_, print_, project / "dist", actions_dir=project / "actions",
                        console=Console(err=err))
    return report.exit_code, report.text(), err.getvalue()


def test_a_verified_bundle_is_written_with_a_summary(project):
    code, out, err = bundle_cli(project, "caller")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    dist = project / "dist" / "caller.py"
    assert re.fullmatch(rf"caller: wrote {re.escape(str(dist))} \([0-9,]+ bytes, sha256:[0-9a-f]{{64}}\)", lines[0])
    assert re.fullmatch(r"caller: verified: 1 passed in [0-9.]+s against the bundle", lines[1])
    assert lines[2:] == [
        "  In HubSpot: a workflow 'Custom code' action, language Python 3.9; paste this whole file.",
        "  Edit the action and bundle again instead of editing this copy: the hash below tells them apart.",
        "  Secrets to tick: (none)",
        "  Properties to include in code (variable name = property):",
        "    phone = property phone",
        "  Data outputs (name: type):",
        "    e164: Phone number",
    ]
    assert sorted(p.name for p in (project / "dist").iterdir()) == ["caller.py"]


def test_a_bundle_failing_the_tests_is_not_written(project):
    (project / "actions" / "caller" / "test_caller.py").write_text(TESTS.replace("+14155550100", "+1"))
    code, out, err = bundle_cli(project, "caller")
    assert (code, out) == (1, "")
    assert err.startswith("caller: not verified: the action's tests failed against the bundle (pytest exited 1):\n")
    assert err.endswith(f"caller: {project / 'dist' / 'caller.py'} not written\n")
    assert list((project / "dist").iterdir()) == []


def test_an_action_with_check_errors_is_not_bundled(project):
    (project / "actions" / "caller" / "action.py").write_text(ACTION.replace('"e164": to_e164', '"e165": to_e164'))
    code, out, err = bundle_cli(project, "caller")
    assert (code, out) == (1, "")
    assert err.splitlines()[-1] == "caller: not bundled: fix the problems above first"
    assert err.startswith(f"{project / 'actions/caller/action.py'}:5: output-undeclared: the output field 'e165'")
    assert not (project / "dist").exists()


def test_print_writes_the_bundle_text_and_no_file(project):
    code, out, err = bundle_cli(project, "caller", print_=True)
    assert (code, err) == (0, "")
    assert out.startswith("# caller: paste-ready bundle made by `hs-actions bundle caller`")
    assert "def to_e164(" in out and out.endswith(ACTION.split("\n\n\n")[1])
    assert not (project / "dist").exists()


def test_all_bundles_every_action(project):
    code, out, _ = bundle_cli(project, all_=True)
    assert code == 0 and out.startswith("caller: wrote ")


def test_an_unknown_action_is_exit_code_2(project):
    code, out, err = bundle_cli(project, "calller")
    assert (code, out) == (2, "")
    assert err == (f"hs-actions: no action 'calller': not a folder, nor a name under {project / 'actions'}. "
                   f"Did you mean 'caller'? Actions here: caller.\n")


def test_no_action_named_is_exit_code_2(project):
    code, _, err = bundle_cli(project)
    assert (code, err) == (2, "hs-actions: no action to bundle: name one (hs-actions bundle NAME) or use --all\n")


def test_an_unwritable_dist_is_exit_code_2(project):
    (project / "dist").write_text("a file")
    code, _, err = bundle_cli(project, "caller")
    assert code == 2
    assert err.startswith(f"hs-actions: cannot write the bundle into {project / 'dist'}: File exists; nothing was written.")


WAITS_FOR_THE_OTHER = """\
import os, time
from pathlib import Path


def test_formats(run_action):
    here, other = Path(__file__).parent, Path(__file__).parent.parent / {other!r}
    (here / "started").write_text("")
    deadline = time.monotonic() + 60
    while not (other / "started").exists():   # only a verification running at once with the other's ends
        assert time.monotonic() < deadline, "the other action's verification did not start meanwhile"
        time.sleep(0.05)
    result = run_action({name!r}, inputs={{"phone": "415 555 0100"}})
    assert result.outputs == {{"e164": "+14155550100"}}, result.error
"""


def test_workers_verify_bundles_at_once_and_report_them_in_order(project):
    """Each action's tests wait for the other's to start: they pass only when the two
    verifications run at the same time. The results are reported in the actions' order."""
    actions = project / "actions"
    (actions / "caller" / "test_caller.py").write_text(WAITS_FOR_THE_OTHER.format(name="caller", other="callee"))
    (actions / "callee").mkdir()
    for file in ("action.py", "action.toml"):
        (actions / "callee" / file).write_text((actions / "caller" / file).read_text())
    (actions / "callee" / "test_callee.py").write_text(WAITS_FOR_THE_OTHER.format(name="callee", other="caller"))
    progress = io.StringIO()
    report = run_bundle([], True, False, project / "dist", actions_dir=project / "actions",
                        console=Console(err=progress, progress=progress), workers=2)
    assert report.exit_code == 0, progress.getvalue()
    said = [line.split(":")[0] for line in report.lines if not line.startswith(" ")]
    assert said == ["callee", "callee", "caller", "caller"]     # wrote, verified: each action in turn
    assert sorted(progress.getvalue().splitlines()) == [f"bundling {name}: running its tests against the bundle"
                                                       for name in ("callee", "caller")]
    assert sorted(p.name for p in (project / "dist").iterdir()) == ["callee.py", "caller.py"]


WAITS_TO_BE_ENDED = """\
import time
from pathlib import Path


def test_waits(run_action):
    (Path(__file__).parent / "started").write_text("")
    time.sleep(300)
"""


def test_a_signal_ends_the_verifications_under_way(project):
    """SIGTERM to `hs-actions test -n 2` while two bundles' tests run: it ends at once, and so do
    their pytest processes (not left to run their tests out)."""
    (project / "pyproject.toml").write_text('[project]\nname = "t"\n[tool.hs-actions]\n')
    (project / ".hs-actions").mkdir()
    (project / ".hs-actions" / "runtime").symlink_to(project_module.current().runtime_env)
    actions = project / "actions"
    for name in ("caller", "callee"):
        (actions / name).mkdir(exist_ok=True)
        (actions / name / "action.py").write_text('def main(event):\n    return {"outputFields": {}}\n')
        (actions / name / "action.toml").write_text('object_type = "CONTACT"\n')
        (actions / name / f"test_{name}.py").write_text(WAITS_TO_BE_ENDED)
    env = {**os.environ, "HS_ACTIONS_PROJECT": str(project)}
    command = subprocess.Popen([sys.executable, "-m", "hs_actions.cli", "test", "-n", "2"], cwd=project, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not all((actions / name / "started").exists() for name in ("caller", "callee")):
            assert command.poll() is None and time.monotonic() < deadline, "the two verifications did not start"
            time.sleep(0.05)
        verifications = [p for p in psutil.Process(command.pid).children() if " -m pytest " in command_line(p)]
        assert len(verifications) == 2
        command.send_signal(signal.SIGTERM)
        assert command.wait(60) == 143
        gone, alive = psutil.wait_procs(verifications, timeout=10)
        assert alive == []
    finally:
        command.kill()
