"""hs-actions drift: is the code in HubSpot still the repository's bundle?"""
from hs_actions.bundler.bundle import bundle_text
from hs_actions.cli import main

LEAD = "lead_score"


def drift(tmp_path, text, capsys):
    pasted = tmp_path / "from_hubspot.py"
    pasted.write_text(text)
    code = main(["drift", LEAD, str(pasted)])
    return code, capsys.readouterr().out


def current(action="lead_score"):
    from hs_actions.core import project
    return bundle_text(project.current().actions / action)


def test_same_code_even_after_the_editor_changed_line_endings(tmp_path, capsys):
    code, out = drift(tmp_path, current().replace("\n", "\r\n") + "\n\n", capsys)
    assert code == 0 and "the same code as the repository's bundle of lead_score (sha256:" in out


def test_without_the_header_the_code_still_matches(tmp_path, capsys):
    text = current()
    code, out = drift(tmp_path, text[text.index("\n\n") + 2:], capsys)
    assert code == 0


def test_edited_in_hubspot(tmp_path, capsys):
    code, out = drift(tmp_path, current().replace("score += 30", "score += 31", 1), capsys)
    assert code == 1 and "edited after it was bundled" in out


def test_an_older_bundle(tmp_path, capsys):
    text = current()
    header, body = text.split("\n\n", 1)
    from hs_actions.bundler.bundle import HASH_LINE, code_hash
    old_body = body.replace("score += 30", "score += 31", 1)
    old = header.split(HASH_LINE)[0] + HASH_LINE + code_hash(old_body) + "\n\n" + old_body
    code, out = drift(tmp_path, old, capsys)
    assert code == 1 and "an older bundle of lead_score" in out and "bundle and paste again" in out


def test_missing_file(tmp_path, capsys):
    assert main(["drift", LEAD, str(tmp_path / "nope.py")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_a_bundle_of_another_action(tmp_path, capsys):
    pasted = tmp_path / "other.py"
    pasted.write_text(current("days_to_mql"))
    assert main(["drift", LEAD, str(pasted)]) == 2
    assert capsys.readouterr().err == f"hs-actions: {pasted} is a bundle of days_to_mql, not of lead_score: hs-actions drift days_to_mql {pasted}\n"
