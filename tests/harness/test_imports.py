import pytest

"""What an action may import: the standard library, HubSpot's libraries, and shared.helpers."""
OUT = 'object_type = "CONTACT"\n[outputs]\nv = "string"\n'


def test_shared_helpers_are_importable(run_action, make_action):
    code = "import shared.helpers\ndef main(event):\n    return {'outputFields': {'v': shared.helpers.__name__}}\n"
    result = run_action(make_action(code, OUT))
    assert result.ok, result.error
    assert result.outputs == {"v": "shared.helpers"}


@pytest.mark.parametrize("module, message", [
    ("shared.project", "No module named 'shared.project': of this repository, actions may import only shared.helpers"),
    ("hs_actions.harness", "No module named 'hs_actions': of this repository, actions may import only shared.helpers"),
    ("actions.lead_score.action", "No module named 'actions'"),
    ("tests.conftest", "No module named 'tests'"),
])
def test_the_rest_of_the_repository_is_not(run_action, make_action, module, message):
    result = run_action(make_action(f"import {module}\ndef main(event):\n    pass\n"))
    assert result.status == "error"
    assert result.error.type == "ModuleNotFoundError"
    assert result.error.message.startswith(message)
