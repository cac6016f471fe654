"""Inline the helpers an action uses into its own source, name by name.

The action's text is kept verbatim; only its helper imports are replaced: the first by the
imports the helpers need and the helpers' code, each by `alias = name` where the action binds a
helper under another name. From each helper only the top-level statements the action needs
(transitively) are kept, plus the helper's other top-level statements with side effects.

A helper's name that the action also uses is renamed in the helper (`_phone_to_e164`); `main`
and every other name of the action are never touched. Two helpers defining the same name, both
needed, is a HelperError: helpers share one namespace once inlined.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field

from hs_actions.bundler import imports
from hs_actions.core import pyimports
from hs_actions.bundler.errors import BundleError, HelperError
from hs_actions.bundler.sources import Source

# What a name is bound to, so equal bindings are recognised across files:
# ("def", module, name)   a top-level def, class or assignment in a helper
# ("module", dotted)      `import dotted` / `import dotted as x`
# ("attr", module, name)  `from module import name`
# ("ns", module)          a helper module imported as a whole (inlined as a class)
# ("action", name) / ("builtin", name): names the action binds, or reads unbound
Identity = tuple


@dataclass
class _Helper:
    source: Source
    skipped: set = field(default_factory=set)          # statements never emitted
    future: list = field(default_factory=list)         # `from __future__ import x` names
    definers: dict = field(default_factory=lambda: defaultdict(list))   # name -> statements
    imported: dict = field(default_factory=dict)       # name -> import identity
    submodules: dict = field(default_factory=dict)     # import identity -> `import a.b` forms
    helper_bound: dict = field(default_factory=dict)   # name -> HelperImport
    side_effects: list = field(default_factory=list)   # statements that define nothing


def inline(action: Source, helpers: list[Source]) -> str:
    """The action's source with the helpers it uses inlined (see the module docstring)."""
    return _Inliner(action, helpers).run()


def used_lines(action: Source, helpers: list[Source]) -> dict[str, set[int]]:
    """For each helper module, the source lines of the top-level statements inlining keeps."""
    inliner = _Inliner(action, helpers)
    inliner.run()
    used = {}
    for module, indexes in inliner.included.items():
        body = inliner.helpers[module].source.tree.body
        used[module] = {n for i in indexes for n in range(body[i].lineno, body[i].end_lineno + 1)}
    return used


class _Inliner:
    def __init__(self, action: Source, helpers: list[Source]):
        self.action = action
        self.helpers = {h.module: _analyse(h) for h in helpers}
        self.order = [h.module for h in helpers]

    # -- what refers to what

    def resolve(self, module: str, name: str) -> Identity | None:
        helper = self.helpers[module]
        if name in helper.definers:
            return ("def", module, name)
        if name in helper.imported:
            return helper.imported[name]
        if name in helper.helper_bound:
            return self.target(helper.helper_bound[name], helper.source)
        return None

    def target(self, helper_import, importer: Source) -> Identity:
        if helper_import.name is None:
            return ("ns", helper_import.module)
        found = self.resolve(helper_import.module, helper_import.name)
        if found is None:
            helper = self.helpers[helper_import.module].source
            raise HelperError(
                f"{helper.display} has no top-level name {helper_import.name!r} to import",
                importer.display, helper_import.line, "helper-missing",
                f"import a name {helper.display} defines, or define {helper_import.name} there",
            )
        return found

    # -- the run

    def run(self) -> str:
        self.included = defaultdict(set)      # module -> statement indexes
        self.members = defaultdict(set)       # ns module -> names used as ns.name
        self.needed_imports = {}              # identity -> (desired name, importing module)
        self.first_binding = {}               # ns identity -> desired name
        self.builtins_used = {}               # name -> (display, line)
        self._closure()
        self._name()
        return self._emit()

    def _closure(self) -> None:
        todo: list = []
        for helper_import in self.action.helper_imports:
            identity = self.target(helper_import, self.action)
            todo.append(identity)
            if identity[0] == "ns":
                self.first_binding.setdefault(identity, helper_import.binding)
                self._use_namespace(identity, helper_import.binding, self.action, todo)
        seen = set()
        while todo:
            identity = todo.pop()
            if identity in seen:
                continue
            seen.add(identity)
            if identity[0] == "def":
                _, module, name = identity
                for index in self.helpers[module].definers[name]:
                    self._include(module, index, todo)
            elif identity[0] == "ns":
                module = identity[1]
                for name in sorted(self.members[identity]):
                    member = self.resolve(module, name)
                    if member is None:
                        raise HelperError(f"{_display(module)} has no top-level name {name!r}",
                                          self.action.display, self._line_using(identity, name),
                                          "helper-missing", f"use a name {_display(module)} defines")
                    todo.append(member)
            elif identity[0] in ("module", "attr"):
                self.needed_imports.setdefault(identity, (_natural(identity), None))

    def _include(self, module: str, index: int, todo: list) -> None:
        helper = self.helpers[module]
        if index in self.included[module]:
            return
        first = not self.included[module]
        self.included[module].add(index)
        if first:
            for other in helper.side_effects:
                self._include(module, other, todo)
        for ref in helper.source.refs:
            if ref.stmt != index or ref.kind == "import":
                continue
            identity = self.resolve(module, ref.name)
            if identity is None:
                if ref.kind == "load":
                    self.builtins_used.setdefault(ref.name, (helper.source.display, ref.line))
                continue
            todo.append(identity)
            if identity[0] == "ns":
                self.first_binding.setdefault(identity, ref.name)
                self._use_namespace(identity, ref.name, helper.source, todo, only=ref)
            elif identity[0] in ("module", "attr"):
                self.needed_imports.setdefault(identity, (ref.name, module))

    def _line_using(self, identity, name) -> int:
        refs = [r for r in self.action.refs if r.attr == name and self.first_binding.get(identity) == r.name]
        return refs[0].line if refs else 1

    def _use_namespace(self, identity, binding, source: Source, todo, only=None) -> None:
        refs = [only] if only else [r for r in source.refs if r.name == binding and r.kind == "load"]
        module = identity[1]
        for ref in refs:
            if ref.attr:
                self.members[identity].add(ref.attr)
            else:      # the module object itself escapes: every public name
                helper = self.helpers[module]
                public = [n for n in [*helper.definers, *helper.imported, *helper.helper_bound]
                          if not n.startswith("_")]
                self.members[identity].update(public)

    # -- naming

    def _name(self) -> None:
        self.taken: dict[str, Identity] = {}
        self.final: dict[Identity, str] = {}
        self.before_insert: set = set()
        first_import = self.action.helper_imports[0].stmt if self.action.helper_imports else 0
        action_bound = set()
        for ref in self.action.refs:
            if ref.kind in ("store", "def", "import", "global"):
                action_bound.add(ref.name)
        helper_bindings = {h.binding: self.target(h, self.action) for h in self.action.helper_imports}
        action_imports = _import_bindings(self.action.tree, stop=None)
        before = _import_bindings(self.action.tree, stop=first_import)
        for ref in self.action.refs:
            name = ref.name
            if name in self.taken:
                continue
            if name in helper_bindings:
                self.taken[name] = helper_bindings[name]
            elif name in action_imports:
                self.taken[name] = action_imports[name]
            elif name in action_bound:
                self.taken[name] = ("action", name)
            else:
                self.taken[name] = ("builtin", name)
        for name, identity in before.items():
            if self.taken.get(name) == identity:
                # The action imports it above the helpers, under `name`: emitting it again is
                # needless only where the helpers use that same name (not `import x as y`).
                self.before_insert.add((identity, name))

        for name, (display, line) in sorted(self.builtins_used.items()):
            if self.taken.setdefault(name, ("builtin", name)) != ("builtin", name):
                raise HelperError(
                    f"the helper uses the built-in {name!r}, which {self.action.display} redefines as "
                    f"a global name; inlined, the helper would get the action's", display, line,
                    "helper-clash", f"rename {name} in {self.action.display}",
                )

        for module in self.order:
            helper = self.helpers[module]
            for index in sorted(self.included[module]):
                for name in _defined_by(helper, index):
                    self._assign(("def", module, name), name, module)
        for identity, desired in self.first_binding.items():
            self._assign(identity, desired, identity[1])
        for identity, (desired, module) in self.needed_imports.items():
            self._assign(identity, desired, module)

    def _assign(self, identity: Identity, desired: str, module: str | None) -> None:
        if identity in self.final:
            return
        owner = self.taken.get(desired)
        if owner is None or owner == identity:
            self.taken[desired] = identity
            self.final[identity] = desired
            return
        if identity[0] == "def" and owner[0] == "def":
            first = self.helpers[owner[1]]
            second = self.helpers[identity[1]]
            raise HelperError(
                f"{desired!r} is defined both here and in {first.source.display} (line "
                f"{_line_of(first, desired)}), and both are inlined into {self.action.display}'s "
                f"bundle, where helpers share one namespace", second.source.display,
                _line_of(second, desired), "helper-clash", "rename one of them",
            )
        prefix = (module or "").split(".")[-1] or "hs"
        base = f"_{prefix}_{desired.lstrip('_')}"
        fresh, number = base, 2
        while fresh in self.taken:
            fresh, number = f"{base}_{number}", number + 1
        self.taken[fresh] = identity
        self.final[identity] = fresh

    # -- the text

    def _emit(self) -> str:
        lines = self.action.text.splitlines()
        replaced: dict[int, list[str]] = {}
        by_statement = defaultdict(list)
        for helper_import in self.action.helper_imports:
            by_statement[helper_import.stmt].append(helper_import)
        for position, (stmt, helper_imports) in enumerate(sorted(by_statement.items())):
            node = self.action.tree.body[stmt]
            block = self._inlined_block() if position == 0 else []
            for helper_import in helper_imports:
                name = self.final[self.target(helper_import, self.action)]
                if name != helper_import.binding:
                    block.append(f"{helper_import.binding} = {name}")
            replaced[node.lineno] = block
            for line in range(node.lineno + 1, node.end_lineno + 1):
                replaced[line] = []
        out = []
        future = self._future_lines()
        future_after = _future_insertion_line(self.action.tree)
        if future and future_after == 0:
            out.extend(future)
        for number, text in enumerate(lines, start=1):
            out.extend(replaced.get(number, [text]))
            if future and number == future_after:
                out.extend(future)
        while out and not out[0] and lines and lines[0]:    # the helpers went in at the very top
            out.pop(0)
        result = "\n".join(out) + "\n"
        _assert_self_contained(result, self.action)
        return result

    def _future_lines(self) -> list[str]:
        have = {a.name for node in self.action.tree.body if isinstance(node, ast.ImportFrom)
                and node.module == "__future__" for a in node.names}
        wanted = []
        for module in self.order:
            if self.included[module]:
                wanted += [n for n in self.helpers[module].future if n not in have and n not in wanted]
        return [f"from __future__ import {name}" for name in wanted]

    def _inlined_block(self) -> list[str]:
        block = []
        import_lines = self._import_lines()
        if import_lines:
            block += import_lines
        for module in self.order:
            if not self.included[module]:
                continue
            block += ["", "", section(_display(module))]
            block += self._module_text(module)
            namespace = ("ns", module)
            if namespace in self.final:
                block += ["", "", f"class {self.final[namespace]}:",
                          f'    """{module}, inlined by hs-actions bundle."""']
                for member in sorted(self.members[namespace]):
                    block.append(f"    {member} = {self.final[self.resolve(module, member)]}")
        block += ["", "", "# ---- end of inlined helpers ----", ""]
        return block

    def _import_lines(self) -> list[str]:
        plain, grouped = [], defaultdict(list)
        for identity in sorted(self.needed_imports, key=lambda i: tuple(map(str, i))):
            name = self.final[identity]
            if (identity, name) in self.before_insert:
                continue
            if identity[0] == "module":
                dotted = identity[1]
                forms = self._submodules(identity)
                if name == dotted:
                    plain += [f"import {form}" for form in forms] or [f"import {dotted}"]
                else:
                    plain.append(f"import {dotted} as {name}")
            else:
                _, module, attr = identity
                grouped[module].append(attr if name == attr else f"{attr} as {name}")
        lines = sorted(set(plain))
        lines += [f"from {module} import {', '.join(names)}" for module, names in sorted(grouped.items())]
        return lines

    def _submodules(self, identity) -> list[str]:
        forms = set()
        for helper in self.helpers.values():
            forms.update(helper.submodules.get(identity, ()))
        return sorted(forms)

    def _module_text(self, module: str) -> list[str]:
        helper = self.helpers[module]
        source = helper.source
        lines = source.text.splitlines()
        edits = defaultdict(list)
        for ref in source.refs:
            if ref.stmt not in self.included[module] or ref.kind == "import":
                continue
            identity = self.resolve(module, ref.name)
            if identity is not None and self.final.get(identity, ref.name) != ref.name:
                edits[ref.line].append((ref.col, ref.end, self.final[identity]))
        for line, changes in edits.items():
            text = lines[line - 1]
            for start, end, name in sorted(changes, reverse=True):
                text = text[:start] + name + text[end:]
            lines[line - 1] = text
        out, emitted, previous = [], set(), None     # previous: (index, last line, compound)
        for index in sorted(self.included[module]):
            node = source.tree.body[index]
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            while first > 1 and lines[first - 2].lstrip().startswith("#"):
                first -= 1
            span = [n for n in range(first, node.end_lineno + 1) if n not in emitted]
            if not span:
                continue
            compound = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            if previous and previous[0] == index - 1 and span[0] > previous[1]:
                out += lines[previous[1]:span[0] - 1]      # adjacent in the helper: its own spacing
            elif previous:
                out += ["", ""] if (compound or previous[2]) else [""]
            out += [lines[n - 1] for n in span]
            emitted.update(span)
            previous = (index, span[-1], compound)
        return out


def section(display: str) -> str:
    """The comment that starts the code inlined from one helper file."""
    return f"# ---- inlined from {display} by hs-actions bundle ----"


def _analyse(source: Source) -> _Helper:
    helper = _Helper(source)
    body = source.tree.body
    helper_stmts = {h.stmt for h in source.helper_imports}
    for h in source.helper_imports:
        helper.helper_bound[h.binding] = h
    for index, node in enumerate(body):
        if index in helper_stmts:
            helper.skipped.add(index)
        elif index == 0 and _is_docstring(node) or _is_dunder_all(node) or _is_main_guard(node):
            helper.skipped.add(index)
        elif isinstance(node, ast.ImportFrom) and node.module == "__future__":
            helper.future += [a.name for a in node.names]
            helper.skipped.add(index)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            helper.skipped.add(index)
            for name, identity, form in _bindings_of(node):
                helper.imported.setdefault(name, identity)
                if form:
                    helper.submodules.setdefault(identity, set()).add(form)
    for ref in source.refs:
        if ref.stmt not in helper.skipped and ref.kind in ("store", "def", "global"):
            if ref.stmt not in helper.definers[ref.name]:
                helper.definers[ref.name].append(ref.stmt)
    defining = {i for stmts in helper.definers.values() for i in stmts}
    helper.side_effects = [i for i in range(len(body)) if i not in helper.skipped and i not in defining]
    return helper


def _bindings_of(node) -> list[tuple[str, Identity, str | None]]:
    found = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname:
                found.append((alias.asname, ("module", alias.name), None))
            else:
                top = alias.name.split(".")[0]
                found.append((top, ("module", top), alias.name if "." in alias.name else None))
    elif isinstance(node, ast.ImportFrom) and not node.level:
        for alias in node.names:
            found.append((alias.asname or alias.name, ("attr", node.module, alias.name), None))
    return found


def _import_bindings(tree: ast.Module, stop: int | None) -> dict[str, Identity]:
    found = {}
    for node in pyimports.statements(tree.body[:stop]):
        if not any(imports.classify(m) == imports.HELPER for m in pyimports.modules(node)):
            for name, identity, _ in _bindings_of(node):
                found[name] = identity
    return found


def _defined_by(helper: _Helper, index: int) -> list[str]:
    return [name for name, stmts in helper.definers.items() if index in stmts]


def _line_of(helper: _Helper, name: str) -> int:
    return helper.source.tree.body[helper.definers[name][0]].lineno


def _natural(identity: Identity) -> str:
    return identity[1].split(".")[0] if identity[0] == "module" else identity[2]


def _display(module: str) -> str:
    return module.replace(".", "/") + ".py"


def _is_docstring(node) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _is_dunder_all(node) -> bool:
    return isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)


def _is_main_guard(node) -> bool:
    return isinstance(node, ast.If) and "__name__" in ast.unparse(node.test) and "__main__" in ast.unparse(node.test)


def _future_insertion_line(tree: ast.Module) -> int:
    """The line after which `from __future__` imports may go: after the docstring and the
    action's own future imports; 0 for the very top."""
    after = 0
    for index, node in enumerate(tree.body):
        if index == 0 and _is_docstring(node) or isinstance(node, ast.ImportFrom) and node.module == "__future__":
            after = node.end_lineno
        else:
            break
    return after


def _assert_self_contained(text: str, action: Source) -> None:
    try:
        tree = ast.parse(text)
    except SyntaxError as error:    # a bug in the inliner, not in the user's code
        raise BundleError(f"the bundle does not parse ({error.msg} at its line {error.lineno})",
                          action.display, 1, "bundle", "report this toolkit bug with the action") from None
    for node in pyimports.statements(ast.walk(tree)):
        if any(imports.classify(m) == imports.HELPER for m in pyimports.modules(node)):
            raise BundleError("the bundle still imports a helper", action.display, 1, "bundle",
                                  "report this toolkit bug with the action")
