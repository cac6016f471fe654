"""What HubSpot's runtime would fail, found before pasting: `hs-actions check`.

Every file rule runs on the action and on each helper it imports (inlined, they run in
HubSpot too); the action rules compare the code with action.toml. Findings print as
`path:line: rule: message. Fix: ...`.
"""
from __future__ import annotations

import ast
import functools
import importlib.util
import inspect
import json
import os
import re
import shutil
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from pyflakes import checker as pyflakes_checker

from hs_actions.core import hubspot_runtime, project, pyimports
from hs_actions.core.text import cut
from hs_actions.bundler import imports
from hs_actions.bundler.bundle import _header
from hs_actions.bundler.errors import BundleError
from hs_actions.bundler.inline import inline, used_lines
from hs_actions.bundler.sources import Source, load_helpers, read
from hs_actions.action import manifest as manifest_module
from hs_actions.harness import outputs
from hs_actions.action import returns
from hs_actions.harness import runtime as runtime_module
from hs_actions.harness.event import DECLARE_PROPERTY, unknown_properties
from hs_actions.action.manifest import Manifest
from hs_actions.portal.backend import Backend
from hs_actions.portal.portal import DEFAULT_DB

ERROR = "error"
WARNING = "warning"

# HubSpot documents no size limit for custom code. Warn far above any real action (all of
# shared/helpers inlined is about 15 kB) rather than guess a limit.
BUNDLE_SIZE_WARNING = 200_000

# The rules, by id: what each finds. Fix texts are given with each finding.
RULES = {
    "syntax": "the file does not parse",
    "python-3.9": f"syntax or standard-library API newer than Python {hubspot_runtime.PYTHON}",
    "import-unavailable": "an import HubSpot's runtime does not have",
    "import-local": "an import of this repository's code that is not a helper",
    "helper-missing": "an import of a helper (or a name in one) that does not exist",
    "helper-import": "a helper import the bundler cannot inline",
    "helper-cycle": "helpers importing each other",
    "helper-clash": "two helpers defining one name in the same bundle",
    "secret-undeclared": "a secret read in code but not declared in action.toml",
    "secret-unused": "a secret declared in action.toml but never read (a warning: HubSpot runs the action)",
    "output-undeclared": "an output field returned but not declared in action.toml",
    "output-type": "an output whose literal value cannot be of its declared type",
    "input-undeclared": "an input field read but not declared in action.toml",
    "input-property-unknown": "an input field naming a property its object type does not have in the portal's catalogue",
    "main-return": "a place where main ends without returning a value, or a generator or async main",
    "undefined-name": "a name that is not defined where it is used (pyflakes)",
    "invalid-code": "code Python refuses to compile, such as return outside a function (pyflakes)",
    "format-error": "a %-format or str.format() call that raises when it runs (pyflakes)",
    "unused": "an import or variable never used, or redefined unused (pyflakes; a warning)",
    "suspicious": "code that runs but likely does not do what it says (pyflakes; a warning)",
    "bundle-size": f"a bundle over {BUNDLE_SIZE_WARNING:,} bytes",
}

# pyflakes' messages, by class name: the rule each is reported under and its severity. Errors
# are certain failures: a name undefined when its line runs, code Python will not compile,
# a format that raises. The rest are warnings; a class pyflakes adds later is a warning
# under "suspicious" until it is placed here.
PYFLAKES = {
    **dict.fromkeys(("UndefinedName", "UndefinedLocal", "UndefinedExport"), ("undefined-name", ERROR)),
    **dict.fromkeys(("DuplicateArgument", "ReturnOutsideFunction", "YieldOutsideFunction", "ContinueOutsideLoop",
                     "BreakOutsideLoop", "DefaultExceptNotLast", "TwoStarredExpressions",
                     "TooManyExpressionsInStarredAssignment", "ImportStarNotPermitted", "LateFutureImport",
                     "FutureFeatureNotDefined", "LazyImportNotAtModuleScope", "LazyImportStarNotPermitted"),
                    ("invalid-code", ERROR)),
    **dict.fromkeys(("PercentFormatInvalidFormat", "PercentFormatMixedPositionalAndNamed",
                     "PercentFormatUnsupportedFormatCharacter", "PercentFormatPositionalCountMismatch",
                     "PercentFormatExpectedMapping", "PercentFormatExpectedSequence", "PercentFormatMissingArgument",
                     "PercentFormatStarRequiresSequence", "StringDotFormatMissingArgument",
                     "StringDotFormatInvalidFormat", "StringDotFormatMixingAutomatic", "InvalidPrintSyntax"),
                    ("format-error", ERROR)),
    **dict.fromkeys(("UnusedImport", "UnusedVariable", "UnusedAnnotation", "UnusedIndirectAssignment",
                     "RedefinedWhileUnused", "ImportShadowedByLoopVar", "ImportStarUsed", "ImportStarUsage"),
                    ("unused", WARNING)),
    **dict.fromkeys(("AssertTuple", "IfTuple", "IsLiteral", "FStringMissingPlaceholders", "TStringMissingPlaceholders",
                     "MultiValueRepeatedKeyLiteral", "MultiValueRepeatedKeyVariable", "ForwardAnnotationSyntaxError",
                     "RaiseNotImplemented", "PercentFormatExtraNamedArguments",
                     "StringDotFormatExtraPositionalArguments", "StringDotFormatExtraNamedArguments",
                     "DoctestSyntaxError", "EagerUseOfLazyImport"), ("suspicious", WARNING)),
}
PYFLAKES_FIXES = {
    "undefined-name": "define it before this line on every path, or correct its spelling "
                      "(HubSpot fails the execution with NameError when the line runs)",
    "invalid-code": "correct the code: HubSpot cannot load the file",
    "format-error": "make the format and its arguments agree (it raises TypeError or ValueError when the line runs)",
    "unused": "remove it, or use it",
    "suspicious": "rewrite it to say what it means",
}

# Calls that read a secret, by qualified name: (position, keyword) of the secret's name.
SECRET_CALLS = {
    "os.getenv": (0, "key"),
    "os.environ.get": (0, "key"),
    "os.environ.pop": (0, "key"),
    f"{imports.HELPERS_PACKAGE}.client.hubspot_client": (0, "secret"),
}
# Mappings whose item access (os.environ["X"], "X" in os.environ) reads a secret.
SECRET_MAPPINGS = ("os.environ",)
# How helpers are shown (sources.display_name): a file under helpers_dir.
_HELPERS_SHOWN = imports.HELPERS_PACKAGE.replace(".", "/") + "/"
# Variables HubSpot's runtime sets that are not secrets.
NOT_SECRETS = frozenset(hubspot_runtime.ENVIRONMENT)


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    rule: str
    message: str
    fix: str
    severity: str = ERROR

    def __str__(self) -> str:
        stop = "" if self.message.endswith(("?", ".")) else "."     # pyflakes' messages may end in one
        return f"{self.file}:{self.line}: {self.rule}: {self.message}{stop} Fix: {self.fix}"


def check(action_folders: list[Path], helpers_dir: Path = imports.HELPERS_DIR,
          runtime: runtime_module.Runtime | None = None, portal_db: Path = DEFAULT_DB) -> list[Finding]:
    """Findings for each action and the helpers it imports, sorted by file and line.

    `runtime` is the interpreter whose compile() has the last word on syntax; by default
    HubSpot's prepared runtime, and none when only the fallback exists. `portal_db` is the
    local portal whose seeded and pulled properties count as known (only read). Raises
    ManifestError for an action.toml that does not load.
    """
    runtime = runtime if runtime is not None else runtime_module.current()
    findings: list[Finding] = []
    files: dict[str, Source] = {}
    unparsed: dict[str, Path] = {}        # files the toolkit's own parser refused, by display
    for folder in action_folders:
        folder = Path(folder)
        manifest = manifest_module.load(folder / manifest_module.FILENAME)
        display = project.shown(folder)      # as the user can open it from where they are
        findings += _input_property_rule(folder, display, manifest, portal_db)
        try:
            action = read(folder / "action.py", "action", f"{display}/action.py")
        except BundleError as error:
            findings.append(_from_error(error))
            unparsed[f"{display}/action.py"] = folder / "action.py"
            continue
        files.setdefault(action.display, action)
        try:
            helpers = load_helpers(action, helpers_dir)
        except BundleError as error:
            findings.append(_from_error(error))
            if error.rule == "syntax" and str(error.path).startswith(_HELPERS_SHOWN):
                unparsed[str(error.path)] = helpers_dir / str(error.path)[len(_HELPERS_SHOWN):]
            helpers = None
        for helper in helpers or []:
            files.setdefault(helper.display, helper)
        findings += _action_rules(folder, display, manifest, action, helpers)
        if helpers is not None:
            findings += _bundle_rules(folder, display, manifest, action, helpers)
    sources = list(files.values())
    for source in sources:
        for rule in FILE_RULES:
            findings += rule(source)
    findings = _newer_syntax({str(s.path): s.display for s in sources},
                             {str(path): shown for shown, path in unparsed.items()}, findings)
    if not runtime.fallback:
        findings += _compile_rule(sources, runtime.python, findings)
    unique = list(dict.fromkeys(findings))
    return sorted(unique, key=lambda f: (f.file, f.line, f.rule, f.message))


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)


def _from_error(error: BundleError) -> Finding:
    return Finding(str(error.path), error.line, error.rule, error.message, error.fix)


# -- file rules: the action and every helper it imports

def _import_rule(source: Source) -> list[Finding]:
    found = []
    for node in pyimports.statements(ast.walk(source.tree)):
        for module in pyimports.modules(node):
            kind = imports.classify(module)
            if kind == imports.UNAVAILABLE:
                found.append(Finding(
                    source.display, node.lineno, "import-unavailable",
                    f"{module!r} is not in HubSpot's runtime, which has only {imports.available()}",
                    "use the standard library or one of those libraries (HubSpot cannot install others)"))
            elif kind == imports.LOCAL:
                found.append(Finding(
                    source.display, node.lineno, "import-local",
                    f"{module!r} is this repository's code, which HubSpot does not have (the bundler "
                    f"inlines only {imports.HELPERS_PACKAGE})",
                    f"move the code into {imports.HELPERS_PACKAGE} or into this file"))
    return found


def _pyflakes_rule(source: Source) -> list[Finding]:
    """pyflakes' messages, under the rules and severities of PYFLAKES."""
    found = []
    for message in pyflakes_checker.Checker(source.tree, filename=source.display).messages:
        rule, severity = PYFLAKES.get(type(message).__name__, ("suspicious", WARNING))
        found.append(Finding(source.display, message.lineno, rule, message.message % message.message_args,
                             PYFLAKES_FIXES[rule], severity))
    return found


def _annotation_rule(source: Source) -> list[Finding]:
    """`X | None` in an annotation Python 3.9 evaluates (vermin finds it only heuristically)."""
    if any(isinstance(n, ast.ImportFrom) and n.module == "__future__" and any(a.name == "annotations" for a in n.names)
           for n in source.tree.body):
        return []
    evaluated = []
    for node in ast.walk(source.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            evaluated += [a.annotation for a in every if a is not None and a.annotation is not None]
            evaluated += [node.returns] if node.returns else []
    scopes = [source.tree.body] + [n.body for n in ast.walk(source.tree) if isinstance(n, ast.ClassDef)]
    evaluated += [n.annotation for body in scopes for n in body if isinstance(n, ast.AnnAssign)]
    found = []
    for annotation in evaluated:
        for node in ast.walk(annotation):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr) and _typeish(node.left) and _typeish(node.right):
                found.append(Finding(
                    source.display, node.lineno, "python-3.9",
                    f"`{ast.unparse(node)}` in an annotation needs Python 3.10: Python "
                    f"{hubspot_runtime.PYTHON} evaluates it and raises TypeError",
                    "write typing.Optional[...] or typing.Union[...], or add `from __future__ import annotations`"))
                break
    return found


_BUILTIN_TYPES = frozenset({"int", "str", "float", "bool", "bytes", "bytearray", "complex", "list", "dict",
                            "set", "frozenset", "tuple", "type", "object", "range", "memoryview"})


def _union_rule(source: Source) -> list[Finding]:
    """`int | str` outside annotations (isinstance(x, int | str), aliases): Python 3.9 raises
    TypeError where it runs. Only unions of built-in types and None are flagged, so an
    ordinary `a | b` never is."""
    in_annotations = {id(n) for node in ast.walk(source.tree)
                      for annotation in _annotations_of(node) for n in ast.walk(annotation)}
    found = []
    for node in ast.walk(source.tree):
        if (isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr) and id(node) not in in_annotations
                and _builtin_typeish(node.left) and _builtin_typeish(node.right)):
            in_annotations.update(id(n) for n in ast.walk(node))  # report the outermost union once
            found.append(Finding(
                source.display, node.lineno, "python-3.9",
                f"`{ast.unparse(node)}` needs Python 3.10: on Python {hubspot_runtime.PYTHON} `|` between "
                f"types raises TypeError", "write typing.Union[...], or a tuple of types in isinstance()"))
    return found


def _annotations_of(node) -> list:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        args = node.args
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        return [a.annotation for a in every if a is not None and a.annotation is not None] + \
            ([node.returns] if node.returns else [])
    if isinstance(node, ast.AnnAssign):
        return [node.annotation]
    return []


def _builtin_typeish(node) -> bool:
    return (isinstance(node, ast.Name) and node.id in _BUILTIN_TYPES or
            isinstance(node, ast.Constant) and node.value is None or
            isinstance(node, ast.Subscript) and _builtin_typeish(node.value) or
            isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr)
            and _builtin_typeish(node.left) and _builtin_typeish(node.right))


def _typeish(node) -> bool:
    return (isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)) or
            isinstance(node, ast.Constant) and node.value is None or
            isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr))


# vermin has no `python -m vermin`; this runs its console script's function, from this
# environment's copy (appended to the path, so another interpreter's standard library wins).
_VERMIN = ("import sys; sys.path.append(sys.argv.pop(1)); import vermin; sys.argv[0] = 'vermin'; "
           "sys.exit(vermin.main())")
_GATED = re.compile(r"only supported in Python (\d+\.\d+) and greater")


def _probe(paths):
    """For each file, [path, parses, line, message]: whether this interpreter's parser takes it,
    and the line and message of the first syntax newer than 3.9 that CPython gates by version.
    Standard library only: it also runs inside a newer interpreter (newest_python)."""
    import ast
    found = []
    for path in paths:
        with open(path, "rb") as stream:
            text = stream.read()
        try:
            ast.parse(text)
        except (SyntaxError, ValueError):
            found.append([path, False, 0, ""])
            continue
        try:
            ast.parse(text, feature_version=(3, 9))
            found.append([path, True, 0, ""])
        except SyntaxError as error:
            found.append([path, True, error.lineno or 1, error.msg])
    return found


@functools.cache
def newest_python() -> tuple[str, str]:
    """(path, version) of the newest Python on this machine: the toolkit's own, or a newer
    python3.N on PATH or from pyenv. Its parser names syntax newer than the toolkit's."""
    best = (sys.executable, "%d.%d" % sys.version_info[:2])
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for minor in range(sys.version_info[1] + 1, 30):
        installed = sorted(pyenv.glob(f"versions/3.{minor}.*/bin/python3.{minor}"), key=str, reverse=True)
        found = next((str(c) for c in [shutil.which(f"python3.{minor}"), *installed] if c and _answers(str(c))), None)
        if found:
            best = (found, f"3.{minor}")
    return best


def _answers(python: str) -> bool:
    """Whether `python` runs (a pyenv shim of a version not selected does not)."""
    try:
        return subprocess.run([python, "-c", "import ast"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _newer_syntax(parsed: dict[str, str], unparsed: dict[str, str], earlier: list[Finding]) -> list[Finding]:
    """`earlier` with the findings about syntax and standard-library API newer than 3.9 added,
    each naming the Python version it needs: vermin's, and CPython's own for syntax it gates
    by version that vermin does not see. Files (path: display) the toolkit's parser took are
    read with it; those it refused, with the newest Python on the machine, and such a file
    loses its generic syntax finding when that parser takes it."""
    findings = list(earlier)
    probed = _probe(parsed)
    if unparsed:
        python, version = newest_python()
        script = f"import json, sys\n{inspect.getsource(_probe)}\nprint(json.dumps(_probe(sys.argv[1:])))"
        newer = json.loads(_run(python, ["-c", script, *unparsed], "read the code with its parser"))
        taken = {unparsed[path] for path, parses, _, _ in newer if parses}
        findings = [f for f in findings if not (f.rule == "syntax" and f.file in taken)]
        findings += _vermin_rule(python, {p: d for p, d in unparsed.items() if d in taken}, findings)
        probed += newer
    findings += _vermin_rule(sys.executable, parsed, findings)
    files = {**parsed, **unparsed}
    named = {(f.file, m.group(1)) for f in findings if f.rule == "python-3.9"
             for m in [re.search(r"needs Python (\d+\.\d+)", f.message)] if m}
    for path, parses, line, message in probed:
        display, needs = files[path], _GATED.search(message)
        if needs and (display, needs.group(1)) not in named:
            findings.append(Finding(
                display, line, "python-3.9", f"{message}; HubSpot runs {hubspot_runtime.PYTHON}",
                f"rewrite it with what Python {hubspot_runtime.PYTHON} has"))
        elif path in unparsed and parses and not any(f.file == display and f.rule == "python-3.9" for f in findings):
            findings.append(Finding(
                display, 1, "python-3.9", f"Python {version} parses this file and the toolkit's Python "
                f"{sys.version_info[0]}.{sys.version_info[1]} does not: it uses syntax newer than that, which HubSpot's "
                f"{hubspot_runtime.PYTHON} does not have", f"rewrite it with Python {hubspot_runtime.PYTHON} syntax"))
    return findings


def _run(python: str, arguments: list[str], what: str) -> str:
    done = subprocess.run([python, "-W", "ignore", *arguments], capture_output=True, text=True)
    if done.returncode != 0 or done.stderr.strip():
        raise BundleError(f"could not {what} ({python} exited {done.returncode}): {done.stderr.strip()[-500:]}",
                          fix="reinstall the toolkit's environment")
    return done.stdout


def _vermin_rule(python: str, files: dict[str, str], earlier: list[Finding]) -> list[Finding]:
    if not files:
        return []
    vermin_dir = str(Path(importlib.util.find_spec("vermin").origin).parent.parent)
    command = [python, "-W", "ignore", "-c", _VERMIN, vermin_dir, f"-t={hubspot_runtime.PYTHON}-", "--violations",
               "--no-tips", "--format", "parsable", *files]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in (0, 1) or done.stderr.strip():
        raise BundleError(f"vermin failed (exit {done.returncode}): {done.stderr.strip()[-500:]}",
                          fix="reinstall the toolkit's environment (vermin is a dependency)")
    already = {(f.file, f.line) for f in earlier if f.rule.startswith("import-")}
    found = []
    for line in done.stdout.splitlines():
        # file:line:column:py2:py3:feature; the summary lines have no file.
        path = next((p for p in files if line.startswith(p + ":")), None)
        parts = line[len(path) + 1:].split(":", 4) if path else []
        if len(parts) != 5 or not parts[0].isdigit() or parts[3].startswith("~"):
            continue                   # a summary line, or vermin's own parse error
        number, _, _, needs, feature = parts
        display = files[path]
        if (display, int(number)) in already:
            continue
        found.append(Finding(
            display, int(number), "python-3.9",
            f"{feature} needs Python {needs}; HubSpot runs {hubspot_runtime.PYTHON}",
            f"rewrite it with what Python {hubspot_runtime.PYTHON} has"))
    return found


_COMPILE = """
import json, sys
found = []
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as stream:
            compile(stream.read(), path, "exec")
    except SyntaxError as error:
        found.append([path, error.lineno or 1, error.msg])
print(json.dumps(found))
"""


def _compile_rule(sources: list[Source], python: Path, earlier: list[Finding]) -> list[Finding]:
    """The real Python 3.9 compiles each file: the final word on syntax."""
    if not sources:
        return []
    by_path = {str(s.path): s for s in sources}
    done = subprocess.run([str(python), "-c", _COMPILE, *by_path], capture_output=True, text=True)
    if done.returncode != 0:
        raise BundleError(f"could not run {python} to compile the code: {done.stderr.strip()[-500:]}",
                          fix="run `hs-actions setup` to rebuild HubSpot's runtime")
    flagged = {(f.file, f.line) for f in earlier if f.rule == "python-3.9"}
    found = []
    for path, line, message in json.loads(done.stdout):
        display = by_path[path].display
        if (display, line) not in flagged:
            found.append(Finding(
                display, line, "python-3.9",
                f"Python {hubspot_runtime.PYTHON} cannot compile this: {message}",
                f"rewrite it with Python {hubspot_runtime.PYTHON} syntax"))
    return found


# -- action rules: the code against action.toml

def _action_rules(folder: Path, display: str, manifest: Manifest, action: Source,
                  helpers: list[Source] | None) -> list[Finding]:
    """helpers is None when they could not be loaded (that is a finding of its own)."""
    return [f for rule in ACTION_RULES for f in rule(folder, display, manifest, action, helpers)]


def _secret_rules(folder, display, manifest, action, helpers) -> list[Finding]:
    """Literal secret names only, read by the action or by helper code it inlines; a name the
    action computes silences secret-unused, and a helper's own non-literal read (the client
    factory's) is judged where the helper is called."""
    found, read_names, dynamic = [], set(), False
    toml = f"{display}/{manifest_module.FILENAME}"
    used = None               # helpers that did not load are reported by the bundle rules
    if helpers is not None:
        try:
            used = used_lines(action, helpers)
        except BundleError:   # reported by the bundle rules; judge every helper line instead
            pass
    for source in [action, *(helpers or [])]:
        for name, line in _secret_reads(source):
            if source is not action and used is not None and line not in used.get(source.module, ()):
                continue
            if name is None:
                dynamic = dynamic or source is action
                continue
            read_names.add(name)
            if name not in manifest.secrets and name not in NOT_SECRETS:
                where = "" if source is action else f" (this helper is inlined into {display})"
                found.append(Finding(
                    source.display, line, "secret-undeclared",
                    f"the secret {name!r} is read here{where} but not declared in {toml}, so "
                    f"HubSpot gives the code None for it",
                    f'add it to secrets in {toml} (secrets = [..., "{name}"]) and tick it in HubSpot'))
    if not dynamic:
        lines = (folder / manifest_module.FILENAME).read_text(encoding="utf-8").splitlines()
        for name in manifest.secrets:
            if name not in read_names:
                line = next((i for i, text in enumerate(lines, 1) if f'"{name}"' in text or f"'{name}'" in text), 1)
                # A warning: HubSpot runs the action, it only exposes a secret to code that does
                # not need it (and actions pulled from HubSpot often tick one they no longer read).
                found.append(Finding(
                    toml, line, "secret-unused",
                    f"the secret {name!r} is declared but the code never reads it",
                    f"remove it from secrets here and untick it in HubSpot, or read it "
                    f'(os.getenv("{name}"))', WARNING))
    return found


def _secret_reads(source: Source):
    """(name, line) of each secret read; name None where it is not a literal."""
    qualify = _qualifier(source)
    for node in ast.walk(source.tree):
        if isinstance(node, ast.Call):
            spec = SECRET_CALLS.get(qualify(node.func))
            if spec:
                position, keyword = spec
                arg = node.args[position] if len(node.args) > position else next(
                    (k.value for k in node.keywords if k.arg == keyword), None)
                # A helper passing a variable (the client factory's own read) is accounted for
                # where the helper is called.
                if arg is not None and (_is_str(arg) or source.module == "action"):
                    yield (arg.value if _is_str(arg) else None), node.lineno
        elif isinstance(node, ast.Subscript) and qualify(node.value) in SECRET_MAPPINGS:
            if source.module == "action" or _is_str(node.slice):
                yield (node.slice.value if _is_str(node.slice) else None), node.lineno
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)) \
                and qualify(node.comparators[0]) in SECRET_MAPPINGS and _is_str(node.left):
            yield node.left.value, node.lineno


def _qualifier(source: Source):
    """A function giving the dotted name an expression refers to through the file's imports."""
    aliases = {name: target for node in pyimports.statements(ast.walk(source.tree))
               for name, target in pyimports.bindings(node) if not target.startswith(".")}

    def qualify(node) -> str | None:
        if isinstance(node, ast.Name):
            return aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = qualify(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    return qualify


def _is_str(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _output_rule(folder, display: str, manifest: Manifest, action: Source, helpers) -> list[Finding]:
    """Keys of dict displays or dict(key=...) calls given as "outputFields", directly or through
    a variable of the same function; outputs built any other way are not guessed."""
    declared = {o.name for o in manifest.outputs}
    toml = f"{display}/{manifest_module.FILENAME}"
    found = []
    for output, _ in _returned_outputs(action):
        if output.value not in declared:
            declare = (f'declare it under [outputs] in {toml} ({output.value} = "string", or its type)'
                       if manifest_module.is_name(output.value) else
                       f"{manifest_module.rename_hint(output.value)}, and declare that under [outputs] in {toml}")
            found.append(Finding(
                action.display, output.lineno, "output-undeclared",
                f"the output field {output.value!r} is returned but not declared in {toml}, so "
                f"HubSpot flags it and later actions cannot use it",
                f"{declare} and in HubSpot's data outputs, or stop returning it"))
    return list(dict.fromkeys(found))


def _output_type_rule(folder, display: str, manifest: Manifest, action: Source, helpers) -> list[Finding]:
    """Declared outputs whose value is written as a literal (or a list, dict or f-string) that a
    run would judge against its type: the run's own judgement (outputs.value_problem), made on
    the source. Values computed any other way are not guessed."""
    toml = f"{display}/{manifest_module.FILENAME}"
    found = []
    for output, value in _returned_outputs(action):
        declared = manifest.output(output.value)
        sample, exact = _sample(value)
        if declared is None or sample is None or not exact and (
                sample is _UNKNOWN or isinstance(sample, str) and declared.type == "enumeration"):
            continue
        source = ast.unparse(value)
        # A literal is described as a run describes it; a stand-in by its source text.
        shown = None if exact else f"{type(sample).__name__} {cut(source)}"
        problem = outputs.value_problem(declared, sample, shown)
        if problem:
            found.append(Finding(
                action.display, value.lineno, "output-type", f"output {output.value!r} ({declared.type}): {problem}",
                f"return a value of type {declared.type} here, or declare the type it has in {toml} and in HubSpot"))
    return list(dict.fromkeys(found))


_UNKNOWN = object()


def _sample(node) -> tuple[object, bool]:
    """(value, exact): a literal's own value (exact), or a stand-in of the type `node` is sure to
    give: an empty list or dict for a display or comprehension, "" for an f-string; _UNKNOWN
    for anything else, and for values JSON cannot carry (a run reports those)."""
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        if isinstance(node, (ast.List, ast.Tuple, ast.ListComp)):
            return [], False
        if isinstance(node, (ast.Dict, ast.DictComp)):
            return {}, False
        return ("" if isinstance(node, ast.JoinedStr) else _UNKNOWN), False
    if isinstance(value, tuple):
        return list(value), True              # JSON carries a tuple as a list
    return (_UNKNOWN, False) if isinstance(value, (set, frozenset, bytes, complex)) else (value, True)


def _returned_outputs(action: Source) -> list[tuple[ast.Constant, ast.expr | None]]:
    """(key, value) of each output given in a dict display or dict(key=...) call as
    "outputFields", directly or through a variable of the same function."""
    pairs = []
    for function in [action.tree, *[n for n in ast.walk(action.tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]]:
        variables = _dict_variables(function)
        for node in ast.walk(function):
            if not isinstance(node, ast.Dict):
                continue
            for key, value in zip(node.keys, node.values):
                if _is_str(key) and key.value == "outputFields":
                    pairs += variables.get(value.id, []) if isinstance(value, ast.Name) else _literal_items(value)
    return pairs


def _literal_items(node) -> list[tuple[ast.Constant, ast.expr]]:
    """The string keys a dict display or a dict(key=...) call spells out, as Constants, with
    their values."""
    if isinstance(node, ast.Dict):
        return [(k, v) for k, v in zip(node.keys, node.values) if _is_str(k)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return [(ast.copy_location(ast.Constant(kw.arg), kw), kw.value) for kw in node.keywords if kw.arg]
    return []


def _dict_variables(scope) -> dict[str, list]:
    """Items given to each variable of `scope` as a dict literal or by `name["key"] = ...`."""
    items: dict[str, list] = {}
    body = scope.body
    for node in (n for statement in body for n in ast.walk(statement)):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and _literal_items(node.value):
                    items.setdefault(target.id, []).extend(_literal_items(node.value))
                elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) and _is_str(target.slice):
                    items.setdefault(target.value.id, []).append((target.slice, node.value))
    return items


def _input_rule(folder, display: str, manifest: Manifest, action: Source, helpers) -> list[Finding]:
    """Literal keys read from main's event["inputFields"] (or .get), directly or through a
    variable; reads in other functions are not followed."""
    main = next((n for n in action.tree.body if isinstance(n, ast.FunctionDef) and n.name == "main"), None)
    if main is None or not main.args.args:
        return []
    event = main.args.args[0].arg
    declared = {i.name for i in manifest.inputs}
    toml = f"{display}/{manifest_module.FILENAME}"

    def is_inputs(node) -> bool:
        """event["inputFields"], event.get("inputFields"[, default]), or a variable holding it."""
        if isinstance(node, ast.Name):
            return node.id in holders
        return _item(node, lambda base: isinstance(base, ast.Name) and base.id == event) == "inputFields"

    holders = set()
    for node in ast.walk(main):
        if isinstance(node, ast.Assign) and is_inputs(node.value):
            holders.update(t.id for t in node.targets if isinstance(t, ast.Name))
    found = []
    for node in ast.walk(main):
        name = _item(node, is_inputs)
        if name is not None and name not in declared:
            found.append(Finding(
                action.display, node.lineno, "input-undeclared",
                f"the input field {name!r} is read here but not declared in {toml}, so HubSpot "
                f"does not send it",
                f'declare it under [inputs] in {toml} ({name} = "<property name>") and add it in '
                f"HubSpot's properties to include in code"))
    return found


def _item(node, is_base) -> str | None:
    """The literal key of `base["key"]` or `base.get("key"[, default])` when is_base(base)."""
    if isinstance(node, ast.Subscript) and _is_str(node.slice) and is_base(node.value):
        return node.slice.value
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
            and node.args and _is_str(node.args[0]) and is_base(node.func.value)):
        return node.args[0].value
    return None


def _main_rule(folder, display: str, manifest: Manifest, action: Source, helpers) -> list[Finding]:
    """Where main gives HubSpot None (the analysis `hs-actions run` names too), or a main that
    is a generator or async function. None is an error unless allow_return_none is set."""
    main = returns.main_function(action.tree)
    if main is None:
        return []
    what = returns.kind(main)
    if what:
        return [Finding(action.display, main.lineno, "main-return", returns.kind_message(what), returns.KIND_FIX)]
    allowed = returns.return_none_allowed()
    severity, outcome = (WARNING, returns.NONE_ALLOWED) if allowed else (ERROR, returns.NONE_FAILS)
    return [Finding(action.display, ending.line, "main-return",
                    f"{ending.describe()}, so main returns None here and HubSpot gets no outputFields: {outcome}",
                    returns.FIX, severity)
            for ending in returns.endings(main)]


FILE_RULES = (_import_rule, _pyflakes_rule, _annotation_rule, _union_rule)   # then vermin and compile, batched
ACTION_RULES = (_secret_rules, _output_rule, _output_type_rule, _input_rule, _main_rule)


# -- bundle rules

def _bundle_rules(folder: Path, display: str, manifest: Manifest, action: Source,
                  helpers: list[Source]) -> list[Finding]:
    try:
        code = inline(action, helpers)
    except BundleError as error:
        return [_from_error(error)]
    size = len((_header(folder.name, action, helpers, manifest, code) + code).encode("utf-8"))
    if size <= BUNDLE_SIZE_WARNING:
        return []
    return [Finding(
        action.display, 1, "bundle-size",
        f"the bundle is {size:,} bytes, over {BUNDLE_SIZE_WARNING:,} (a warning: HubSpot documents no "
        f"size limit, but code this large is unusual for one action)",
        "move data out of the code (into HubSpot properties, or fetched) or split the action", WARNING)]


# -- the portal's catalogue: input fields against the properties of the object type

def _input_property_rule(folder: Path, display: str, manifest: Manifest, portal_db: Path) -> list[Finding]:
    """Input fields naming a property that the local portal's catalogue (data files, plus what
    was seeded or pulled into `portal_db`) does not have for the action's object type. A
    warning: the catalogue may lack a property an account has. Types it does not model are
    not judged."""
    with closing(Backend.catalogue(portal_db)) as catalogue:
        known = catalogue.property_names(manifest.object_type)
    toml = f"{display}/{manifest_module.FILENAME}"
    lines = (folder / manifest_module.FILENAME).read_text(encoding="utf-8").splitlines()
    return [Finding(
        toml, _key_line(lines, "inputs", field.name), "input-property-unknown",
        f"the input field {field.name!r} reads the property {field.property!r}, which "
        f"{manifest.object_type} records do not have in the local portal's catalogue (a warning: the "
        f"catalogue holds HubSpot's common properties and those seeded or pulled, not every one)",
        "correct the property name; " + DECLARE_PROPERTY.format(object_type=manifest.object_type, name=field.property),
        WARNING) for field in unknown_properties(manifest, known)]


def _key_line(lines: list[str], table: str, key: str) -> int:
    """The line of `key = ...` under `[table]` in a TOML file's lines; 1 when not found."""
    current = None
    for number, text in enumerate(lines, 1):
        header = re.match(r"\s*\[([^\[\]]+)\]", text)
        if header:
            current = header.group(1).strip()
        elif current == table and re.match(rf"\s*([\"']?){re.escape(key)}\1\s*=", text):
            return number
    return 1
