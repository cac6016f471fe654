"""Where `main` can end without returning a value, read from its syntax tree.

HubSpot calls main(event) and reads outputFields from what it returns. Its documentation
shows only `return {"outputFields": {...}}`; what it does when main returns None (falls off
its end, or a bare `return`) is documented nowhere we found, though published actions do it
(README, "What it does not do"). So the strict reading is the default: such a run fails, and
`hs-actions check` reports every place main can end that way as an error. The setting
`allow_return_none` turns both into warnings. One analysis serves both commands, so a run
that returned None names the same file:line as check.

The analysis follows control flow statement by statement (if/else, loops and their else,
break, try/except/else/finally, with, match, raise, return), with these limits: any call may
raise, an exception is never assumed to be caught unless an except clause is there, and a
`with` block is assumed to let exceptions through unless its context manager is
contextlib.suppress. sys.exit(), os._exit(), exit() and quit() end the run, as raise does.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from hs_actions.core import project, pyimports

RETURN_NONE_SETTING = "allow_return_none"
FIX = 'return {"outputFields": {...}} on every path (raise an exception to fail the execution instead)'
NONE_FAILS = (f"what HubSpot does with None is undocumented, so hs-actions fails it ({RETURN_NONE_SETTING} = true "
              f"under [tool.hs-actions] in pyproject.toml accepts it)")
NONE_ALLOWED = (f"what HubSpot does with None is undocumented; accepted, with no outputs, because "
                f"{RETURN_NONE_SETTING} is set")
KIND_FIX = 'make main a plain `def main(event):` that returns {"outputFields": {...}}'
# Calls that never return to the next statement: they end the process or raise.
_ENDS_PROCESS = {("sys", "exit"), ("os", "_exit"), ("os", "abort"), (None, "exit"), (None, "quit")}


@dataclass(frozen=True)
class Ending:
    """A place where main gives HubSpot None: a bare `return`, `return None`, or its end."""

    line: int
    how: str          # "bare return" | "return None" | "end"

    def describe(self) -> str:
        return {"bare return": "a `return` without a value", "return None": "`return None`",
                "end": "main can run past its last line without a return"}[self.how]


def return_none_allowed() -> bool:
    """Whether a main that returns None is accepted (a warning) rather than failed (an error)."""
    return project.settings()[RETURN_NONE_SETTING]


def main_function(tree: ast.Module) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The top-level `def main` the module leaves bound (the last one), or None."""
    found = None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "main":
            found = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.Import, ast.ImportFrom)) and "main" in _bound(node):
            found = None
    return found


def kind(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """What calling `function` gives instead of running its body, for a generator ("generator")
    or async function ("coroutine", "async generator"): an object HubSpot cannot use. None for
    a plain function."""
    yields = any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in _own_nodes(function))
    if isinstance(function, ast.AsyncFunctionDef):
        return "async generator" if yields else "coroutine"
    return "generator" if yields else None


def kind_message(what: str, where: str | None = None) -> str:
    """Why a main of this kind fails in HubSpot; `where` is file:line of its def."""
    keyword = "async def" if what != "generator" else "yield"
    main = f"main ({where})" if where else "main"
    return (f"{main} is a {what} function (it uses `{keyword}`): calling it runs none of its code and "
            f"gives HubSpot a {what} object instead of a dict, which it cannot return: Unable to marshal "
            f"response: Object of type {what.replace(' ', '_')} is not JSON serializable")



def endings(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[Ending]:
    """Every place where `function` can end with None, in line order."""
    flow = _Flow()
    if flow.block(function.body):
        flow.endings.append(Ending(function.body[-1].end_lineno or function.lineno, "end"))
    return sorted(set(flow.endings), key=lambda e: e.line)


def endings_in(code: Path) -> list[Ending]:
    """endings() of main in the file `code`; none when it does not parse or has no main."""
    main = _main_in(code)
    return endings(main) if main is not None and kind(main) is None else []


def main_line(code: Path) -> int | None:
    """The line of `def main` in the file `code`, when it parses and has one."""
    main = _main_in(code)
    return main.lineno if main is not None else None


def _main_in(code: Path):
    try:
        return main_function(ast.parse(code.read_bytes()))
    except (OSError, SyntaxError, ValueError):
        return None


class _Flow:
    def __init__(self):
        self.endings: list[Ending] = []
        self.breaks = [False]         # per enclosing loop: whether its body can break out

    def block(self, body: list[ast.stmt]) -> bool:
        """Whether control can run past the end of `body`; records endings on the way. Code
        after a statement that never completes is unreachable and not looked at."""
        return all(self.statement(stmt) for stmt in body)

    def statement(self, node: ast.stmt) -> bool:
        if isinstance(node, ast.Return):
            if node.value is None:
                self.endings.append(Ending(node.lineno, "bare return"))
            elif isinstance(node.value, ast.Constant) and node.value.value is None:
                self.endings.append(Ending(node.lineno, "return None"))
            return False
        if isinstance(node, ast.Raise) or isinstance(node, ast.Continue):
            return False
        if isinstance(node, ast.Break):
            self.breaks[-1] = True
            return False
        if isinstance(node, ast.If):
            truth = _truth(node.test)
            body = self.block(node.body) if truth is not False else False
            orelse = self.block(node.orelse) if truth is not True else False
            return body or orelse
        if isinstance(node, ast.While):
            truth = _truth(node.test)
            if truth is False:
                return self.block(node.orelse)
            broke = self._loop_body(node.body)
            # `while True` leaves only through break; otherwise the test can turn false.
            return broke if truth is True else self.block(node.orelse) or broke
        if isinstance(node, (ast.For, ast.AsyncFor)):
            broke = self._loop_body(node.body)
            return self.block(node.orelse) or broke
        if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            return self._try(node)
        if isinstance(node, (ast.With, ast.AsyncWith)):
            body = self.block(node.body)
            return body or any(_suppresses(item.context_expr) for item in node.items)
        if type(node).__name__ == "Match":
            falls = [self.block(case.body) for case in node.cases]
            return any(falls) or not any(_irrefutable(case) for case in node.cases)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            return _callee(node.value.func) not in _ENDS_PROCESS
        if isinstance(node, ast.Assert):
            return _truth(node.test) is not False
        return True

    def _loop_body(self, body) -> bool:
        self.breaks.append(False)
        self.block(body)
        return self.breaks.pop()

    def _try(self, node) -> bool:
        # A finally that never completes overrides every return and break before it.
        if not self.block(node.finalbody):
            return False
        body = self.block(node.body)
        orelse = self.block(node.orelse) if body else False
        handlers = [self.block(handler.body) for handler in node.handlers]
        return orelse or any(handlers)


def _truth(test: ast.expr) -> bool | None:
    """The truth of a constant test (`while True`, `if 0`), or None when it depends."""
    if isinstance(test, ast.Constant):
        return bool(test.value)
    return None


def _callee(func: ast.expr) -> tuple[str | None, str] | None:
    if isinstance(func, ast.Name):
        return None, func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id, func.attr
    return None


def _suppresses(manager: ast.expr) -> bool:
    """contextlib.suppress(...) or suppress(...): the block may end early without raising."""
    return isinstance(manager, ast.Call) and (_callee(manager.func) or (None, ""))[1] == "suppress"


def _irrefutable(case) -> bool:
    """A case that matches anything (`case _:` or a bare capture), without a guard."""
    pattern = case.pattern
    while type(pattern).__name__ == "MatchAs" and pattern.pattern is not None:
        pattern = pattern.pattern
    return case.guard is None and type(pattern).__name__ == "MatchAs"


def _own_nodes(function):
    """The nodes of `function`'s own body, not those of functions, lambdas or classes in it."""
    stack = list(function.body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))


def _bound(node) -> set[str]:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return {name for name, _ in pyimports.bindings(node)}
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
