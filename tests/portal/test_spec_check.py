"""scripts/spec_check counts honestly: a generic {objectType} is the spec's own type, and an
operation answered with a not-modelled 404 for that type is not served."""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def spec_check():
    spec = importlib.util.spec_from_file_location("spec_check", ROOT / "scripts" / "spec_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("folder, own", [
    ("PublicApiSpecs/CRM/Goal Targets/Rollouts/1/v3/x.json", "goal_targets"),
    ("PublicApiSpecs/CRM/Line Items/Rollouts/1/v3/x.json", "line_items"),
    ("PublicApiSpecs/CRM/Objects/Rollouts/1/v3/x.json", "contacts"),
    ("PublicApiSpecs/CMS/Hubdb/Rollouts/1/v3/x.json", "contacts"),
])
def test_a_specs_own_type_comes_from_its_folder(spec_check, folder, own):
    assert spec_check.own_type(Path(folder)) == own


def test_a_type_the_portal_does_not_model_is_not_served(spec_check, empty_portal):
    path = "/crm/v3/objects/{objectType}/{objectId}"
    assert spec_check.is_served(empty_portal, "GET", path, "contacts")
    assert not spec_check.is_served(empty_portal, "GET", path, "goal_targets")
    assert not spec_check.is_served(empty_portal, "GET", path, "feedback_submissions")
