"""check's pyflakes rules: certain failures (undefined names, code Python refuses, formats that
raise) are errors with file:line; unused imports and suspicious code are warnings."""
import inspect
import io

from pyflakes import messages

from hs_actions.check import check
from hs_actions.check.flakes import PYFLAKES
from hs_actions.check.commands import run_check
from hs_actions.core.report import Console
from hs_actions.harness import runtime
from tests.support import write_action

RULES = ("undefined-name", "invalid-code", "format-error", "unused", "suspicious")


def make(tmp_path, code, helpers=None):
    return write_action(tmp_path, code, 'object_type = "CONTACT"\n[inputs]\nemail = "email"\n', helpers)


def findings(tmp_path, code, helpers=None):
    folder, helpers_dir = make(tmp_path, code, helpers)
    return [(str(f), f.severity) for f in check([folder], helpers_dir, runtime=runtime.fallback()) if f.rule in RULES]


def test_a_name_misspelt_on_one_branch_is_an_error(tmp_path):
    assert findings(tmp_path, '''\
        def main(event):
            email = event["inputFields"]["email"]
            if email:
                domain = emial.split("@")[1]
            else:
                domain = ""
            return {"outputFields": {"domain": domain}}
        ''') == [("actions/demo/action.py:4: undefined-name: undefined name 'emial'. Fix: define it before this line "
                  "on every path, or correct its spelling (HubSpot fails the execution with NameError when the line "
                  "runs)", "error")]


def test_a_global_used_before_its_local_assignment_is_an_error(tmp_path):
    assert findings(tmp_path, '''\
        count = 0


        def main(event):
            print(count)
            count = 1
            return {"outputFields": {}}
        ''')[0] == ("actions/demo/action.py:5: undefined-name: local variable 'count' defined in enclosing scope on "
                    "line 1 referenced before assignment. Fix: define it before this line on every path, or correct "
                    "its spelling (HubSpot fails the execution with NameError when the line runs)", "error")


def test_code_python_refuses_and_formats_that_raise_are_errors(tmp_path):
    assert findings(tmp_path, '''\
        return 1


        def main(event):
            label = "%s of %s" % (1,)
            other = "{} and {}".format(label)
            return {"outputFields": {"label": other}}
        ''') == [
        ("actions/demo/action.py:1: invalid-code: 'return' outside function. Fix: correct the code: HubSpot cannot "
         "load the file", "error"),
        ("actions/demo/action.py:5: format-error: '...' % ... has 2 placeholder(s) but 1 substitution(s). Fix: make "
         "the format and its arguments agree (it raises TypeError or ValueError when the line runs)", "error"),
        ("actions/demo/action.py:6: format-error: '...'.format(...) is missing argument(s) for placeholder(s): 1. "
         "Fix: make the format and its arguments agree (it raises TypeError or ValueError when the line runs)",
         "error"),
    ]


def test_unused_imports_and_suspicious_code_are_warnings(tmp_path):
    assert findings(tmp_path, '''\
        import json
        import os


        def main(event):
            assert (event, "an event")
            return {"outputFields": {"x": f"plain"}}
        ''') == [
        ("actions/demo/action.py:1: unused: 'json' imported but unused. Fix: remove it, or use it", "warning"),
        ("actions/demo/action.py:2: unused: 'os' imported but unused. Fix: remove it, or use it", "warning"),
        ("actions/demo/action.py:6: suspicious: assertion is always true, perhaps remove parentheses? Fix: rewrite "
         "it to say what it means", "warning"),
        ("actions/demo/action.py:7: suspicious: f-string is missing placeholders. Fix: rewrite it to say what it "
         "means", "warning"),
    ]


def test_warnings_alone_do_not_fail_the_check(tmp_path):
    make(tmp_path, 'import json\n\n\ndef main(event):\n    return {"outputFields": {}}\n')
    report = run_check([], actions_dir=tmp_path / "actions", console=Console(err=io.StringIO()))
    assert report.exit_code == 0
    assert report.text().splitlines()[-1] == "0 errors, 1 warning in 1 action"


def test_helpers_the_action_imports_are_checked_too(tmp_path):
    assert findings(tmp_path, '''\
        from shared.helpers.fmt import shout


        def main(event):
            return {"outputFields": {"x": shout("a")}}
        ''', {"fmt": "def shout(text):\n    return txt.upper()\n"}) == [
        ("shared/helpers/fmt.py:2: undefined-name: undefined name 'txt'. Fix: define it before this line on every "
         "path, or correct its spelling (HubSpot fails the execution with NameError when the line runs)", "error"),
    ]


def test_every_message_pyflakes_has_is_placed_in_the_table():
    classes = {name for name, cls in inspect.getmembers(messages, inspect.isclass)
               if issubclass(cls, messages.Message) and cls is not messages.Message}
    assert classes - set(PYFLAKES) == set()
