"""The command contract: a command returns a Report (stdout lines, exit code, --json data) that a
test reads without a terminal; what must be heard while it runs goes through a Console."""
import io
import json

from hs_actions.action.commands import list_actions
from hs_actions.bundler.commands import run_drift
from hs_actions.core.report import Console, Report
from hs_actions.portal import commands as portal_commands

MANIFEST = 'object_type = "CONTACT"\ndescription = "Scores a lead"\nsecrets = ["HUBSPOT_TOKEN"]\n' \
           '[inputs]\nemail = "email"\n[outputs]\nscore = "number"\n'


def action(root, name, manifest=MANIFEST):
    folder = root / "actions" / name
    folder.mkdir(parents=True)
    (folder / "action.py").write_text("def main(event):\n    return {'outputFields': {'score': 1}}\n")
    (folder / "action.toml").write_text(manifest)
    return folder


def test_a_report_prints_each_line_with_a_newline_and_json_instead_of_lines():
    assert Report(["one", "two\nthree"]).text() == "one\ntwo\nthree\n"
    assert Report().text() == ""
    answer = Report(["not printed"], exit_code=2, data=[{"name": "a"}])
    assert answer.text() == '[\n  {\n    "name": "a"\n  }\n]\n' and answer.unshown() == [answer.text()[:-1]]
    assert Report(data=[]).text() == "[]\n"


def test_lines_a_console_showed_while_the_command_ran_are_not_printed_again():
    out = io.StringIO()
    report = Report()
    Console(out).show(report, "first", "second")
    report.lines.append("last")
    assert out.getvalue() == "first\nsecond\n"
    assert report.unshown() == ["last"] and report.text() == "first\nsecond\nlast\n"
    quiet = Report()
    Console().show(quiet, "kept")
    assert quiet.unshown() == ["kept"]


def test_a_console_writes_to_the_stderr_of_the_moment_unless_given_streams(capsys):
    console = Console()
    console.note("a warning")
    console.step("a slow step")
    assert capsys.readouterr().err == "a warning\na slow step\n"
    err, progress = io.StringIO(), io.StringIO()
    Console(err=err, progress=progress).note("to err")
    Console(err=err, progress=progress).step("to progress")
    assert (err.getvalue(), progress.getvalue()) == ("to err\n", "to progress\n")


def test_list_returns_its_lines_and_notes_a_broken_action_on_stderr(tmp_path):
    action(tmp_path, "lead_score")
    action(tmp_path, "broken", "object_type = \n")
    err = io.StringIO()
    listed = list_actions(actions_dir=tmp_path / "actions", console=Console(err=err))
    assert listed.exit_code == 2
    assert listed.lines == ["lead_score  (CONTACT) Scores a lead", "  secrets: HUBSPOT_TOKEN",
                            "  inputs:  email<-email", "  outputs: score:number"]
    assert err.getvalue().startswith("hs-actions: broken: cannot be listed: ")
    as_json = list_actions(as_json=True, actions_dir=tmp_path / "actions", console=Console(err=err))
    assert [a["name"] for a in json.loads(as_json.text())] == ["broken", "lead_score"]
    assert as_json.exit_code == 2 and err.getvalue().count("cannot be listed") == 1
    assert list_actions(actions_dir=tmp_path / "none").lines == ["no actions yet: `hs-actions new NAME` makes one"]


def test_drift_and_the_portal_commands_return_reports(tmp_path):
    folder = action(tmp_path, "lead_score")
    copied = tmp_path / "copied.py"
    copied.write_text("def main(event):\n    return {}\n")
    differs = run_drift(str(folder), copied)
    assert differs.exit_code == 1 and differs.lines[0].startswith(f"{copied}: not a bundle (no hs-actions header)")
    db = tmp_path / "portal.sqlite3"
    assert portal_commands.reset(db).lines == [f"Emptied {db}."]
    assert portal_commands.show(db).lines[0] == f"Portal database {db}"
