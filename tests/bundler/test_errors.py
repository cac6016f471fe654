"""Bad input to bundle(): a clear error naming file, line and fix, and nothing written."""
import textwrap

import pytest

from hs_actions.bundler import BundleError, HelperError, bundle
from hs_actions.core.errors import ToolkitError

MANIFEST = 'object_type = "CONTACT"\n'
FORMS = ("`from shared.helpers.M import name`, `from shared.helpers import M` "
         "or `import shared.helpers.M as M`")


def attempt(tmp_path, action, helpers):
    """bundle() an action over helpers; returns (the error raised, files left in dist/)."""
    folder = tmp_path / "actions" / "demo"
    folder.mkdir(parents=True)
    (folder / "action.py").write_text(textwrap.dedent(action))
    (folder / "action.toml").write_text(MANIFEST)
    helpers_dir = tmp_path / "helpers"
    helpers_dir.mkdir()
    for module, text in helpers.items():
        (helpers_dir / f"{module}.py").write_text(textwrap.dedent(text))
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "demo.py").write_text("# the previous bundle\n")
    with pytest.raises(HelperError) as raised:
        bundle(folder, dist, helpers_dir)
    assert isinstance(raised.value, BundleError) and isinstance(raised.value, ToolkitError)
    assert raised.value.exit_code == 2
    return str(raised.value), {p.name: p.read_text() for p in dist.iterdir()}


UNTOUCHED = {"demo.py": "# the previous bundle\n"}


def test_a_helper_with_a_syntax_error(tmp_path):
    message, left = attempt(tmp_path, "from shared.helpers.broken import f\ndef main(event):\n    return f()\n",
                            {"broken": "def f():\n    return 1\n\ndef g(:\n    pass\n"})
    assert message == ("shared/helpers/broken.py:4: syntax: syntax error: invalid syntax. Fix: correct the "
                       "syntax; nothing else in the file is checked or bundled until it parses")
    assert left == UNTOUCHED


def test_an_import_cycle_between_helpers(tmp_path):
    message, left = attempt(tmp_path, "from shared.helpers.a import f\ndef main(event):\n    return f()\n", {
        "a": "from shared.helpers.b import g\n\ndef f():\n    return g()\n",
        "b": "import os\nfrom shared.helpers.a import f\n\ndef g():\n    return f()\n",
    })
    assert message == ("shared/helpers/b.py:2: helper-cycle: import cycle between helpers: shared/helpers/a.py -> "
                       "shared/helpers/b.py -> shared/helpers/a.py. Fix: helpers are inlined in dependency "
                       "order; move what they share into a third helper")
    assert left == UNTOUCHED


def test_a_helper_importing_a_library_hubspot_does_not_have(tmp_path):
    message, left = attempt(tmp_path, "from shared.helpers.frames import f\ndef main(event):\n    return f()\n",
                            {"frames": "import json\n\ndef f():\n    import pandas\n    return pandas\n"})
    assert message == (
        "shared/helpers/frames.py:4: import-unavailable: the helper imports 'pandas', which HubSpot's runtime "
        "does not have (it has the Python 3.9 standard library, requests 2.28.2, hubspot-api-client 8.2.1, "
        "google-api-python-client 2.74.0, mysql-connector-python 8.0.32, redis 4.4.2, nltk 3.8.1). "
        "Fix: helpers may use only those; rewrite the helper without it")
    assert left == UNTOUCHED


def test_a_helper_importing_the_toolkit(tmp_path):
    message, _ = attempt(tmp_path, "from shared.helpers.h import f\ndef main(event):\n    return f()\n",
                         {"h": "from hs_actions.harness import manifest\n\ndef f():\n    return manifest\n"})
    assert message == ("shared/helpers/h.py:1: import-local: the helper imports 'hs_actions.harness', which is this "
                       "repository's code and is not inlined. Fix: import only shared.helpers modules from a helper")


def test_two_helpers_defining_the_same_name_both_inlined(tmp_path):
    message, left = attempt(tmp_path, "from shared.helpers.a import f\nfrom shared.helpers.b import g\n"
                                      "def main(event):\n    return f() + g()\n", {
        "a": "LIMIT = 1\n\ndef f():\n    return LIMIT\n",
        "b": "import os\n\n\nLIMIT = 2\n\ndef g():\n    return LIMIT\n",
    })
    assert message == ("shared/helpers/b.py:4: helper-clash: 'LIMIT' is defined both here and in "
                       "shared/helpers/a.py (line 1), and both are inlined into actions/demo/action.py's "
                       "bundle, where helpers share one namespace. Fix: rename one of them")
    assert left == UNTOUCHED


def test_the_same_name_in_two_helpers_is_fine_when_only_one_is_inlined(tmp_path):
    folder = tmp_path / "actions" / "demo"
    folder.mkdir(parents=True)
    (folder / "action.py").write_text("from shared.helpers.a import f\nfrom shared.helpers.b import h\n"
                                      "def main(event):\n    return f() + h()\n")
    (folder / "action.toml").write_text(MANIFEST)
    helpers_dir = tmp_path / "helpers"
    helpers_dir.mkdir()
    (helpers_dir / "a.py").write_text("LIMIT = 1\n\ndef f():\n    return LIMIT\n")
    (helpers_dir / "b.py").write_text("LIMIT = 2\n\ndef g():\n    return LIMIT\n\ndef h():\n    return 3\n")
    path = bundle(folder, tmp_path / "dist", helpers_dir)
    assert path.read_text().count("LIMIT = ") == 1


def test_a_helper_using_a_builtin_the_action_redefines(tmp_path):
    message, _ = attempt(tmp_path, "from shared.helpers.a import size\nlen = 3\ndef main(event):\n    return size([])\n",
                         {"a": "def size(items):\n    return len(items)\n"})
    assert message == ("shared/helpers/a.py:2: helper-clash: the helper uses the built-in 'len', which "
                       "actions/demo/action.py redefines as a global name; inlined, the helper would get the "
                       "action's. Fix: rename len in actions/demo/action.py")


def test_an_action_importing_a_helper_that_does_not_exist(tmp_path):
    message, left = attempt(tmp_path, "import os\nfrom shared.helpers.phnoe import to_e164\n", {"phone": "X = 1\n", "dates": "Y = 2\n"})
    assert message == ("actions/demo/action.py:2: helper-missing: no helper shared.helpers.phnoe: "
                       "shared/helpers/phnoe.py does not exist. Fix: import one of the helpers there are "
                       "(dates, phone), or write shared/helpers/phnoe.py")
    assert left == UNTOUCHED


def test_an_action_importing_a_name_a_helper_does_not_define(tmp_path):
    message, _ = attempt(tmp_path, "from shared.helpers.phone import to_e165\n", {"phone": "def to_e164():\n    pass\n"})
    assert message == ("actions/demo/action.py:1: helper-missing: shared/helpers/phone.py has no top-level name "
                       "'to_e165' to import. Fix: import a name shared/helpers/phone.py defines, or define to_e165 there")


@pytest.mark.parametrize(("line", "problem", "fix"), [
    ("from shared.helpers.phone import *", "`from shared.helpers.phone import *` cannot be inlined", f"use {FORMS}"),
    ("import shared.helpers.phone", "`import shared.helpers.phone` cannot be inlined", f"use {FORMS}"),
    ("import os, shared.helpers.phone as p", "`import os` shares a statement with a helper import",
     "import helpers in statements of their own"),
    ("import os; from shared.helpers.phone import X", "a helper import shares its line with other code, which "
     "the bundler replaces with the helper", "put the import on a line of its own"),
])
def test_helper_imports_the_bundler_cannot_inline(tmp_path, line, problem, fix):
    message, _ = attempt(tmp_path, line + "\n", {"phone": "X = 1\n"})
    assert message == f"actions/demo/action.py:1: helper-import: {problem}. Fix: {fix}"


def test_a_helper_imported_inside_a_function(tmp_path):
    message, _ = attempt(tmp_path, "def main(event):\n    from shared.helpers.phone import X\n    return X\n",
                         {"phone": "X = 1\n"})
    assert message == ("actions/demo/action.py:2: helper-import: a helper imported inside a block; the bundler "
                       "inlines only top-level imports. Fix: move this import to the top of the file")


def test_a_helper_or_manifest_linked_out_of_its_folder_is_refused_naming_the_link(tmp_path, tmp_path_factory):
    """Never read: a bundle holds only what the repository holds, not a developer's file."""
    outside = tmp_path_factory.mktemp("outside")
    (outside / "creds.py").write_text("TOKEN = 'the developer s'\n")
    (outside / "action.toml").write_text(MANIFEST)
    folder = tmp_path / "actions" / "demo"
    folder.mkdir(parents=True)
    (folder / "action.py").write_text("from shared.helpers.creds import TOKEN\ndef main(event):\n    return {}\n")
    (folder / "action.toml").write_text(MANIFEST)
    helpers_dir = tmp_path / "helpers"
    helpers_dir.mkdir()
    (helpers_dir / "creds.py").symlink_to(outside / "creds.py")
    dist = tmp_path / "dist"
    dist.mkdir()
    with pytest.raises(HelperError) as raised:
        bundle(folder, dist, helpers_dir)
    assert str(raised.value) == (
        f"shared/helpers/creds.py:1: link-out: a symbolic link to {outside}/creds.py, outside {tmp_path}: refused, "
        "never read. Fix: replace the link with the file itself (the bundle and HubSpot get only what the "
        "repository holds)")
    (folder / "action.toml").unlink()
    (folder / "action.toml").symlink_to(outside / "action.toml")
    with pytest.raises(ToolkitError) as raised:
        bundle(folder, dist, helpers_dir)
    assert str(raised.value) == (f"{folder}/action.toml: a symbolic link to {outside}/action.toml, outside the "
                                 f"action's folder: refused (action.toml must stay in {folder} or shared/)")
    assert raised.value.exit_code == 2
    assert list(dist.iterdir()) == []
