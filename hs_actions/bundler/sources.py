"""An action's code and the helpers it imports, read, parsed and put in dependency order.

Helpers are imported at the top level of a file in one of three forms, so the bundler can
inline them: `from shared.helpers.M import name [as alias]`, `from shared.helpers import M
[as alias]` and `import shared.helpers.M as alias`. Everything else about helper imports is a
HelperError naming the file and line.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from hs_actions.core import project
from hs_actions.core.text import escaped
from hs_actions.action.folder import link_out
from hs_actions.bundler import imports
from hs_actions.bundler.errors import HelperError
from hs_actions.core.errors import ActionNotFound
from hs_actions.bundler.scopes import Ref, global_refs

_FORMS = ("`from shared.helpers.M import name`, `from shared.helpers import M` "
          "or `import shared.helpers.M as M`")


@dataclass(frozen=True)
class HelperImport:
    """One name a file binds to a helper: a name defined in it, or the module itself (name None)."""

    stmt: int
    line: int
    end_line: int
    module: str
    name: str | None
    binding: str


@dataclass
class Source:
    """One file: its module name ("action" for the action), text, syntax tree and global names."""

    module: str
    path: Path
    display: str
    text: str
    tree: ast.Module
    refs: list[Ref] = field(default_factory=list)
    helper_imports: list[HelperImport] = field(default_factory=list)

    @property
    def helper_modules(self) -> list[str]:
        return list(dict.fromkeys(i.module for i in self.helper_imports))


def read(path: Path, module: str, display: str, folder: Path) -> Source:
    """Parse one file of `folder` (the action's, or shared/); a syntax error is a HelperError at
    its line (rule "syntax"), a symbolic link whose real path leaves `folder` and shared/ one
    that names the link (rule "link-out"), never read."""
    real = link_out(path, folder)
    if real is not None:
        raise HelperError(f"a symbolic link to {escaped(str(real))}, outside {escaped(str(folder))}: refused, "
                          "never read", display, 1, "link-out",
                          "replace the link with the file itself (the bundle and HubSpot get only what the "
                          "repository holds)")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ActionNotFound(f"{path}: not found") from None
    except UnicodeDecodeError as error:
        raise HelperError(f"not UTF-8 text ({error.reason} at byte {error.start})", display, 1, "syntax",
                          "save the file as UTF-8") from None
    try:
        tree = ast.parse(text, filename=display)
    except SyntaxError as error:
        raise HelperError(f"syntax error: {error.msg}", display, error.lineno or 1, "syntax",
                          "correct the syntax; nothing else in the file is checked or bundled until it parses") from None
    source = Source(module, path, display, text, tree)
    source.refs = global_refs(tree, text)
    source.helper_imports = _helper_imports(source)
    return source


def display_name(module: str) -> str:
    """shared.helpers.phone -> shared/helpers/phone.py, as the repository shows it."""
    return module.replace(".", "/") + ".py"


def load_helpers(action: Source, helpers_dir: Path | None = None) -> list[Source]:
    """Every helper `action` imports, transitively, dependencies first.

    Raises HelperError for a helper that does not exist, a syntax error in one, an import
    cycle between helpers, or a helper importing what HubSpot's runtime does not have.
    """
    helpers_dir = helpers_dir or project.current().helpers
    loaded: dict[str, Source] = {}
    ordered: list[Source] = []

    def visit(importer: Source, chain: list[str]) -> None:
        for helper_import in importer.helper_imports:
            module = helper_import.module
            if module in chain:
                cycle = chain[chain.index(module):] + [module]
                raise HelperError(
                    "import cycle between helpers: " + " -> ".join(display_name(m) for m in cycle),
                    importer.display, helper_import.line, "helper-cycle",
                    "helpers are inlined in dependency order; move what they share into a third helper",
                )
            if module in loaded:
                continue
            path = helpers_dir.joinpath(*module.split(".")[2:]).with_suffix(".py")
            if not path.is_file():
                raise HelperError(
                    f"no helper {module}: {display_name(module)} does not exist",
                    importer.display, helper_import.line, "helper-missing",
                    _known(helpers_dir) + f"write {display_name(module)}",
                )
            source = read(path, module, display_name(module), helpers_dir.parent)
            _check_helper_imports(source)
            visit(source, chain + [module])
            loaded[module] = source
            ordered.append(source)

    visit(action, [action.module])
    return ordered


def _known(helpers_dir: Path) -> str:
    names = sorted(p.stem for p in helpers_dir.glob("*.py") if p.stem != "__init__")
    return f"import one of the helpers there are ({', '.join(names)}), or " if names else ""


def _check_helper_imports(source: Source) -> None:
    """Helpers obey HubSpot's runtime: nothing but the standard library, its libraries, helpers."""
    for node in ast.walk(source.tree):
        for module in _imported_modules(node):
            kind = imports.classify(module)
            if kind == imports.UNAVAILABLE:
                raise HelperError(
                    f"the helper imports {module!r}, which HubSpot's runtime does not have "
                    f"(it has {imports.available()})", source.display, node.lineno, "import-unavailable",
                    "helpers may use only those; rewrite the helper without it",
                )
            if kind == imports.LOCAL:
                raise HelperError(
                    f"the helper imports {module!r}, which is this repository's code and is not "
                    f"inlined", source.display, node.lineno, "import-local",
                    f"import only {imports.HELPERS_PACKAGE} modules from a helper",
                )


def _imported_modules(node) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom):
        return ["." * node.level + (node.module or "")] if node.level else [node.module]
    return []


def _helper_imports(source: Source) -> list[HelperImport]:
    found = []
    top_level = {id(node) for node in source.tree.body}
    for node in ast.walk(source.tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.ImportFrom) and node.level:
            continue                    # relative: the import rules report it
        modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
        if not any(imports.classify(m) == imports.HELPER for m in modules):
            continue
        if id(node) not in top_level:
            raise HelperError(
                "a helper imported inside a block; the bundler inlines only top-level imports",
                source.display, node.lineno, "helper-import", "move this import to the top of the file",
            )
        index = source.tree.body.index(node)
        neighbours = source.tree.body[max(index - 1, 0):index] + source.tree.body[index + 1:index + 2]
        if any(other.lineno <= node.end_lineno and other.end_lineno >= node.lineno for other in neighbours):
            raise HelperError("a helper import shares its line with other code, which the bundler replaces "
                              "with the helper", source.display, node.lineno, "helper-import",
                              "put the import on a line of its own")

        def add(module, name, binding):
            found.append(HelperImport(index, node.lineno, node.end_lineno, module, name, binding))

        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    raise HelperError(f"`from {node.module} import *` cannot be inlined",
                                      source.display, node.lineno, "helper-import", f"use {_FORMS}")
                if node.module == imports.HELPERS_PACKAGE:
                    add(f"{node.module}.{alias.name}", None, alias.asname or alias.name)
                else:
                    add(node.module, alias.name, alias.asname or alias.name)
            continue
        for alias in node.names:
            if imports.classify(alias.name) != imports.HELPER:
                raise HelperError(f"`import {alias.name}` shares a statement with a helper import",
                                  source.display, node.lineno, "helper-import",
                                  "import helpers in statements of their own")
            if alias.name == imports.HELPERS_PACKAGE or not alias.asname:
                raise HelperError(f"`import {alias.name}` cannot be inlined",
                                  source.display, node.lineno, "helper-import", f"use {_FORMS}")
            add(alias.name, None, alias.asname)
    return sorted(found, key=lambda i: i.line)
