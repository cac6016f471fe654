"""verify(): the action's own tests re-run against the bundled file, through the pytest
plugin's --hs-actions-code option."""
import re
import textwrap

import pytest

from hs_actions.bundler import bundle, verify

ACTION = '''\
from shared.helpers.phone import to_e164


def main(event):
    return {"outputFields": {"e164": to_e164(event["inputFields"]["phone"])}}
'''
TESTS = '''\
def test_formats(run_action):
    result = run_action("caller", inputs={"phone": "415 555 0100"})
    assert result.ok, result.error
    assert result.outputs == {"e164": "+14155550100"}


def test_runs_the_bundle_when_asked(run_action, request):
    result = run_action("caller", inputs={"phone": "415 555 0100"})
    assert result.ok, result.error
'''
MANIFEST = 'object_type = "CONTACT"\n[inputs]\nphone = "phone"\n[outputs]\ne164 = "phone_number"\n'


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "actions" / "caller"
    path.mkdir(parents=True)
    (path / "action.py").write_text(ACTION)
    (path / "action.toml").write_text(MANIFEST)
    (path / "test_caller.py").write_text(TESTS)
    return path


def test_a_faithful_bundle_passes_the_actions_tests(folder, tmp_path):
    path = bundle(folder, tmp_path / "dist")
    ok, report = verify(folder, path)
    assert ok, report
    assert re.fullmatch(r"verified: 2 passed in [0-9.]+s against the bundle", report), report


def test_the_tests_run_the_bundle_not_the_action(folder, tmp_path):
    path = bundle(folder, tmp_path / "dist")
    path.write_text(path.read_text().replace('{"e164": to_e164(', '{"e164": "+1" + ('))
    ok, report = verify(folder, path)
    assert not ok
    assert report.startswith("not verified: the action's tests failed against the bundle (pytest exited 1):\n")
    assert "FAILED actions/caller/test_caller.py::test_formats" in report
    assert re.search(r"1 failed, 1 passed in [0-9.]+s$", report), report


def test_a_missing_bundle_fails_verification(folder, tmp_path):
    ok, report = verify(folder, tmp_path / "dist" / "nothing.py")
    assert not ok
    assert f"--hs-actions-code: {tmp_path / 'dist' / 'nothing.py'} does not exist" in report


def test_an_action_without_tests_is_not_verified(folder, tmp_path):
    (folder / "test_caller.py").unlink()
    path = bundle(folder, tmp_path / "dist")
    assert verify(folder, path) == (False, "not verified: actions/caller/test_caller.py does not exist, so no "
                                           "test ran against the bundle. Fix: write tests for the action")


def test_tests_that_collect_nothing_do_not_verify(folder, tmp_path):
    (folder / "test_caller.py").write_text(textwrap.dedent("""\
        def helper_not_a_test():
            pass
    """))
    path = bundle(folder, tmp_path / "dist")
    ok, report = verify(folder, path)
    assert not ok
    assert re.fullmatch(r"not verified: no tests ran \(no tests ran in [0-9.]+s\)", report), report


def test_tests_that_never_run_the_bundle_do_not_verify_it(folder, tmp_path):
    (folder / "test_caller.py").write_text("def test_nothing():\n    pass\n")
    path = bundle(folder, tmp_path / "dist")
    ok, report = verify(folder, path)
    assert not ok
    assert "no test ran caller through run_action, so the code given by --hs-actions-code was never run" in report


def test_a_verification_spread_over_xdist_workers_counts_their_runs(folder, tmp_path):
    # The workers run the bundle; the controller, which ran nothing itself, must know they did.
    path = bundle(folder, tmp_path / "dist")
    ok, report = verify(folder, path, pytest_args=("-n", "2"))
    assert ok, report
    (folder / "test_caller.py").write_text("def test_nothing():\n    pass\n\n\ndef test_nothing_either():\n    pass\n")
    ok, report = verify(folder, path, pytest_args=("-n", "2"))
    assert not ok and "no test ran caller through run_action" in report, report
