"""check, rule bundle-size: a warning (HubSpot documents no limit) for bundles over a generous size."""

from hs_actions.check import check
from hs_actions.check import has_errors
from hs_actions.check.size import BUNDLE_SIZE_WARNING
from hs_actions.harness import runtime


def findings(tmp_path, code):
    folder = tmp_path / "actions" / "demo"
    folder.mkdir(parents=True)
    (folder / "action.py").write_text(code)
    (folder / "action.toml").write_text('object_type = "CONTACT"\n')
    return check([folder], tmp_path, runtime=runtime.fallback())


def test_a_bundle_over_the_size_is_a_warning(tmp_path):
    code = f'TABLE = "{"x" * BUNDLE_SIZE_WARNING}"\n\n\ndef main(event):\n    return {{}}\n'
    found = findings(tmp_path, code)
    assert [f.rule for f in found] == ["bundle-size"]
    assert found[0].severity == "warning" and not has_errors(found)
    text = str(found[0])
    assert text.startswith("actions/demo/action.py:1: bundle-size: the bundle is 200,")
    assert text.endswith(" bytes, over 200,000 (a warning: HubSpot documents no size limit, but code this large "
                         "is unusual for one action). Fix: move data out of the code (into HubSpot properties, or "
                         "fetched) or split the action")


def test_a_bundle_under_the_size_passes(tmp_path):
    assert findings(tmp_path, f'TABLE = "{"x" * 1000}"\n\n\ndef main(event):\n    return {{}}\n') == []
