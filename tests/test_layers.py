"""The toolkit's layers, each importing only those below it, and no module reaching into
another's private names: the rules that keep a change in one part from breaking another.

    core < action < portal < harness < check, bundler, simulate < account, scaffold < cli, pytest plugin

harness/inside/ (the code that runs in HubSpot's runtime) imports nothing of the toolkit, so
its wire constants (the portal reads routing's run header) sit with the core. Imports inside
functions count too: a lazy import is still a dependency.
"""
import ast
from pathlib import Path

import hs_actions

PACKAGE = Path(hs_actions.__file__).parent
LAYERS = {
    "core": 0, "harness.inside": 0, "action": 1, "portal": 2, "harness": 3, "check": 4, "bundler": 4, "simulate": 4,
    "account": 5, "scaffold": 5, "cli": 6, "pytest_plugin": 6,
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    """A module's layer by its part of the toolkit; the package itself (its lazy __version__)
    is the bottom."""
    parts = module.split(".")
    return LAYERS.get(".".join(parts[1:3]), LAYERS[parts[1]]) if len(parts) > 1 else 0


def is_module(dotted: str) -> bool:
    path = PACKAGE.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def toolkit_imports(path: Path):
    """(line, imported module, names taken from it) for each import of the toolkit in a file."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "hs_actions":
                    yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == "hs_actions":
            yield node.lineno, node.module, [alias.name for alias in node.names]


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def test_every_module_belongs_to_a_layer():
    assert [m for m in MODULES if m != "hs_actions" and m.split(".")[1] not in LAYERS] == []


def upward(module: str, path: Path) -> list[str]:
    """The imports of a module from a layer above its own."""
    found = []
    for line, imported, names in toolkit_imports(path):
        targets = [f"{imported}.{name}" if is_module(f"{imported}.{name}") else imported for name in names] or [imported]
        found += [f"{path.name}:{line} imports {target}" for target in targets if layer(target) > layer(module)]
    return found


def private(module: str, path: Path) -> list[str]:
    """Another toolkit module's _private names a module imports or reaches through its attributes."""
    found = []
    tree = ast.parse(path.read_text())
    modules_bound = {}      # local name -> toolkit module it names
    for line, imported, names in toolkit_imports(path):
        found += [f"{path.name}:{line} imports {imported}.{name}"
                  for name in names if name.startswith("_") and not name.startswith("__")]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").startswith("hs_actions"):
            modules_bound.update({alias.asname or alias.name: f"{node.module}.{alias.name}"
                                  for alias in node.names if is_module(f"{node.module}.{alias.name}")})
        elif isinstance(node, ast.Import):
            modules_bound.update({alias.asname: alias.name for alias in node.names
                                  if alias.asname and alias.name.startswith("hs_actions")})
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules_bound
                and node.attr.startswith("_") and not node.attr.startswith("__")
                and modules_bound[node.value.id] != module):
            found.append(f"{path.name}:{node.lineno} uses {modules_bound[node.value.id]}.{node.attr}")
    return found


def test_each_layer_imports_only_the_layers_below_it():
    assert [line for module, path in MODULES.items() for line in upward(module, path)] == []


def test_no_module_imports_another_modules_private_names():
    assert [line for module, path in MODULES.items() for line in private(module, path)] == []


def test_the_checks_catch_what_they_are_for(tmp_path):
    code = tmp_path / "fake.py"
    code.write_text("def f():\n    from hs_actions.harness import runner\n"
                    "from hs_actions.bundler.bundle import _header\n"
                    "from hs_actions.core import colour as m\nm._secret\n")
    assert sorted(upward("hs_actions.core.fake", code)) == ["fake.py:2 imports hs_actions.harness.runner",
                                                    "fake.py:3 imports hs_actions.bundler.bundle"]
    assert sorted(private("hs_actions.core.fake", code)) == ["fake.py:3 imports hs_actions.bundler.bundle._header",
                                                     "fake.py:5 uses hs_actions.core.colour._secret"]
