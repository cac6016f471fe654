"""run_check (`hs-actions check`): every finding printed, then a count; exit 1 on errors."""
import io


from hs_actions.check.commands import run_check
from hs_actions.core.report import Console


def make(root, name, code, manifest='object_type = "CONTACT"\n'):
    folder = root / "actions" / name
    folder.mkdir(parents=True)
    (folder / "action.py").write_text(code)
    (folder / "action.toml").write_text(manifest)


def check_cli(root, *refs):
    err = io.StringIO()
    report = run_check(list(refs), actions_dir=root / "actions", console=Console(err=err))
    return report.exit_code, report.text(), err.getvalue()


def test_findings_are_printed_and_fail_the_check(tmp_path):
    make(tmp_path, "bad", 'import os\n\n\ndef main(event):\n    return {"outputFields": {"x": os.getenv("token")}}\n')
    make(tmp_path, "good", "def main(event):\n    return {}\n")
    code, out, err = check_cli(tmp_path)
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "actions/bad/action.py:5: output-undeclared: the output field 'x' is returned but not declared in "
        "actions/bad/action.toml, so HubSpot flags it and later actions cannot use it. Fix: declare it under "
        "[outputs] in actions/bad/action.toml (x = \"string\", or its type) and in HubSpot's data outputs, or "
        "stop returning it",
        "actions/bad/action.py:5: secret-undeclared: the secret 'token' is read here but not declared in "
        "actions/bad/action.toml, so HubSpot gives the code None for it. Fix: add it to secrets in "
        "actions/bad/action.toml (secrets = [..., \"token\"]) and tick it in HubSpot",
        "2 errors, 0 warnings in 2 actions",
    ]


def test_a_clean_action_passes(tmp_path):
    make(tmp_path, "bad", "import tomllib\n")
    make(tmp_path, "good", "def main(event):\n    return {}\n")
    assert check_cli(tmp_path, "good") == (0, "no problems in 1 action\n", "")


def test_warnings_alone_pass(tmp_path):
    make(tmp_path, "big", f'TABLE = "{"x" * 200_001}"\n')
    code, out, _ = check_cli(tmp_path, "big")
    assert code == 0
    assert out.splitlines()[-1] == "0 errors, 1 warning in 1 action"


def test_a_broken_action_toml_is_exit_code_2(tmp_path):
    make(tmp_path, "broken", "def main(event):\n    return {}\n", manifest='object_type = "CONTCT"\n')
    code, out, err = check_cli(tmp_path, "broken")
    assert (code, out) == (2, "")
    assert err.startswith(f"hs-actions: {tmp_path / 'actions' / 'broken' / 'action.toml'}: object_type: 'CONTCT' is not "
                          f"an object type HubSpot enrolls (did you mean 'CONTACT'?)")


def test_a_folder_without_action_py_is_exit_code_2(tmp_path):
    (tmp_path / "actions" / "empty").mkdir(parents=True)
    code, out, err = check_cli(tmp_path, str(tmp_path / "actions" / "empty"))
    assert (code, out) == (2, "")
    assert err.startswith(f"hs-actions: {tmp_path / 'actions' / 'empty'}: no action.py.")


def test_paths_are_shown_as_reachable_from_where_check_runs(tmp_path, monkeypatch):
    outside = tmp_path / "x" / "my_action"
    outside.mkdir(parents=True)
    (outside / "action.py").write_text('def main(event):\n    return {"outputFields": {"x": 1}}\n')
    (outside / "action.toml").write_text('object_type = "CONTACT"\n')
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    code, out, _ = check_cli(tmp_path, str(outside))
    assert code == 1
    assert out.startswith(f"{outside}/action.py:2: output-undeclared: the output field 'x' is returned but not "
                          f"declared in {outside}/action.toml, so")
    monkeypatch.chdir(tmp_path / "x")
    assert check_cli(tmp_path, str(outside))[1].startswith("my_action/action.py:2: output-undeclared: ")
