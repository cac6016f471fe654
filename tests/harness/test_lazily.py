"""Modules imported at their first use (harness/lazily.py)."""
import sys
import textwrap

import pytest

from hs_actions.harness.lazily import ImportedOnFirstUse

# A module whose first import is interrupted halfway, as a Ctrl-C or a SIGTERM's exit can be.
INTERRUPTED_ONCE = textwrap.dedent('''
    import os
    Process = "process"
    if os.path.exists(os.environ["HS_TEST_INTERRUPT"]):
        os.remove(os.environ["HS_TEST_INTERRUPT"])
        raise KeyboardInterrupt
    Error = LookupError
''')


def test_an_import_interrupted_halfway_is_imported_again_at_the_next_use(tmp_path, monkeypatch):
    (tmp_path / "hs_interrupted_once.py").write_text(INTERRUPTED_ONCE)
    (tmp_path / "interrupt").touch()
    monkeypatch.setenv("HS_TEST_INTERRUPT", str(tmp_path / "interrupt"))
    monkeypatch.syspath_prepend(str(tmp_path))
    module = ImportedOnFirstUse("hs_interrupted_once")
    assert "hs_interrupted_once" not in sys.modules          # nothing imported until it is used
    with pytest.raises(KeyboardInterrupt):
        module.Process
    # What `except module.Error:` evaluates while that interruption unwinds: the whole module,
    # not a half-executed one without Error (an AttributeError that replaced the interruption).
    assert module.Error is LookupError and module.Process == "process"
    monkeypatch.delitem(sys.modules, "hs_interrupted_once")
