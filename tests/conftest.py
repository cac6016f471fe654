import textwrap
from pathlib import Path

import pytest

MANIFEST = """\
object_type = "CONTACT"
secrets = []
[outputs]
"""


@pytest.fixture
def make_action(tmp_path):
    """make_action(code, manifest=...) -> path of a fresh action folder holding them."""
    counter = iter(range(1000))

    def make(code: str, manifest: str = MANIFEST, name: str | None = None, events: dict | None = None) -> Path:
        folder = tmp_path / (name or f"action_{next(counter)}")
        folder.mkdir()
        (folder / "action.py").write_text(textwrap.dedent(code))
        (folder / "action.toml").write_text(textwrap.dedent(manifest))
        for event_name, text in (events or {}).items():
            (folder / "events").mkdir(exist_ok=True)
            (folder / "events" / f"{event_name}.json").write_text(text)
        return folder

    return make
