"""Fixtures of check's tests: each runs in its own project folder, as a user runs check."""
import pytest


@pytest.fixture(autouse=True)
def in_the_project(tmp_path, monkeypatch):
    """check shows paths relative to where it runs: here, the project in tmp_path."""
    monkeypatch.chdir(tmp_path)
