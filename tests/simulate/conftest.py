"""Fixtures of the simulation's tests: a local portal file with the default seed, made once (a
simulation only reads it: it works on a copy), and simulate() called as the CLI calls it."""
import pytest


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory):
    from hs_actions.portal.commands import open_local

    path = tmp_path_factory.mktemp("simulate") / "portal.sqlite3"
    open_local(path).close()
    return path


@pytest.fixture
def simulate(seeded_db):
    """simulate(action, **options) -> Report, on the seeded portal file; JSON unless as_json=False."""
    from hs_actions.simulate.commands import simulate as command

    def run(action, **options):
        options.setdefault("as_json", True)
        return command(str(action), portal_db=seeded_db, **options)
    return run
