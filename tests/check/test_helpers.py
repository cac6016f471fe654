"""check reports what keeps an action from bundling (bad helpers) as findings, and the helpers
shipped in shared/helpers pass every rule."""

import pytest

from hs_actions.check import check
from hs_actions.core import project
from hs_actions.core.errors import LinkLeavesFolder
from hs_actions.harness import runtime
from tests.support import write_action


def findings(tmp_path, code, helpers):
    folder, helpers_dir = write_action(tmp_path, code, helpers=helpers)
    # Imports these tiny actions never use are pyflakes' warnings, tested with that rule.
    return [str(f) for f in check([folder], helpers_dir, runtime=runtime.fallback()) if f.rule != "unused"]


def test_a_missing_helper_is_a_finding_and_the_action_is_still_checked(tmp_path):
    assert findings(tmp_path, "import tomllib\nfrom shared.helpers.nope import x\n", {}) == [
        "actions/demo/action.py:1: import-unavailable: 'tomllib' is not in HubSpot's runtime, which has only the "
        "Python 3.9 standard library, requests 2.28.2, hubspot-api-client 8.2.1, google-api-python-client 2.74.0, "
        "mysql-connector-python 8.0.32, redis 4.4.2, nltk 3.8.1. Fix: use the standard library or one of those "
        "libraries (HubSpot cannot install others)",
        "actions/demo/action.py:2: helper-missing: no helper shared.helpers.nope: shared/helpers/nope.py does not "
        "exist. Fix: write shared/helpers/nope.py",
    ]


def test_a_helper_cycle_syntax_error_and_clash_are_findings(tmp_path):
    assert findings(tmp_path / "cycle", "from shared.helpers.a import f\n", {
        "a": "from shared.helpers.b import g\nf = g\n", "b": "from shared.helpers.a import f\ng = f\n"}) == [
        "shared/helpers/b.py:1: helper-cycle: import cycle between helpers: shared/helpers/a.py -> "
        "shared/helpers/b.py -> shared/helpers/a.py. Fix: helpers are inlined in dependency order; move what "
        "they share into a third helper",
    ]
    assert findings(tmp_path / "syntax", "from shared.helpers.a import f\n", {"a": "def f(:\n"}) == [
        "shared/helpers/a.py:1: syntax: syntax error: invalid syntax. Fix: correct the syntax; nothing else in "
        "the file is checked or bundled until it parses",
    ]
    assert findings(tmp_path / "clash", "from shared.helpers.a import f\nfrom shared.helpers.b import g\n", {
        "a": "X = 1\ndef f():\n    return X\n", "b": "X = 2\ndef g():\n    return X\n"}) == [
        "shared/helpers/b.py:1: helper-clash: 'X' is defined both here and in shared/helpers/a.py (line 1), and "
        "both are inlined into clash/actions/demo/action.py's bundle, where helpers share one namespace. Fix: rename "
        "one of them",
    ]


def test_the_shipped_helpers_pass_every_rule(tmp_path):
    modules = sorted(p.stem for p in project.current().helpers.glob("*.py") if p.stem != "__init__")
    assert modules == ["associations", "client", "dates", "phone", "properties"]
    folder = tmp_path / "actions" / "all_helpers"
    folder.mkdir(parents=True)
    (folder / "action.py").write_text("".join(f"from shared.helpers import {m}\n" for m in modules)
                                      + f"\n\ndef main(event):\n    print({', '.join(modules)})\n    return {{}}\n")
    (folder / "action.toml").write_text('object_type = "CONTACT"\n')
    assert [str(f) for f in check([folder], runtime=runtime.current())] == []


def test_code_linked_out_of_its_folder_or_shared_is_a_finding_naming_the_link(tmp_path, tmp_path_factory):
    """Never read on the host: check and bundle take only what the repository holds."""
    outside = tmp_path_factory.mktemp("outside")
    (outside / "creds.py").write_text("TOKEN = 'the developer s'\n")
    (outside / "action.py").write_text("def main(event):\n    return {'outputFields': {}}\n")
    folder, helpers_dir = write_action(tmp_path, "from shared.helpers.creds import TOKEN\n", helpers={})
    (helpers_dir / "creds.py").symlink_to(outside / "creds.py")
    assert [str(f) for f in check([folder], helpers_dir, runtime=runtime.fallback()) if f.rule != "unused"] == [
        f"shared/helpers/creds.py:1: link-out: a symbolic link to {outside}/creds.py, outside {tmp_path}: refused, "
        "never read. Fix: replace the link with the file itself (the bundle and HubSpot get only what the "
        "repository holds)",
    ]
    (folder / "action.py").unlink()
    (folder / "action.py").symlink_to(outside / "action.py")
    assert [str(f) for f in check([folder], helpers_dir, runtime=runtime.fallback())] == [
        f"actions/demo/action.py:1: link-out: a symbolic link to {outside}/action.py, outside {folder}: refused, "
        "never read. Fix: replace the link with the file itself (the bundle and HubSpot get only what the "
        "repository holds)",
    ]


def test_a_manifest_linked_out_of_its_folder_stops_check_naming_the_link(tmp_path, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "action.toml"
    folder, helpers_dir = write_action(tmp_path, "def main(event):\n    return {'outputFields': {}}\n")
    (folder / "action.toml").rename(outside)
    (folder / "action.toml").symlink_to(outside)
    with pytest.raises(LinkLeavesFolder) as refused:
        check([folder], helpers_dir, runtime=runtime.fallback())
    assert str(refused.value) == (f"{folder}/action.toml: a symbolic link to {outside}, outside the action's folder: "
                                  f"refused (action.toml must stay in {folder} or shared/)")
    assert refused.value.exit_code == 2
