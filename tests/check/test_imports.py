"""check, rules import-unavailable and import-local: only the standard library of Python 3.9,
HubSpot's libraries and shared.helpers can be imported."""
import subprocess

import pytest

from hs_actions.check import check
from hs_actions.bundler.imports import STDLIB
from hs_actions.harness import runtime
from tests.support import write_action


MANIFEST = 'object_type = "CONTACT"\n'
HAS = ("the Python 3.9 standard library, requests 2.28.2, hubspot-api-client 8.2.1, "
       "google-api-python-client 2.74.0, mysql-connector-python 8.0.32, redis 4.4.2, nltk 3.8.1")


def findings(tmp_path, code, helpers=None):
    folder, helpers_dir = write_action(tmp_path, code, helpers=helpers)
    return [str(f) for f in check([folder], helpers_dir, runtime=runtime.fallback()) if f.rule.startswith("import-")
            or f.rule == "python-3.9"]


def unavailable(line, module):
    return (f"actions/demo/action.py:{line}: import-unavailable: {module!r} is not in HubSpot's runtime, which has "
            f"only {HAS}. Fix: use the standard library or one of those libraries (HubSpot cannot install others)")


def local(line, module):
    return (f"actions/demo/action.py:{line}: import-local: {module!r} is this repository's code, which HubSpot "
            f"does not have (the bundler inlines only shared.helpers). Fix: move the code into shared.helpers "
            f"or into this file")


def test_imports_hubspot_does_not_have_are_found(tmp_path):
    assert findings(tmp_path, '''\
        import tomllib
        import pandas as pd
        from attr import define


        def main(event):
            import numpy
            return {}
        ''') == [unavailable(1, "tomllib"), unavailable(2, "pandas"), unavailable(3, "attr"),
                 unavailable(7, "numpy")]


def test_imports_of_the_repository_other_than_helpers_are_found(tmp_path):
    assert findings(tmp_path, '''\
        from actions.other.action import main as other
        import hs_actions.harness
        from hs_actions import project
        from shared import other_code
        from . import sibling
        ''') == [local(1, "actions.other.action"), local(2, "hs_actions.harness"), local(3, "hs_actions"),
                 local(4, "shared"), local(5, ".")]


def test_the_standard_library_hubspots_libraries_and_helpers_pass(tmp_path):
    assert findings(tmp_path, '''\
        import json, zoneinfo, graphlib, os.path
        from urllib.parse import urlencode
        import requests
        import hubspot
        from hubspot.crm.objects import ApiException
        import googleapiclient.discovery
        import mysql.connector
        import redis
        import nltk
        from shared.helpers.tiny import VALUE


        def main(event):
            return {}
        ''', {"tiny": "import re\nVALUE = re.escape('x')\n"}) == []


def test_helpers_are_held_to_the_same_rule(tmp_path):
    result = findings(tmp_path, "from shared.helpers.tiny import VALUE\n", {"tiny": "import yaml\nVALUE = 1\n"})
    assert result == [
        "shared/helpers/tiny.py:1: import-unavailable: the helper imports 'yaml', which HubSpot's runtime does not "
        f"have (it has {HAS}). Fix: helpers may use only those; rewrite the helper without it",
    ]


def test_the_39_standard_library_list_is_right_about_modules_that_changed():
    assert {"zoneinfo", "graphlib", "asyncio", "distutils", "imp", "binhex", "formatter", "parser", "symbol"} <= STDLIB
    assert not {"tomllib", "winreg", "msvcrt", "_winapi"} & STDLIB


@pytest.mark.skipif(runtime.current().fallback, reason="HubSpot's runtime is not prepared")
def test_the_39_standard_library_list_matches_a_real_39():
    probe = ("import os, pkgutil, sys, sysconfig; lib = sysconfig.get_paths()['stdlib']; "
             "print('\\n'.join(sorted(set(sys.builtin_module_names) | {m.name for m in "
             "pkgutil.iter_modules([lib, os.path.join(lib, 'lib-dynload')])})))")
    real = set(subprocess.run([str(runtime.current().python), "-c", probe], capture_output=True, text=True,
                              check=True).stdout.split())
    test_only = {n for n in real if n.startswith(("_test", "_xx", "xx", "_ctypes_test", "_sysconfigdata"))}
    # Built without their optional system libraries on some machines; standard on Linux builds.
    optional = {"_dbm", "_gdbm", "_tkinter", "_curses", "_curses_panel", "_lzma", "_sqlite3", "readline",
                "_uuid", "nis", "_crypt", "spwd", "_ssl", "_hashlib", "_bz2", "_ctypes", "_decimal"}
    frozen = {"_frozen_importlib", "_frozen_importlib_external"}     # importable, not on disk
    assert real - test_only - STDLIB == set()
    assert STDLIB - real - optional - frozen == set()


def test_libraries_that_hubspots_libraries_bring_are_importable(tmp_path):
    # urllib3 comes with requests and hubspot-api-client; HubSpot's runtime has it installed.
    from hs_actions.bundler.imports import LIBRARY, classify
    assert [classify(m) for m in ("urllib3", "dateutil.parser", "certifi")] == [LIBRARY] * 3
    assert classify("pandas") != LIBRARY
