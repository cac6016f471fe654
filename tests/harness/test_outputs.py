"""Outputs judged against action.toml as HubSpot judges them."""
import pytest

from hs_actions.action import manifest
from hs_actions.harness import outputs, report

M = manifest.parse({
    "object_type": "CONTACT",
    "outputs": {"s": "string", "n": "number", "b": "boolean", "dt": "datetime", "d": "date",
                "e": {"type": "enumeration", "options": ["a", "b"]}, "p": "phone_number"},
})
MAY_1 = 1714521600000  # 2024-05-01T00:00:00Z


def judge(**values):
    return outputs.judge({"outputFields": values}, M)


def test_good_values_of_every_type():
    verdict = judge(s="x", n=1.5, b=False, dt=MAY_1 + 3_600_000, d=MAY_1, e="b", p="+14155550132")
    assert (verdict.error, verdict.problems, verdict.warnings) == (None, [], [])


@pytest.mark.parametrize("values, problem", [
    ({"n": "12"}, "output 'n' (number): expected a number, got str '12'"),
    ({"n": True}, "output 'n' (number): expected a number, got bool True"),
    ({"n": float("nan")}, "output 'n' (number): nan is not a finite number"),
    ({"b": "true"}, "output 'b' (boolean): expected true or false, got str 'true'"),
    ({"e": "c"}, "output 'e' (enumeration): 'c' is not one of its options: 'a', 'b'"),
    ({"dt": "2024-05-01"}, "output 'dt' (datetime): expected a number (Unix milliseconds), got str '2024-05-01'"),
    ({"d": MAY_1 + 3_600_000}, f"output 'd' (date): {MAY_1 + 3_600_000} is 2024-05-01T01:00:00Z, not midnight UTC; a date output is the day's midnight UTC in milliseconds, e.g. {MAY_1}"),
    ({"zz": 1}, 'output \'zz\' is not declared in action.toml: HubSpot flags it and later workflow actions cannot use it. Declare it under [outputs], e.g. zz = "number"'),
])
def test_values_that_break_the_declaration(values, problem):
    assert problem in judge(**values).problems


@pytest.mark.parametrize("value, stored", [
    (["a", "b"], "['a', 'b']"),                 # what ast.literal_eval in a next action reads back
    (5, "5"), (2.5, "2.5"), (True, "True"), ({"k": [1, None]}, "{'k': [1, None]}"),
])
def test_a_value_for_a_string_output_is_stored_as_its_text_by_default(value, stored):
    verdict = judge(s=value)
    assert (verdict.outputs["s"], verdict.problems, verdict.error) == (stored, [], None)
    assert verdict.warnings[0].startswith(f"output 's' (string): {type(value).__name__} ")
    assert f"stored as its text {stored!r}, as HubSpot most likely does" in verdict.warnings[0]


def test_strict_string_outputs_make_a_value_of_another_type_a_problem(monkeypatch):
    monkeypatch.setenv("HS_ACTIONS_STRING_OUTPUTS", "strict")
    verdict = judge(s=5)
    assert (verdict.outputs["s"], verdict.problems) == (5, ["output 's' (string): expected a string, got int 5"])


def test_the_text_of_a_long_list_is_held_to_the_string_limit():
    verdict = judge(s=["x" * 40_000, "y" * 40_000])
    assert verdict.error["type"] == "OUTPUT_VALUES_TOO_LARGE"


def test_other_types_are_never_converted():
    assert judge(p=14155550132).problems == ["output 'p' (phone_number): expected a string, got int 14155550132"]
    assert judge(n="12").outputs["n"] == "12"


def test_an_unknown_string_outputs_setting_is_refused(monkeypatch):
    from hs_actions.core.errors import ToolkitError
    monkeypatch.setenv("HS_ACTIONS_STRING_OUTPUTS", "json")
    with pytest.raises(ToolkitError, match='string_outputs = .json.*write "text"'):
        judge(s=5)


def test_none_is_an_empty_output():
    assert judge(n=None).problems == []


def test_missing_declared_output_is_a_warning():
    verdict = judge(s="x")
    assert "declared output 'n' was not returned: HubSpot leaves it empty" in verdict.warnings


def test_string_over_65000_characters_fails_the_action():
    assert judge(s="x" * 65_000).error is None
    verdict = judge(s="x" * 65_001)
    assert verdict.error["type"] == "OUTPUT_VALUES_TOO_LARGE"
    assert verdict.error["message"] == "output 's' is 65,001 characters; HubSpot fails the action above 65,000"


def test_output_problems_are_an_outcome_of_their_own(run_action, make_action):
    folder = make_action("def main(event):\n    return {'outputFields': {'n': '3', 'extra': 1}}\n",
                         'object_type = "CONTACT"\n[outputs]\nn = "number"\n')
    result = run_action(folder)
    assert (result.status, result.ok, result.error) == ("invalid_outputs", False, None)
    assert result.output_errors == [
        "output 'n' (number): expected a number, got str '3'",
        'output \'extra\' is not declared in action.toml: HubSpot flags it and later workflow actions cannot use it. '
        'Declare it under [outputs], e.g. extra = "number"',
    ]
    as_json = result.to_dict()
    assert (as_json["status"], as_json["ok"], as_json["error"]) == ("invalid_outputs", False, None)
    assert report.human(result).splitlines()[0] == (
        f"INVALID {folder.name}: invalid_outputs: it ran, but its outputs break action.toml (below)")


def test_an_undeclarable_output_name_is_to_be_renamed_not_declared(run_action, make_action):
    # Seen in a published action: an output named in Portuguese, with spaces and accents.
    folder = make_action("def main(event):\n    return {'outputFields': {'n': 3, 'Área de Atuação': 'x'}}\n",
                         'object_type = "CONTACT"\n[outputs]\nn = "number"\n')
    result = run_action(folder)
    assert (result.status, result.outputs) == ("invalid_outputs", {"n": 3, "Área de Atuação": "x"})
    assert result.output_errors == [
        "output 'Área de Atuação' is not declared in action.toml: HubSpot flags it and later workflow actions "
        "cannot use it. To use it, rename it in the code, as action.toml cannot declare 'Área de Atuação' (use "
        "letters, digits and _, not starting with a digit), and declare that under [outputs]",
    ]


def test_value_json_cannot_carry_fails_like_hubspot(run_action, make_action):
    code = "import datetime\ndef main(event):\n    return {'outputFields': {'when': datetime.date(2024, 5, 1)}}\n"
    result = run_action(make_action(code, 'object_type = "CONTACT"\n[outputs]\nwhen = "date"\n'))
    assert result.status == "error"
    assert result.error.type == "Runtime.MarshalError"
    assert result.error.message == ("Unable to marshal response: Object of type datetime.date is not JSON serializable "
                                    "(in output 'when': datetime.date(2024, 5, 1))")


def test_a_return_value_that_cannot_be_serialised_at_all(run_action, make_action):
    code = "def main(event):\n    loop = {}\n    loop['self'] = loop\n    return {'outputFields': loop}\n"
    result = run_action(make_action(code))
    assert result.status == "error"
    assert result.error.type == "Runtime.MarshalError"
    assert result.error.message == "Unable to marshal response: Circular reference detected"


def test_a_date_in_seconds_is_a_warning_since_early_dates_are_real():
    verdict = judge(dt=1714521600, d=34560000000)
    assert verdict.problems == []
    assert ("output 'dt' (datetime): 1714521600 is 1970-01-20T20:15:21.600000Z; if it is Unix seconds "
            "(2024-05-01T00:00:00Z), HubSpot wants milliseconds: multiply by 1000") in verdict.warnings
    assert any(w.startswith("output 'd' (date): 34560000000 is 1971-02-05T00:00:00Z") for w in verdict.warnings)


def test_values_json_cannot_carry_are_found_inside_lists_and_dicts(run_action, make_action):
    code = "import datetime\ndef main(event):\n    return {'outputFields': {'y': [{'z': datetime.date(2020, 1, 1)}]}}\n"
    result = run_action(make_action(code, 'object_type = "CONTACT"\n[outputs]\ny = "string"\n'))
    assert result.status == "error" and result.error.type == "Runtime.MarshalError"
    assert "Object of type datetime.date is not JSON serializable (in output 'y'" in result.error.message


BROKEN = "class Broken:\n    def __repr__(self):\n        raise RuntimeError('no repr')\n\n\n"


def test_a_value_whose_repr_raises_is_named_by_its_type_and_output(run_action, make_action):
    code = BROKEN + "def main(event):\n    return {'outputFields': {'when': Broken()}}\n"
    result = run_action(make_action(code, 'object_type = "CONTACT"\n[outputs]\nwhen = "string"\n'))
    assert (result.status, result.error.type) == ("error", "Runtime.MarshalError")
    assert result.error.message == ("Unable to marshal response: Object of type action.Broken is not JSON serializable "
                                    "(in output 'when': <its repr() raised RuntimeError>)")


def test_a_returned_object_that_is_no_dict_is_named_by_its_type(run_action, make_action):
    result = run_action(make_action(BROKEN + "def main(event):\n    return Broken()\n"))
    assert (result.status, result.error.type) == ("error", "InvalidReturnValue")
    assert result.error.message == ('main must return a dict like {"outputFields": {...}}; it returned '
                                    "action.Broken <its repr() raised RuntimeError>")


def test_an_output_nested_hundreds_deep_is_an_output_problem_not_a_crash(run_action, make_action):
    # Deep enough to exhaust the recursion of what judges, masks and prints a result.
    code = "def main(event):\n    v = []\n    for _ in range(700):\n        v = [v]\n    return {'outputFields': {'r': v}}\n"
    result = run_action(make_action(code, 'object_type = "CONTACT"\n[outputs]\nr = "number"\n'))
    assert result.status == "invalid_outputs"
    assert result.output_errors == ["output 'r': a value nested more than 100 levels deep; outputs are strings, "
                                    "numbers or booleans"]
    assert result.outputs == {"r": "[a value nested more than 100 levels deep: not shown]"}


def test_problem_says_why_a_run_did_not_succeed(run_action, make_action):
    """What `assert result.ok, result.problem` shows: the outputs' problems where there is no
    error (`result.error` is None for invalid_outputs), the error where there is one."""
    folder = make_action('def main(event):\n    return {"outputFields": {"extra": 1}}\n',
                         'object_type = "CONTACT"\n[outputs]\nscore = "number"\n')
    result = run_action(folder)
    assert result.status == "invalid_outputs" and result.error is None
    assert result.problem.splitlines()[0] == f"{folder.name}: invalid_outputs"
    assert "extra" in result.problem and result.problem.splitlines()[1:] == result.output_errors
    raised = run_action(make_action('def main(event):\n    raise ValueError("no")\n', 'object_type = "CONTACT"\n'))
    assert raised.problem.splitlines()[1] == "ValueError: no"
    assert run_action(make_action('def main(event):\n    return {"outputFields": {}}\n',
                                  'object_type = "CONTACT"\n')).problem is None
