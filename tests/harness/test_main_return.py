"""A main that gives HubSpot no dict: `run` and `check` say the same, with the same file:line.

Returning None (a bare `return`, or running past the end) fails by default, as HubSpot's
handling of it is undocumented; the setting allow_return_none makes both accept it. A
generator or async main never runs its code."""
import json

import pytest

from hs_actions.check import check
from hs_actions.harness import runtime

OUT = 'object_type = "CONTACT"\n[outputs]\nok = "boolean"\n'
# Falls off its end when the event has no inputFields.email, returns nothing on a bare return.
CODE = '''\
def main(event):
    email = event["inputFields"].get("email")
    if email is None:
        return
    if email.endswith("@example.com"):
        return {"outputFields": {"ok": True}}
    print("not ours")
'''


def places(folder):
    return [f"{folder}/action.py:4: a `return` without a value",
            f"{folder}/action.py:7: main can run past its last line without a return"]


def check_findings(folder):
    return [f for f in check([folder], folder.parent, runtime=runtime.fallback()) if f.rule == "main-return"]


def test_run_and_check_name_the_same_places(run_action, make_action):
    folder = make_action(CODE, OUT + '[inputs]\nemail = "email"\n')
    result = run_action(folder, inputs={"email": None})
    assert (result.status, result.error.type) == ("error", "InvalidReturnValue")
    where = "; ".join(places(folder))
    assert result.error.message == (
        f'main must return a dict like {{"outputFields": {{...}}}}; it returned None ({where}): what HubSpot does '
        f"with None is undocumented, so hs-actions fails it (allow_return_none = true under [tool.hs-actions] in "
        f'pyproject.toml accepts it). Fix: return {{"outputFields": {{...}}}} on every path (raise an exception '
        f"to fail the execution instead)")
    assert [f"{f.file}:{f.line}: {f.message.partition(',')[0]}" for f in check_findings(folder)] == places(folder)
    assert all(f.severity == "error" for f in check_findings(folder))


def test_a_main_that_returns_a_none_variable_names_no_place(run_action, make_action):
    result = run_action(make_action("def main(event):\n    result = None\n    return result\n", OUT))
    assert result.error.message.startswith('main must return a dict like {"outputFields": {...}}; it returned None: '
                                           "what HubSpot does with None is undocumented")


def test_allow_return_none_makes_both_commands_accept_it(make_action, seeded_portal_db, cli_main):
    folder = make_action(CODE.replace("return\n", "return None\n", 1), OUT + '[inputs]\nemail = "email"\n')
    (folder / "events").mkdir()
    (folder / "events" / "default.json").write_text('{"inputFields": {"email": "ada@other.org"}}')
    allow = {"HS_ACTIONS_ALLOW_RETURN_NONE": "true"}

    code, out, _ = cli_main("run", folder, "--json", "--portal-db", seeded_portal_db, env=allow)
    result = json.loads(out)
    assert (code, result["status"], result["outputFields"], result["logs"]) == (0, "success", {}, "not ours\n")
    assert (f"main returned None ({folder}/action.py:4: `return None`; {folder}/action.py:7: main can run past its "
            f"last line without a return): what HubSpot does with None is undocumented; accepted, with no "
            f"outputs, because allow_return_none is set") in result["warnings"]

    code, out, _ = cli_main("check", folder, env=allow)
    assert code == 0
    assert out.splitlines()[-1] == "0 errors, 2 warnings in 1 action"
    code, out, _ = cli_main("run", folder, "--json", "--portal-db", seeded_portal_db)
    assert (code, json.loads(out)["status"]) == (1, "error")
    assert cli_main("check", folder)[0] == 1


def test_a_setting_that_is_not_a_boolean_is_refused(make_action, cli_main):
    code, _, err = cli_main("check", make_action(CODE), env={"HS_ACTIONS_ALLOW_RETURN_NONE": "sometimes"})
    assert code == 2
    assert err.strip() == ("hs-actions: allow_return_none = 'sometimes' (pyproject.toml [tool.hs-actions] or "
                           "HS_ACTIONS_ALLOW_RETURN_NONE): write true or false")


@pytest.mark.parametrize("code, what, keyword", [
    ("def main(event):\n    print('never printed')\n    yield {'outputFields': {}}\n", "generator", "yield"),
    ("async def main(event):\n    print('never printed')\n    return {'outputFields': {}}\n", "coroutine", "async def"),
    ("async def main(event):\n    yield 1\n", "async generator", "async def"),
])
def test_a_main_that_runs_nothing_has_its_own_error(run_action, make_action, code, what, keyword):
    folder = make_action(code)
    result = run_action(folder)
    assert (result.status, result.error.type, result.logs) == ("error", "Runtime.MarshalError", "")
    explained = (f"is a {what} function (it uses `{keyword}`): calling it runs none of its code and gives HubSpot "
                 f"a {what} object instead of a dict, which it cannot return: Unable to marshal response: Object of "
                 f"type {what.replace(' ', '_')} is not JSON serializable")
    assert result.error.message == (f"main ({folder}/action.py:1) {explained}. Fix: make main a plain "
                                    f'`def main(event):` that returns {{"outputFields": {{...}}}}')
    assert [f.message for f in check_findings(folder)] == [f"main {explained}"]
