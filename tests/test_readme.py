"""Every Python example in README.md is a test that runs (so the docs cannot rot)."""
import re

from hs_actions.core import project


def test_readme_python_examples_are_tests():
    readme = (project.current().root / "README.md").read_text()
    sources = "".join(p.read_text() for p in [*project.current().root.glob("tests/**/test_*.py"), *project.current().root.glob("actions/*/test_*.py")])
    examples = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert examples
    for example in examples:
        assert example in sources, f"README example not found in any test file:\n{example}"
