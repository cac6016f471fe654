"""check's rule registry: every id check can report is declared with @rule (so --list-rules
shows it), and a finding under an id that is not cannot be made."""
import ast
import inspect
from pathlib import Path

import pytest

from hs_actions import bundler, check as check_package
from hs_actions.check import RULES, Finding
from hs_actions.check.flakes import PYFLAKES
from hs_actions.check.registry import CHECKS, KINDS, WARNING, rule
from hs_actions.cli import main

CHECK_DIR = Path(inspect.getfile(check_package)).parent
BUNDLER_DIR = Path(inspect.getfile(bundler)).parent
# The classes whose `rule` check reports a BundleError under (Finding.of), and the id they
# take when none is given.
BUNDLE_ERRORS = {"BundleError", "HelperError", "BundleWriteError"}
BUNDLE_ERROR_DEFAULT = "bundle"


def calls(folder: Path, names: set[str]):
    """(file:line, call) of each call of a name in `names` in the modules of `folder`."""
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name in names:
                    yield f"{path.name}:{node.lineno}", node


def argument(call: ast.Call, position: int, keyword: str):
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def test_a_finding_under_an_id_no_rule_declares_is_refused():
    with pytest.raises(ValueError, match="no rule 'no-such-rule' is registered"):
        Finding("actions/demo/action.py", 1, "no-such-rule", "a message", "a fix")


def test_a_finding_takes_its_rules_severity_unless_given_one():
    assert Finding("a.py", 1, "bundle-size", "big", "split it").severity == WARNING
    assert Finding("a.py", 1, "main-return", "None", "return a dict", WARNING).severity == WARNING
    assert Finding("a.py", 1, "syntax", "bad", "fix it").severity == "error"


def test_every_id_a_finding_is_made_under_in_check_is_registered():
    unregistered, computed = [], []
    for where, call in calls(CHECK_DIR, {"Finding"}):
        given = argument(call, 2, "rule")
        if isinstance(given, ast.Constant):
            unregistered += [f"{where}: {given.value}"] if given.value not in RULES else []
        else:
            computed.append(where)
    assert unregistered == []
    # The one id not written out is pyflakes' rule, from its table (or "suspicious").
    assert [where.split(":")[0] for where in computed] == ["flakes.py"]
    assert {rule_id for rule_id, _ in PYFLAKES.values()} | {"suspicious"} <= set(RULES)


def test_every_id_the_bundler_raises_under_is_registered():
    """Loading and inlining errors become findings under their own ids (Finding.of)."""
    ids = {}
    for where, call in calls(BUNDLER_DIR, BUNDLE_ERRORS):
        given = argument(call, 3, "rule")
        assert given is None or isinstance(given, ast.Constant), f"{where}: the rule id is not written out"
        ids[where] = BUNDLE_ERROR_DEFAULT if given is None else given.value
    assert len(ids) > 10
    assert {where: id for where, id in ids.items() if id not in RULES} == {}


def test_the_walk_would_catch_an_unregistered_id(tmp_path):
    (tmp_path / "rules.py").write_text('Finding(source.display, 1, "no-such-rule", "a message", "a fix")\n')
    [(where, call)] = calls(tmp_path, {"Finding"})
    assert (where, argument(call, 2, "rule").value) == ("rules.py:1", "no-such-rule")


def test_every_rule_is_run_by_a_check_of_the_kind_it_takes():
    for declared in RULES.values():
        assert declared.takes in KINDS and declared.check in CHECKS[declared.takes], declared.id


def test_an_id_cannot_be_declared_twice():
    with pytest.raises(ValueError, match="rule 'syntax' is declared twice"):
        rule("syntax", WARNING, "again", takes=KINDS[0])(lambda subject: [])


def test_list_rules_prints_the_registry_one_rule_a_line(capsys):
    assert main(["check", "--list-rules"]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert err == "" and len(lines) == len(RULES)
    rows = [line.split(None, 2) for line in lines]
    assert rows == [[r.id, r.severity, r.description] for r in RULES.values()]
    assert ["import-unavailable", "error", "an import HubSpot's runtime does not have"] in rows
    # In columns: every severity starts at the same place.
    assert len({line.index(r.severity, len(r.id)) for line, r in zip(lines, RULES.values())}) == 1
