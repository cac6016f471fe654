"""Rules of secrets: the secrets the code reads against those action.toml declares. HubSpot
gives code only the secrets ticked for the action, and None for any other."""
from __future__ import annotations

import ast

from hs_actions.action import manifest as manifest_module
from hs_actions.bundler import imports
from hs_actions.bundler.errors import BundleError
from hs_actions.bundler.inline import used_lines
from hs_actions.bundler.sources import Source
from hs_actions.check.literals import is_str
from hs_actions.check.registry import ACTION, ERROR, WARNING, Finding, rule
from hs_actions.core import hubspot_runtime, pyimports

# Calls that read a secret, by qualified name: (position, keyword) of the secret's name.
SECRET_CALLS = {
    "os.getenv": (0, "key"),
    "os.environ.get": (0, "key"),
    "os.environ.pop": (0, "key"),
    f"{imports.HELPERS_PACKAGE}.client.hubspot_client": (0, "secret"),
}
# Mappings whose item access (os.environ["X"], "X" in os.environ) reads a secret.
SECRET_MAPPINGS = ("os.environ",)
# Variables HubSpot's runtime sets that are not secrets.
NOT_SECRETS = frozenset(hubspot_runtime.ENVIRONMENT)


@rule("secret-undeclared", ERROR, "a secret read in code but not declared in action.toml", takes=ACTION)
@rule("secret-unused", WARNING,
      "a secret declared in action.toml but never read (a warning: HubSpot runs the action)", takes=ACTION)
def secret_rules(subject) -> list[Finding]:
    """Literal secret names only, read by the action or by helper code it inlines; a name the
    action computes silences secret-unused, and a helper's own non-literal read (the client
    factory's) is judged where the helper is called."""
    action, helpers, manifest, display = subject.source, subject.helpers, subject.manifest, subject.display
    found, read_names, dynamic = [], set(), False
    toml = subject.toml
    used = None               # helpers that did not load are reported by helpers.load
    if helpers is not None:
        try:
            used = used_lines(action, helpers)
        except BundleError:   # reported by helpers.inlining; judge every helper line instead
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
        lines = (subject.folder / manifest_module.FILENAME).read_text(encoding="utf-8").splitlines()
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
                if arg is not None and (is_str(arg) or source.module == "action"):
                    yield (arg.value if is_str(arg) else None), node.lineno
        elif isinstance(node, ast.Subscript) and qualify(node.value) in SECRET_MAPPINGS:
            if source.module == "action" or is_str(node.slice):
                yield (node.slice.value if is_str(node.slice) else None), node.lineno
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)) \
                and qualify(node.comparators[0]) in SECRET_MAPPINGS and is_str(node.left):
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


