"""harness/inside/ runs in HubSpot's Python 3.9, where the toolkit's own Python (3.11) would
accept syntax and library calls that the runtime refuses only at the first run."""
import ast
import subprocess
import sys
from pathlib import Path

from hs_actions.harness import inside

INSIDE = Path(inside.__file__).parent
VERMIN = Path(sys.executable).with_name("vermin")


def test_every_file_inside_needs_no_more_than_python_39():
    checked = subprocess.run([str(VERMIN), "-t=3.9-", "--violations", "--no-tips", "--eval-annotations", str(INSIDE)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Analyzing" in checked.stdout and str(INSIDE) not in checked.stdout


def test_every_file_inside_imports_only_the_standard_library_and_its_neighbours():
    """Inside the runtime hs_actions is not importable and neither are the toolkit's
    dependencies: a module here reaches the rest of inside/ relatively, and nothing else
    (urllib3 is the action's own, which routing.py patches once the action imports it)."""
    found = []
    for path in sorted(INSIDE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            found += [f"{path.name}: {name}" for name in names
                      if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] != "urllib3"]
    assert found == []
