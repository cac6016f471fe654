"""The python-3.9 rule: syntax and standard-library API newer than the Python HubSpot runs.

Four readers, strongest last: the toolkit's own reading of `X | Y` between types, vermin,
CPython's parsers (the toolkit's, and the newest on the machine for a file the toolkit's does
not take) for syntax they gate by version, and HubSpot's Python 3.9 compiling each file. All
of them run once over every file (a FILES check), and each reader skips what an earlier one
reported. vermin reads in this process (in the newest Python for a file only that one parses);
the newest Python and HubSpot's are other processes.
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
import warnings
from pathlib import Path

from hs_actions.bundler.errors import BundleError
from hs_actions.bundler.sources import Source
from hs_actions.check.registry import ERROR, FILES, Finding, rule
from hs_actions.core import hubspot_runtime


@rule("python-3.9", ERROR, f"syntax or standard-library API newer than Python {hubspot_runtime.PYTHON}",
      takes=FILES)
def python39(run) -> list[Finding]:
    """Each reader in turn over the run's files, seeing what was found before it. A file only
    the newest Python parses loses its generic syntax finding to what that parser says."""
    sources = run.sources
    found = [f for source in sources for f in _annotation_rule(source) + _union_rule(source)]
    newer, taken = _newer_syntax({str(s.path): s.display for s in sources},
                                 {str(path): shown for shown, path in run.unparsed.items()}, run.findings + found)
    found += newer
    run.withdraw(lambda f: f.rule == "syntax" and f.file in taken)
    if not run.runtime.fallback:
        found += _compile_rule(sources, run.runtime.python, run.findings + found)
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


def _newer_syntax(parsed: dict[str, str], unparsed: dict[str, str],
                  earlier: list[Finding]) -> tuple[list[Finding], set[str]]:
    """The findings about syntax and standard-library API newer than 3.9 to add to `earlier`,
    each naming the Python version it needs: vermin's, and CPython's own for syntax it gates
    by version that vermin does not see. Files (path: display) the toolkit's parser took are
    read with it; those it refused, with the newest Python on the machine. With them, the
    files (display) that parser takes, whose generic syntax findings are superseded."""
    findings, taken = list(earlier), set()
    probed = _probe(parsed)
    if unparsed:
        python, version = newest_python()
        script = f"import json, sys\n{inspect.getsource(_probe)}\nprint(json.dumps(_probe(sys.argv[1:])))"
        newer = json.loads(_run(python, ["-c", script, *unparsed], "read the code with its parser"))
        taken = {unparsed[path] for path, parses, _, _ in newer if parses}
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
    return findings[len(earlier):], taken


def _run(python: str, arguments: list[str], what: str) -> str:
    done = subprocess.run([python, "-W", "ignore", *arguments], capture_output=True, text=True)
    if done.returncode != 0 or done.stderr.strip():
        raise BundleError(f"could not {what} ({python} exited {done.returncode}): {done.stderr.strip()[-500:]}",
                          fix="reinstall the toolkit's environment")
    return done.stdout


def _vermin_options() -> list[str]:
    return [f"-t={hubspot_runtime.PYTHON}-", "--violations", "--no-tips", "--format", "parsable"]


def _vermin_in_process():
    """vermin's Arguments, Config and Processor, which its console script uses; None when this
    vermin lacks them (they are not its documented interface): its console script then runs."""
    try:
        from vermin.arguments import Arguments
        from vermin.config import Config
        from vermin.processor import Processor
    except ImportError:
        return None
    return (Arguments, Config, Processor) if hasattr(Processor, "process_individual") else None


def _vermin_report(python: str, files: list[str]) -> str:
    """vermin's parsable lines about `files`, read by `python`: in this process when that is
    the toolkit's own (another Python would cost a tenth of a second of CPU per check), as its
    console script reads them otherwise (a newer Python, for files only it parses)."""
    in_process = _vermin_in_process() if python == sys.executable else None
    if in_process is not None:
        Arguments, Config, Processor = in_process
        config = Config()
        parsed = Arguments([*_vermin_options(), *files]).parse(config)
        if parsed.get("code") != 0 or "usage" in parsed:
            raise BundleError(f"vermin refused its options ({parsed})",
                              fix="reinstall the toolkit's environment (vermin is a dependency)")
        # As its console script: paths with ":" are skipped in the parsable format, whose fields
        # ":" separates; warnings about the code (invalid escapes) are the other rules' to say.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = [Processor.process_individual((path, config)) for path in files
                       if ":" not in path and "\n" not in path]
        return "\n".join(result.text for result in results if result is not None)
    vermin_dir = str(Path(importlib.util.find_spec("vermin").origin).parent.parent)
    command = [python, "-W", "ignore", "-c", _VERMIN, vermin_dir, *_vermin_options(), *files]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in (0, 1) or done.stderr.strip():
        raise BundleError(f"vermin failed (exit {done.returncode}): {done.stderr.strip()[-500:]}",
                          fix="reinstall the toolkit's environment (vermin is a dependency)")
    return done.stdout


def _vermin_rule(python: str, files: dict[str, str], earlier: list[Finding]) -> list[Finding]:
    if not files:
        return []
    report = _vermin_report(python, list(files))
    already = {(f.file, f.line) for f in earlier if f.rule.startswith("import-")}
    found = []
    for line in report.splitlines():
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


