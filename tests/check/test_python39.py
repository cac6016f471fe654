"""check, rule python-3.9: syntax and standard-library API newer than HubSpot's Python 3.9
(vermin, a narrow annotation rule, and the real 3.9's compile() when it is prepared)."""

import pytest

from hs_actions.check import check
from hs_actions.check.python39 import newest_python
from hs_actions.harness import runtime
from tests.support import write_action


MANIFEST = 'object_type = "CONTACT"\n'
NO_RUNTIME = runtime.fallback()          # the compile step is skipped with the fallback
REAL = runtime.current()


def findings(tmp_path, code, helpers=None, run_on=NO_RUNTIME, rules=("python-3.9", "syntax")):
    """This rule's findings (the others have files of their own) for a tiny action."""
    folder, helpers_dir = write_action(tmp_path, code, MANIFEST, helpers)
    return [str(f) for f in check([folder], helpers_dir, runtime=run_on) if f.rule in rules]


def test_newer_standard_library_api_and_syntax_are_found(tmp_path):
    assert findings(tmp_path, '''\
        import itertools
        import datetime


        def main(event):
            pairs = list(itertools.pairwise([1, 2, 3]))
            match event:
                case {"x": 1}:
                    pass
            return {"outputFields": {"utc": str(datetime.UTC)}}
        ''') == [
        "actions/demo/action.py:6: python-3.9: 'itertools.pairwise' member needs Python 3.10; HubSpot runs 3.9. "
        "Fix: rewrite it with what Python 3.9 has",
        "actions/demo/action.py:7: python-3.9: pattern matching needs Python 3.10; HubSpot runs 3.9. "
        "Fix: rewrite it with what Python 3.9 has",
        "actions/demo/action.py:10: python-3.9: 'datetime.UTC' member needs Python 3.11; HubSpot runs 3.9. "
        "Fix: rewrite it with what Python 3.9 has",
    ]


def test_python_39_code_passes(tmp_path):
    assert findings(tmp_path, '''\
        import zoneinfo
        from typing import Optional


        def main(event: dict) -> dict:
            merged = {"a": 1} | {"b": 2}
            name: Optional[str] = "x".removeprefix("y")
            return {"outputFields": {"n": len(merged), "name": name, "tz": str(zoneinfo.ZoneInfo("UTC"))}}
        ''', run_on=REAL) == []


def test_union_annotations_that_39_evaluates_are_found(tmp_path):
    assert findings(tmp_path, '''\
        import re


        def main(event: dict | None, flags=re.I | re.M) -> None:
            local: int | None = None     # not evaluated inside a function
            return None
        ''') == [
        "actions/demo/action.py:4: python-3.9: `dict | None` in an annotation needs Python 3.10: Python 3.9 "
        "evaluates it and raises TypeError. Fix: write typing.Optional[...] or typing.Union[...], or add "
        "`from __future__ import annotations`",
    ]


def test_union_annotations_are_fine_with_postponed_evaluation(tmp_path):
    assert findings(tmp_path, "from __future__ import annotations\n\n\ndef main(event: dict | None) -> None:\n    return None\n") == []


@pytest.mark.skipif(REAL.fallback, reason="HubSpot's runtime is not prepared")
def test_the_real_39_compiles_each_file_and_has_the_last_word(tmp_path):
    code = "def main(*event):\n    return event[*event]\n"      # PEP 646 (3.11); vermin misses it
    assert findings(tmp_path, code, run_on=NO_RUNTIME) == []
    assert findings(tmp_path / "again", code, run_on=REAL) == [
        "again/actions/demo/action.py:2: python-3.9: Python 3.9 cannot compile this: invalid syntax. "
        "Fix: rewrite it with Python 3.9 syntax",
    ]


def test_helpers_the_action_imports_are_checked_too(tmp_path):
    assert findings(tmp_path, "from shared.helpers.pairs import pairs\n\n\ndef main(event):\n    return pairs\n",
                    {"pairs": "import itertools\n\n\ndef pairs(items):\n    return itertools.pairwise(items)\n"}) == [
        "shared/helpers/pairs.py:5: python-3.9: 'itertools.pairwise' member needs Python 3.10; HubSpot runs 3.9. "
        "Fix: rewrite it with what Python 3.9 has",
    ]


def test_a_file_that_does_not_parse_is_one_finding(tmp_path):
    assert findings(tmp_path, "def main(event):\n    return {\n") == [
        "actions/demo/action.py:2: syntax: syntax error: '{' was never closed. Fix: correct the syntax; "
        "nothing else in the file is checked or bundled until it parses",
    ]


def test_unions_of_types_outside_annotations_are_found(tmp_path):
    assert findings(tmp_path, '''\
        from __future__ import annotations

        Id = int | str
        FLAGS = 1 | 2


        def main(event: dict | None):
            ok = isinstance(event, dict | list[int] | None)
            mask = event["a"] | event["b"]
            return {"outputFields": {}}
        ''') == [
        "actions/demo/action.py:3: python-3.9: `int | str` needs Python 3.10: on Python 3.9 `|` between types "
        "raises TypeError. Fix: write typing.Union[...], or a tuple of types in isinstance()",
        "actions/demo/action.py:8: python-3.9: `dict | list[int] | None` needs Python 3.10: on Python 3.9 `|` "
        "between types raises TypeError. Fix: write typing.Union[...], or a tuple of types in isinstance()",
    ]


NEWEST = tuple(int(part) for part in newest_python()[1].split("."))
needs_312 = pytest.mark.skipif(NEWEST < (3, 12), reason="no Python 3.12 or newer on this machine to parse it")


def newer(line, feature, version):
    return (f"actions/demo/action.py:{line}: python-3.9: {feature} needs Python {version}; HubSpot runs 3.9. "
            f"Fix: rewrite it with what Python 3.9 has")


@needs_312
@pytest.mark.parametrize("code, found", [
    ('def main(event):\n    x = {"a": 1}\n    return {"outputFields": {"a": f"{x["a"]}"}}\n',
     [newer(3, "f-strings (PEP 701)", "3.12")]),
    ('def main(event):\n    return {"outputFields": {"a": f"{"\\n".join(event)}"}}\n',
     [newer(2, "f-strings (PEP 701)", "3.12")]),
    ('type Fields = dict[str, str]\n\n\ndef main(event):\n    return {"outputFields": {}}\n',
     [newer(1, "type alias statement (`type X = SomeType`)", "3.12")]),
    ('def first[T](items: list[T]) -> T:\n    return items[0]\n\n\ndef main(event):\n    return {"outputFields": {}}\n',
     ["actions/demo/action.py:1: python-3.9: Type parameter lists are only supported in Python 3.12 and greater; "
      "HubSpot runs 3.9. Fix: rewrite it with what Python 3.9 has"]),
], ids=["fstring-same-quotes", "fstring-backslash", "type-alias", "type-parameters"])
def test_syntax_of_312_is_named_by_its_version(tmp_path, code, found):
    assert findings(tmp_path, code) == found


def test_syntax_of_310_and_311_is_named_by_its_version(tmp_path):
    assert findings(tmp_path, '''\
        def main(event):
            try:
                match event:
                    case {"x": 1}:
                        pass
            except* ValueError:
                pass
            return {"outputFields": {}}
        ''') == [newer(3, "pattern matching", "3.10"), newer(6, "`except*`", "3.11")]


@needs_312
def test_a_helper_with_newer_syntax_is_named_too(tmp_path):
    assert findings(tmp_path, "from shared.helpers.fmt import show\n\n\ndef main(event):\n    return show(event)\n",
                    {"fmt": 'def show(event):\n    return f"{event["a"]}"\n'}) == [
        "shared/helpers/fmt.py:2: python-3.9: f-strings (PEP 701) needs Python 3.12; HubSpot runs 3.9. "
        "Fix: rewrite it with what Python 3.9 has",
    ]


@pytest.mark.skipif(REAL.fallback, reason="HubSpot's runtime is not prepared")
def test_parenthesised_context_managers_pass_because_39_compiles_them(tmp_path):
    # Official from 3.10, but 3.9's parser already accepts them: HubSpot's 3.9 runs this.
    assert findings(tmp_path, '''\
        def main(event):
            with (open("/dev/null") as a, open("/dev/null") as b):
                return {"outputFields": {"same": a.name == b.name}}
        ''', run_on=REAL) == []
