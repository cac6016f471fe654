"""check, rule main-return: every place where main can end without returning a value (a bare
`return`, `return None`, or running past its last line), through each kind of statement;
and a main that is a generator or async function."""

import pytest

from hs_actions.check import check
from hs_actions.harness import runtime
from tests.support import write_action


def findings(tmp_path, code):
    folder, helpers_dir = write_action(tmp_path, code)
    return [f for f in check([folder], helpers_dir, runtime=runtime.fallback()) if f.rule == "main-return"]


def lines(tmp_path, code):
    """(line, how) of each place found, how being the start of its message."""
    return [(f.line, f.message.partition(",")[0]) for f in findings(tmp_path, code)]


RETURNS = 'return {"outputFields": {}}'
BARE = "a `return` without a value"
END = "main can run past its last line without a return"


def test_the_whole_finding_for_a_bare_return(tmp_path):
    assert [str(f) for f in findings(tmp_path, f'''\
        def main(event):
            if not event:
                return
            {RETURNS}
        ''')] == [
        "actions/demo/action.py:3: main-return: a `return` without a value, so main returns None here and HubSpot "
        "gets no outputFields: what HubSpot does with None is undocumented, so hs-actions fails it "
        "(allow_return_none = true under [tool.hs-actions] in pyproject.toml accepts it). Fix: return "
        '{"outputFields": {...}} on every path (raise an exception to fail the execution instead)',
    ]
    assert findings(tmp_path, "def main(event):\n    pass\n")[0].severity == "error"


@pytest.mark.parametrize("code, found", [
    ("def main(event):\n    print(event)\n", [(2, END)]),
    ('def main(event):\n    """Only a docstring."""\n', [(2, END)]),
    ("def main(event):\n    return None\n", [(2, "`return None`")]),
    (f"def main(event):\n    {RETURNS}\n", []),
    # Code after a return is unreachable: neither its bare return nor its end count.
    (f"def main(event):\n    {RETURNS}\n    return\n", []),
    # Nested functions return for themselves, not for main.
    (f"def main(event):\n    def helper():\n        return\n    {RETURNS}\n", []),
    (f"def main(event):\n    helper = lambda: None\n    {RETURNS}\n", []),
], ids=["falls-off", "docstring-only", "return-none", "returns", "unreachable", "nested-def", "lambda"])
def test_plain_bodies(tmp_path, code, found):
    assert lines(tmp_path, code) == found


@pytest.mark.parametrize("code, found", [
    (f"""\
        def main(event):
            if event:
                {RETURNS}
        """, [(3, END)]),
    (f"""\
        def main(event):
            if event:
                {RETURNS}
            else:
                {RETURNS}
        """, []),
    (f"""\
        def main(event):
            if event:
                {RETURNS}
            elif event is None:
                return
            else:
                {RETURNS}
        """, [(5, BARE)]),
    (f"""\
        def main(event):
            if event:
                {RETURNS}
            elif event is None:
                {RETURNS}
        """, [(5, END)]),
    (f"""\
        def main(event):
            if True:
                {RETURNS}
        """, []),
    (f"""\
        def main(event):
            if 0:
                return
            {RETURNS}
        """, []),
], ids=["if-without-else", "if-else", "elif-bare-return", "elif-without-else", "if-true", "if-false"])
def test_if(tmp_path, code, found):
    assert lines(tmp_path, code) == found


@pytest.mark.parametrize("code, found", [
    (f"""\
        def main(event):
            while True:
                if event:
                    {RETURNS}
        """, []),
    (f"""\
        def main(event):
            while True:
                if event:
                    break
            print("after")
        """, [(5, END)]),
    (f"""\
        def main(event):
            while event:
                {RETURNS}
        """, [(3, END)]),
    (f"""\
        def main(event):
            while event:
                event = None
            else:
                {RETURNS}
        """, []),
    (f"""\
        def main(event):
            while event:
                if event:
                    break
            else:
                {RETURNS}
        """, [(6, END)]),
    (f"""\
        def main(event):
            for item in event:
                {RETURNS}
        """, [(3, END)]),
    (f"""\
        def main(event):
            for item in event:
                pass
            else:
                {RETURNS}
        """, []),
    (f"""\
        def main(event):
            for item in event:
                if item:
                    break
            else:
                {RETURNS}
        """, [(6, END)]),
    (f"""\
        def main(event):
            while True:
                for item in event:
                    break
        """, []),
    (f"""\
        def main(event):
            while True:
                if event:
                    continue
                {RETURNS}
        """, []),
], ids=["while-true", "while-true-break", "while-test", "while-else", "while-else-break", "for", "for-else",
        "for-else-break", "inner-break", "continue"])
def test_loops(tmp_path, code, found):
    assert lines(tmp_path, code) == found


@pytest.mark.parametrize("code, found", [
    (f"""\
        def main(event):
            try:
                {RETURNS}
            except ValueError:
                print("bad")
        """, [(5, END)]),
    (f"""\
        def main(event):
            try:
                {RETURNS}
            except ValueError:
                raise
        """, []),
    (f"""\
        def main(event):
            try:
                {RETURNS}
            except ValueError:
                return
            except Exception:
                raise RuntimeError("no")
        """, [(5, BARE)]),
    (f"""\
        def main(event):
            try:
                value = int(event)
            except ValueError:
                raise
            else:
                {RETURNS}
        """, []),
    (f"""\
        def main(event):
            try:
                value = int(event)
            except ValueError:
                raise
            else:
                print(value)
        """, [(7, END)]),
    (f"""\
        def main(event):
            try:
                return
            finally:
                {RETURNS}
        """, []),
    (f"""\
        def main(event):
            try:
                {RETURNS}
            finally:
                print("done")
        """, []),
    (f"""\
        def main(event):
            try:
                pass
            finally:
                return
        """, [(5, BARE)]),
    (f"""\
        def main(event):
            while True:
                try:
                    break
                finally:
                    {RETURNS}
        """, []),
], ids=["except-falls-through", "except-raises", "except-bare-return", "else-returns", "else-falls-through",
        "finally-overrides-return", "finally-falls-through", "finally-bare-return", "finally-overrides-break"])
def test_try(tmp_path, code, found):
    assert lines(tmp_path, code) == found


@pytest.mark.parametrize("code, found", [
    (f"""\
        def main(event):
            with open("f") as stream:
                {RETURNS}
        """, []),
    (f"""\
        import contextlib
        def main(event):
            with contextlib.suppress(KeyError):
                {RETURNS}
        """, [(4, END)]),
    ("""\
        import sys
        def main(event):
            sys.exit(1)
        """, []),
    ("""\
        import os
        def main(event):
            if event:
                os._exit(0)
            raise ValueError(event)
        """, []),
    ("""\
        def main(event):
            assert False, "unreachable"
        """, []),
    ("""\
        def main(event):
            assert event
        """, [(2, END)]),
], ids=["with", "with-suppress", "sys-exit", "os-exit-and-raise", "assert-false", "assert"])
def test_with_exits_and_asserts(tmp_path, code, found):
    assert lines(tmp_path, code) == found


def test_only_the_main_the_module_leaves_bound_counts(tmp_path):
    assert lines(tmp_path, f"def main(event):\n    pass\n\n\ndef main(event):\n    {RETURNS}\n") == []
    assert lines(tmp_path, "def main(event):\n    pass\n\n\nmain = print\n") == []
    assert lines(tmp_path, "def handler(event):\n    pass\n") == []


@pytest.mark.parametrize("code, what, keyword", [
    ("def main(event):\n    yield {'outputFields': {}}\n", "generator", "yield"),
    ("def main(event):\n    yield from []\n", "generator", "yield"),
    ("async def main(event):\n    return {'outputFields': {}}\n", "coroutine", "async def"),
    ("async def main(event):\n    yield 1\n", "async generator", "async def"),
])
def test_a_main_calling_which_runs_nothing_is_an_error(tmp_path, code, what, keyword):
    assert [str(f) for f in findings(tmp_path, code)] == [
        f"actions/demo/action.py:1: main-return: main is a {what} function (it uses `{keyword}`): calling it runs "
        f"none of its code and gives HubSpot a {what} object instead of a dict, which it cannot return: Unable to "
        f"marshal response: Object of type {what.replace(' ', '_')} is not JSON serializable. Fix: make main a "
        'plain `def main(event):` that returns {"outputFields": {...}}',
    ]


def test_a_yield_in_a_nested_function_does_not_make_main_a_generator(tmp_path):
    assert lines(tmp_path, f"def main(event):\n    def items():\n        yield 1\n    {RETURNS}\n") == []
