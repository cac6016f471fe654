"""bundle_text: the action verbatim, with only the helpers it uses inlined, name by name."""
import ast
import json
import subprocess
import sys
import textwrap

import pytest

from hs_actions.bundler import bundle_text
from hs_actions.harness import runtime

MANIFEST = 'object_type = "CONTACT"\n'


def make(tmp_path, code, helpers=None, name="demo", manifest=MANIFEST):
    folder = tmp_path / "actions" / name
    folder.mkdir(parents=True)
    (folder / "action.py").write_text(textwrap.dedent(code))
    (folder / "action.toml").write_text(manifest)
    helpers_dir = tmp_path / "helpers"
    helpers_dir.mkdir(exist_ok=True)
    for module, text in (helpers or {}).items():
        (helpers_dir / f"{module}.py").write_text(textwrap.dedent(text))
    return folder, helpers_dir


def code_of(text):
    """The bundle without its header (everything after the hash line)."""
    return text.partition("\n# hs-actions-hash: ")[2].split("\n", 2)[2]


def run(text, event, python=sys.executable, tmp=None):
    """main(event) of the bundle, in a fresh interpreter that cannot see the repository."""
    script = tmp / "bundle_under_test.py"
    script.write_text(text)
    probe = ("import json, runpy, sys; module = runpy.run_path(sys.argv[1]); "
             "print(json.dumps(module['main'](json.loads(sys.argv[2]))))")
    done = subprocess.run([python, "-I", "-c", probe, str(script), json.dumps(event)],
                          capture_output=True, text=True, cwd=tmp, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


TEXT = {
    "text": '''\
        """Text helpers."""
        import re

        __all__ = ["slug", "shout"]

        # Runs of anything but letters and digits.
        _JUNK = re.compile(r"[^a-z0-9]+")


        def slug(value):
            return _JUNK.sub("-", value.lower()).strip("-")


        def shout(value):
            return value.upper() + "!"


        def unused(value):
            return value


        if __name__ == "__main__":
            print(slug("A B"))
        ''',
}


def test_only_the_names_used_are_inlined_and_main_is_verbatim(tmp_path):
    action = '''\
        """Make a slug."""
        import json

        from shared.helpers.text import slug


        def main(event):
            # keep this comment
            value = slug(event["inputFields"]["name"])
            return {"outputFields": {"slug": value, "raw": json.dumps(value)}}
        '''
    folder, helpers = make(tmp_path, action, TEXT)
    code = code_of(bundle_text(folder, helpers))
    assert code == textwrap.dedent('''\
        """Make a slug."""
        import json

        import re


        # ---- inlined from shared/helpers/text.py by hs-actions bundle ----
        # Runs of anything but letters and digits.
        _JUNK = re.compile(r"[^a-z0-9]+")


        def slug(value):
            return _JUNK.sub("-", value.lower()).strip("-")


        # ---- end of inlined helpers ----



        def main(event):
            # keep this comment
            value = slug(event["inputFields"]["name"])
            return {"outputFields": {"slug": value, "raw": json.dumps(value)}}
        ''')
    assert run(code, {"inputFields": {"name": "Hello, World"}}, tmp=tmp_path) == \
        {"outputFields": {"slug": "hello-world", "raw": '"hello-world"'}}


def test_every_line_of_the_action_but_its_helper_imports_is_kept(tmp_path):
    action = '''\
        import os
        from shared.helpers.text import slug, shout as loud
        X = 1   # odd   spacing kept


        def main(event):
            return {"outputFields": {"a": slug("A b"), "b": loud("x"), "x": X}}
        '''
    folder, helpers = make(tmp_path, action, TEXT)
    code = code_of(bundle_text(folder, helpers))
    assert code.startswith("import os\nimport re\n\n\n# ---- inlined from shared/helpers/text.py")
    assert code.endswith(textwrap.dedent('''\
        # ---- end of inlined helpers ----

        loud = shout
        X = 1   # odd   spacing kept


        def main(event):
            return {"outputFields": {"a": slug("A b"), "b": loud("x"), "x": X}}
        '''))
    assert "def unused(value):" not in code
    assert run(code, {}, tmp=tmp_path) == {"outputFields": {"a": "a-b", "b": "X!", "x": 1}}


DATES = {
    "clock": '''\
        import datetime
        from datetime import timezone

        EPOCH = datetime.datetime(1970, 1, 1, tzinfo=timezone.utc)


        def day(ms):
            return (EPOCH + datetime.timedelta(milliseconds=int(ms))).date().isoformat()
        ''',
    "report": '''\
        from shared.helpers.clock import day
        from shared.helpers import text


        def line(ms, name):
            return "%s %s" % (day(ms), text.slug(name))
        ''',
    **TEXT,
}


def test_helpers_are_inlined_transitively_in_dependency_order(tmp_path):
    action = '''\
        from shared.helpers.report import line


        def main(event):
            return {"outputFields": {"line": line("86400000", "New Lead")}}
        '''
    folder, helpers = make(tmp_path, action, DATES)
    text = bundle_text(folder, helpers)
    assert text.splitlines()[0] == (
        "# demo: paste-ready bundle made by `hs-actions bundle demo` from actions/demo/action.py"
        " + shared/helpers/clock.py + shared/helpers/text.py + shared/helpers/report.py."
    )
    code = code_of(text)
    sections = [line for line in code.splitlines() if line.startswith("# ---- inlined")]
    assert sections == [
        "# ---- inlined from shared/helpers/clock.py by hs-actions bundle ----",
        "# ---- inlined from shared/helpers/text.py by hs-actions bundle ----",
        "# ---- inlined from shared/helpers/report.py by hs-actions bundle ----",
    ]
    assert "class text:\n" in code and "    slug = slug\n" in code     # `text.slug` keeps working
    assert "shout" not in code
    assert run(code, {}, tmp=tmp_path) == {"outputFields": {"line": "1970-01-02 new-lead"}}


def test_imports_are_deduplicated_at_the_top_and_helper_names_that_clash_are_renamed(tmp_path):
    action = '''\
        import re
        from datetime import datetime

        from shared.helpers.clock import day
        from shared.helpers.text import slug

        EPOCH = "the action's own"


        def _JUNK():
            return "the action's own too"


        def main(event):
            return {"outputFields": {"day": day(0), "slug": slug("A  B"), "epoch": EPOCH,
                                     "junk": _JUNK(), "now": datetime(2024, 1, 2).isoformat()}}
        '''
    folder, helpers = make(tmp_path, action, DATES)
    code = code_of(bundle_text(folder, helpers))
    assert code.count("import re\n") == 1
    assert "import datetime as _clock_datetime\nfrom datetime import timezone\n" in code
    assert "_clock_EPOCH = _clock_datetime.datetime(1970, 1, 1, tzinfo=timezone.utc)" in code
    assert "_text_JUNK = re.compile" in code
    assert "return _text_JUNK.sub(" in code
    assert 'EPOCH = "the action\'s own"' in code and "def _JUNK():" in code
    assert run(code, {}, tmp=tmp_path) == {"outputFields": {
        "day": "1970-01-01", "slug": "a-b", "epoch": "the action's own",
        "junk": "the action's own too", "now": "2024-01-02T00:00:00"}}


def test_a_helper_name_shadowing_a_builtin_the_action_uses_is_renamed(tmp_path):
    helpers = {"fmt": "def format(value):\n    return '<%s>' % value\n\n\ndef wrap(value):\n    return format(value)\n"}
    action = '''\
        from shared.helpers.fmt import wrap


        def main(event):
            return {"outputFields": {"a": wrap(1), "b": format(2, "03d")}}
        '''
    folder, helpers_dir = make(tmp_path, action, helpers)
    code = code_of(bundle_text(folder, helpers_dir))
    assert "def _fmt_format(value):" in code and "return _fmt_format(value)" in code
    assert run(code, {}, tmp=tmp_path) == {"outputFields": {"a": "<1>", "b": "002"}}


def test_locals_that_share_a_renamed_global_name_are_left_alone(tmp_path):
    helpers = {"calc": '''\
        TOTAL = 10


        def add(TOTAL_=0, **kw):
            values = [TOTAL for TOTAL in range(3)]
            return TOTAL + sum(values) + (lambda TOTAL: TOTAL)(5)


        def local(TOTAL):
            return TOTAL * 2
        '''}
    action = '''\
        from shared.helpers.calc import add, local
        TOTAL = "mine"


        def main(event):
            return {"outputFields": {"add": add(), "local": local(4), "mine": TOTAL}}
        '''
    folder, helpers_dir = make(tmp_path, action, helpers)
    code = code_of(bundle_text(folder, helpers_dir))
    assert "    values = [TOTAL for TOTAL in range(3)]\n    return _calc_TOTAL + sum(values) + (lambda TOTAL: TOTAL)(5)" in code
    assert "def local(TOTAL):\n    return TOTAL * 2" in code
    assert run(code, {}, tmp=tmp_path) == {"outputFields": {"add": 18, "local": 8, "mine": "mine"}}


def test_the_bundle_imports_nothing_from_the_repository(tmp_path):
    action = '''\
        from shared.helpers import report as r
        import shared.helpers.clock as clock


        def main(event):
            return {"outputFields": {"line": r.line(0, "x"), "day": clock.day(0)}}
        '''
    folder, helpers = make(tmp_path, action, DATES)
    code = code_of(bundle_text(folder, helpers))
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            assert all(a.name.split(".")[0] not in ("shared", "actions") for a in node.names)
        if isinstance(node, ast.ImportFrom):
            assert node.module.split(".")[0] not in ("shared", "actions")
    assert "class r:\n" in code and "class clock:\n" in code
    assert run(code, {}, tmp=tmp_path) == {"outputFields": {"line": "1970-01-01 x", "day": "1970-01-01"}}


def test_a_helper_future_import_goes_to_the_top(tmp_path):
    helpers = {"typed": "from __future__ import annotations\n\n\ndef first(items: list[str] | None) -> str | None:\n    return items[0] if items else None\n"}
    action = '"""Doc."""\nfrom shared.helpers.typed import first\n\n\ndef main(event):\n    return {"outputFields": {"v": first(["a"])}}\n'
    folder, helpers_dir = make(tmp_path, action, helpers)
    code = code_of(bundle_text(folder, helpers_dir))
    assert code.startswith('"""Doc."""\nfrom __future__ import annotations\n')
    prepared = runtime.current()
    python = sys.executable if prepared.fallback else str(prepared.python)
    assert run(code, {}, python=python, tmp=tmp_path) == {"outputFields": {"v": "a"}}


@pytest.mark.skipif(runtime.current().fallback, reason="HubSpot's runtime is not prepared")
def test_the_shipped_helpers_bundle_together_and_run_on_hubspots_python(tmp_path):
    action = '''\
        from shared.helpers.associations import associated_ids
        from shared.helpers.client import hubspot_client, reraise_retryable
        from shared.helpers.dates import date_to_ms, days_between
        from shared.helpers.phone import to_e164
        from shared.helpers.properties import get_properties, update_properties


        @reraise_retryable
        def main(event):
            fields = event["inputFields"]
            return {"outputFields": {"e164": to_e164(fields["phone"]), "days": days_between(0, fields["day"]),
                                     "ms": date_to_ms(fields["day"]),
                                     "helpers": [f.__name__ for f in (associated_ids, hubspot_client, get_properties, update_properties)]}}
        '''
    folder = tmp_path / "actions" / "all_helpers"
    folder.mkdir(parents=True)
    (folder / "action.py").write_text(textwrap.dedent(action))
    (folder / "action.toml").write_text(MANIFEST)
    text = bundle_text(folder)
    assert run(text, {"inputFields": {"phone": "415 555 0100", "day": "1970-01-03"}},
               python=str(runtime.current().python), tmp=tmp_path) == {"outputFields": {
        "e164": "+14155550100", "days": 2, "ms": 172800000,
        "helpers": ["associated_ids", "hubspot_client", "get_properties", "update_properties"]}}


def test_a_name_reexported_by_a_helper_is_taken_from_where_it_is_defined(tmp_path):
    helpers = {"base": "def one():\n    return 1\n", "facade": "from shared.helpers.base import one\n\n\ndef two():\n    return 2\n"}
    action = "from shared.helpers.facade import one\n\n\ndef main(event):\n    return {'outputFields': {'v': one()}}\n"
    folder, helpers_dir = make(tmp_path, action, helpers)
    text = bundle_text(folder, helpers_dir)
    assert text.splitlines()[0].endswith("from actions/demo/action.py + shared/helpers/base.py.")
    assert "def two" not in text and "facade" not in code_of(text)
    assert run(code_of(text), {}, tmp=tmp_path) == {"outputFields": {"v": 1}}


def test_a_helper_module_passed_around_whole_keeps_its_public_names(tmp_path):
    action = '''\
        from shared.helpers import text


        def apply(module, value):
            return getattr(module, "shout")(value)


        def main(event):
            return {"outputFields": {"v": apply(text, "hi")}}
        '''
    folder, helpers_dir = make(tmp_path, action, TEXT)
    code = code_of(bundle_text(folder, helpers_dir))
    assert "class text:\n" in code
    assert "    shout = shout\n    slug = slug\n    unused = unused\n" in code
    assert "_JUNK = _JUNK" not in code
    assert run(code, {}, tmp=tmp_path) == {"outputFields": {"v": "HI!"}}


def test_an_action_shadowing_every_name_of_the_shipped_helpers_still_bundles_right(tmp_path):
    from hs_actions.core import project
    from hs_actions.bundler.sources import read

    names = set()
    for path in project.current().helpers.glob("*.py"):
        refs = read(path, "shared.helpers." + path.stem, path.name, path.parent).refs
        names |= {r.name for r in refs if r.kind in ("store", "def", "import")}
    assert {"to_e164", "_RAISE", "re", "datetime", "HubSpot", "api_object_type"} <= names
    shadows = "".join(f"{name} = 'action:{name}'\n" for name in sorted(names))
    action = (
        "from shared.helpers import associations as ha, client as hc, dates as hd, phone as hp, properties as hpr\n"
        + shadows + textwrap.dedent('''\


        def main(event):
            mine = sorted(k for k, v in globals().items() if isinstance(v, str) and v == "action:" + k)
            return {"outputFields": {
                "e164": hp.to_e164("020 7946 0958", "44"),
                "days": hd.days_between("1706659200000", "2024-02-29"),
                "value": hpr.to_property_value(True),
                "retry": hc.is_retryable(ValueError()),
                "ids": ha.associated_ids.__name__,
                "shadows_kept": len(mine),
            }}
        '''))
    folder, _ = make(tmp_path, action)
    code = code_of(bundle_text(folder))
    prepared = runtime.current()
    python = sys.executable if prepared.fallback else str(prepared.python)
    assert run(code, {}, python=python, tmp=tmp_path) == {"outputFields": {
        "e164": "+442079460958", "days": 29, "value": "true", "retry": False,
        "ids": "_associations_associated_ids",      # a renamed function's __name__ is its new name
        "shadows_kept": len(names)}}


def test_an_action_alias_of_a_module_a_helper_imports_plainly(tmp_path):
    # `import datetime as dt` in the action must not stand in for the helper's `import datetime`.
    project = tmp_path
    (project / "shared" / "helpers").mkdir(parents=True)
    (project / "shared" / "helpers" / "when.py").write_text(
        "import datetime\n\n\ndef epoch():\n    return datetime.datetime(1970, 1, 1).year\n")
    folder = project / "actions" / "alias"
    folder.mkdir(parents=True)
    (folder / "action.py").write_text(
        "import datetime as dt\nfrom shared.helpers.when import epoch\n\n\n"
        "def main(event):\n    return {'outputFields': {'y': epoch() + dt.date(2000, 1, 1).year}}\n")
    (folder / "action.toml").write_text('object_type = "CONTACT"\n[outputs]\ny = "number"\n')
    from hs_actions.bundler.bundle import bundle_text
    text = bundle_text(folder, project / "shared" / "helpers")
    namespace = {}
    exec(compile(text, "bundle.py", "exec"), namespace)
    assert namespace["main"]({})["outputFields"]["y"] == 3970
