"""bundle() writes dist/<name>.py atomically, under a header saying what to set in HubSpot,
with a hash of the code that bundled_hash recomputes."""
import os

import pytest

from hs_actions.bundler import BundleWriteError, bundle, bundle_text, bundled_hash, recorded_hash
from hs_actions.bundler.bundle import code_hash

MANIFEST = '''\
description = "Days from creation to MQL"
object_type = "CONTACT"
secrets = ["token", "hs_app"]

[inputs]
created = "createdate"
campaign = { value = "spring" }

[outputs]
days = "number"
stage = { type = "enumeration", options = ["early", "late"] }
when = "date"
'''
ACTION = '''\
import os


def main(event):
    return {"outputFields": {"days": 1}}
'''


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "actions" / "days_to_mql"
    path.mkdir(parents=True)
    (path / "action.py").write_text(ACTION)
    (path / "action.toml").write_text(MANIFEST)
    return path


def test_the_header_says_what_to_set_in_hubspots_ui(folder):
    text = bundle_text(folder)
    header, code = text.split("\n\n", 1)
    assert header.splitlines()[:-1] == [
        "# days_to_mql: paste-ready bundle made by `hs-actions bundle days_to_mql` from actions/days_to_mql/action.py.",
        "# Days from creation to MQL",
        "# In HubSpot: a workflow 'Custom code' action, language Python 3.9; paste this whole file.",
        "# Edit the action and bundle again instead of editing this copy: the hash below tells them apart.",
        "#",
        "# Secrets to tick: token, hs_app",
        "# Properties to include in code (variable name = property):",
        "#   created = property createdate",
        "#   campaign = the value 'spring'",
        "# Data outputs (name: type):",
        "#   days: Number",
        "#   stage: Enumeration, options early, late",
        "#   when: Date (Unix milliseconds at midnight UTC)",
    ]
    assert header.splitlines()[-1] == "# hs-actions-hash: " + code_hash(ACTION)
    assert code == ACTION


def test_an_action_without_secrets_inputs_or_outputs_says_none(tmp_path):
    path = tmp_path / "actions" / "bare"
    path.mkdir(parents=True)
    (path / "action.py").write_text(ACTION)
    (path / "action.toml").write_text('object_type = "DEAL"\n')
    lines = bundle_text(path).splitlines()
    assert lines[4:7] == ["# Secrets to tick: (none)", "# Properties to include in code: (none)",
                          "# Data outputs: (none)"]


def test_bundle_writes_dist_name_py_and_the_hash_verifies(folder, tmp_path):
    path = bundle(folder, tmp_path / "dist")
    assert path == tmp_path / "dist" / "days_to_mql.py"
    assert path.read_text() == bundle_text(folder)
    assert recorded_hash(path) == bundled_hash(path) == code_hash(ACTION)
    assert os.listdir(tmp_path / "dist") == ["days_to_mql.py"]


def test_the_hash_detects_edits_but_not_line_endings_or_trailing_spaces(folder, tmp_path):
    path = bundle(folder, tmp_path / "dist")
    recorded = recorded_hash(path)
    path.write_text(path.read_text().replace("\n", "  \r\n") + "\r\n\r\n")
    assert bundled_hash(path) == recorded
    path.write_text(path.read_text().replace('"days": 1', '"days": 2'))
    assert bundled_hash(path) != recorded
    path.write_text(path.read_text().replace("# Days from creation to MQL", "# edited comment"))
    assert recorded_hash(path) == recorded


def test_code_pasted_back_without_the_header_hashes_the_same(folder, tmp_path):
    path = bundle(folder, tmp_path / "dist")
    copied = tmp_path / "from_hubspot.py"
    copied.write_text(ACTION)
    assert recorded_hash(copied) is None
    assert bundled_hash(copied) == recorded_hash(path)


def test_a_dist_that_is_a_file_is_a_clear_error_and_nothing_is_written(folder, tmp_path):
    dist = tmp_path / "dist"
    dist.write_text("not a folder")
    with pytest.raises(BundleWriteError) as error:
        bundle(folder, dist)
    assert str(error.value) == (f"cannot write the bundle into {dist}: File exists; nothing was written. "
                                f"Fix: make {dist} a writable folder, or bundle into another one")
    assert error.value.exit_code == 2
    assert dist.read_text() == "not a folder"


def test_a_dist_under_a_file_is_a_clear_error(folder, tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(BundleWriteError, match=r"^cannot write the bundle into .*/file/dist: Not a directory; nothing was written"):
        bundle(folder, tmp_path / "file" / "dist")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_dist_is_a_clear_error(folder, tmp_path):
    dist = tmp_path / "dist"
    dist.mkdir()
    dist.chmod(0o500)
    try:
        with pytest.raises(BundleWriteError, match=r"Permission denied; nothing was written"):
            bundle(folder, dist)
        assert os.listdir(dist) == []
    finally:
        dist.chmod(0o700)


def test_a_failed_write_leaves_the_previous_bundle_and_no_partial_file(folder, tmp_path, monkeypatch):
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "days_to_mql.py").write_text("# the previous bundle\n")

    def full_disk(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(BundleWriteError) as error:
        bundle(folder, dist)
    assert str(error.value).startswith(f"cannot write the bundle into {dist}: No space left on device; nothing was written.")
    assert {p.name: p.read_text() for p in dist.iterdir()} == {"days_to_mql.py": "# the previous bundle\n"}
