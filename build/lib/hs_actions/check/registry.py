"""The one table of check's rules, filled where each rule is defined.

A check is a function that reports findings; `@rule(id, severity, description, takes=KIND)`
above it declares an id it reports under and the kind of subject it takes, as pytest
declares hooks. `check()` (run.py) applies every check of each kind to that kind's subjects,
and `hs-actions check --list-rules` prints the same table, so the rules run and the rules
listed cannot drift apart. A Finding under an id the table does not hold is refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from hs_actions.bundler.errors import BundleError

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Kind:
    """What a check takes. `subjects` gives, from the run (run.Run), what each check of the
    kind is applied to; KINDS is the order the kinds are applied in."""
    name: str
    subjects: Callable[..., Iterable]


# Per action, in the order a paste into HubSpot meets them: action.toml, then the code loads,
# then the code is compared with action.toml, then it is inlined into one file.
MANIFEST = Kind("manifest", lambda run: run.actions)
CODE = Kind("code", lambda run: run.actions)
ACTION = Kind("action", lambda run: [a for a in run.actions if a.source is not None])
BUNDLE = Kind("bundle", lambda run: [a for a in run.actions if a.helpers is not None])
# Then each file once (a helper two actions import is one file), and last every file at once,
# for the checks that start another Python and read what the others found.
FILE = Kind("file", lambda run: run.sources)
FILES = Kind("files", lambda run: [run])
KINDS = (MANIFEST, CODE, ACTION, BUNDLE, FILE, FILES)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str       # a check may report a rule at another severity (main-return, by setting)
    description: str
    takes: Kind
    check: Callable     # the function that declared it


RULES: dict[str, Rule] = {}
CHECKS: dict[Kind, list[Callable]] = {kind: [] for kind in KINDS}


def rule(id: str, severity: str, description: str, *, takes: Kind):
    """Declare that the function below reports findings under `id`; stack one per id it reports."""
    def register(function: Callable) -> Callable:
        if id in RULES:
            raise ValueError(f"rule {id!r} is declared twice: by {RULES[id].check.__qualname__} and "
                             f"{function.__qualname__}")
        if severity not in (ERROR, WARNING) or takes not in KINDS:
            raise ValueError(f"rule {id!r}: severity must be {ERROR!r} or {WARNING!r}, and takes one of KINDS")
        if any(function in checks for kind, checks in CHECKS.items() if kind is not takes):
            raise ValueError(f"rule {id!r}: {function.__qualname__} takes one kind of subject")
        own = [other for other, declared in RULES.items() if declared.check is function]
        RULES[id] = Rule(id, severity, description, takes, function)
        if not own:
            CHECKS[takes].append(function)
            return function
        # Stacked decorators apply bottom-up: put the id above the function's others, as written.
        order = [other for other in RULES if other != id]
        order.insert(order.index(own[0]), id)
        reordered = {other: RULES[other] for other in order}
        RULES.clear()
        RULES.update(reordered)
        return function
    return register


def listing() -> list[str]:
    """One line per rule: id, severity and description (`hs-actions check --list-rules`)."""
    width = max(len(id) for id in RULES)
    return [f"{r.id:<{width}}  {r.severity:<7}  {r.description}" for r in RULES.values()]


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    rule: str
    message: str
    fix: str
    severity: str = ""          # the rule's own when not given

    def __post_init__(self):
        # Refused rather than printed: an id missing here would be missing from --list-rules.
        if self.rule not in RULES:
            raise ValueError(f"no rule {self.rule!r} is registered: declare it with @rule "
                             f"(hs_actions/check/registry.py) above the check that reports it")
        if not self.severity:
            object.__setattr__(self, "severity", RULES[self.rule].severity)

    @classmethod
    def of(cls, error: BundleError) -> Finding:
        """A BundleError (what stops the bundler loading or inlining code) as the finding it is."""
        return cls(str(error.path), error.line, error.rule, error.message, error.fix)

    def __str__(self) -> str:
        stop = "" if self.message.endswith(("?", ".")) else "."     # pyflakes' messages may end in one
        return f"{self.file}:{self.line}: {self.rule}: {self.message}{stop} Fix: {self.fix}"
