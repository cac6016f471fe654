"""A file-backed portal keeps its state across restarts; the CLI commands work on that file."""
import json
import socket
import sys
import threading

import pytest
import requests

from hs_actions.core.errors import SeedError, ToolkitError
from hs_actions.core.report import Console
from hs_actions.portal import commands
from hs_actions.portal.portal import Portal


def said(report) -> str:
    """A command's report as the text it prints, less the last newline."""
    return report.text().removesuffix("\n")


def test_state_survives_a_restart(tmp_path):
    db = tmp_path / "portal.sqlite3"
    first = Portal(db=db)
    first.seed({"schemas": [{"name": "pets", "objectTypeId": "2-7", "primaryDisplayProperty": "pet_name",
                             "properties": [{"name": "pet_name", "type": "string", "fieldType": "text"}]}]})
    first.add_token("pat-na1-kept", ["crm.objects.contacts.read"])
    created = first.backend.create("contacts", {"email": "kept@example.com"})
    pet = first.backend.create("p_pets", {"pet_name": "Rex"})
    first.close()

    second = Portal(db=db)
    assert second.record("contacts", created.id)["properties"]["email"] == "kept@example.com"
    assert second.record("2-7", pet.id)["properties"]["pet_name"] == "Rex"
    assert second.backend.token("pat-na1-kept").scopes == ["crm.objects.contacts.read"]
    assert second.backend.create("contacts", {"email": "next@example.com"}).id == pet.id + 1
    second.close()


def test_commands_seed_show_reset(tmp_path):
    db = tmp_path / "cli.sqlite3"
    assert said(commands.seed(db)).startswith(f"Seeded {db} from the default seed: ")
    shown = said(commands.show(db))
    assert "contacts        300  (0-1)" in shown and "owners            5" in shown
    listing = said(commands.show(db, "contacts"))
    assert "First 20 contacts (0-1):" in listing and "email=" in listing
    custom = tmp_path / "seed.json"
    custom.write_text(json.dumps({"records": {"deals": [{"properties": {"dealname": "Extra"}}]}}))
    assert said(commands.seed(db, custom)).endswith("1 records.")
    assert said(commands.reset(db)) == f"Emptied {db}."
    assert "contacts          0" in said(commands.show(db))


def test_serve_command_adds_the_local_token_and_serves_until_stopped(tmp_path, capsys):
    db = tmp_path / "serve.sqlite3"
    commands.seed(db)
    ready, stop = threading.Event(), threading.Event()
    servers = []
    worker = threading.Thread(target=commands.serve, args=(db,),
                              kwargs={"ready": lambda s: (servers.append(s), ready.set()), "stop": stop,
                                      "console": Console(sys.stdout)})
    worker.start()
    assert ready.wait(10)
    token = commands.LOCAL_TOKEN
    assert f"token {token} has every scope" in capsys.readouterr().out
    answer = requests.get(f"{servers[0].url}/crm/v3/objects/contacts/1", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    stop.set()
    worker.join(10)
    assert not worker.is_alive()


def test_a_file_that_is_not_a_database_is_a_toolkit_error_until_reset_replaces_it(tmp_path):
    db = tmp_path / "portal.sqlite3"
    db.write_text("garbage\n")
    for opening in (lambda: commands.open_local(db), lambda: commands.show(db), lambda: commands.seed(db)):
        with pytest.raises(ToolkitError) as raised:
            opening()
        assert str(db) in str(raised.value) and "file is not a database" in str(raised.value)
        assert f"Run `hs-actions portal reset --portal-db {db}`" in str(raised.value)
    (tmp_path / "portal.sqlite3-wal").write_text("stale")
    (tmp_path / "portal.sqlite3-shm").write_text("stale")
    aside = tmp_path / "portal.sqlite3.not-a-database"
    assert said(commands.reset(db)) == (f"Moved {db}, which was not a database (file is not a database), to {aside}, "
                                        "and started an empty portal database in its place.")
    assert aside.read_text() == "garbage\n"  # nothing is deleted: it may have been given by mistake
    for leftover in (tmp_path / "portal.sqlite3-wal", tmp_path / "portal.sqlite3-shm"):
        assert not leftover.exists() or leftover.read_bytes() != b"stale"
    assert "contacts          0" in said(commands.show(db))
    assert commands.open_local(db).backend.counts()["contacts"] == 300


def test_a_directory_as_the_database_is_a_toolkit_error_and_reset_deletes_nothing(tmp_path):
    (tmp_path / "kept.txt").write_text("kept")
    for command in (commands.open_local, commands.show, commands.seed, commands.reset):
        with pytest.raises(ToolkitError, match=f"^{tmp_path}: the portal database is a directory, not a file: "
                                               f"choose a file path"):
            command(tmp_path)
    assert (tmp_path / "kept.txt").read_text() == "kept"


def _seed_file(tmp_path, data) -> str:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(data))
    return str(path)


def test_seeding_an_existing_record_id_is_a_seed_error_and_adds_nothing(tmp_path):
    db = tmp_path / "portal.sqlite3"
    commands.seed(db, _seed_file(tmp_path, {"records": {"contacts": [{"id": 7, "properties": {"email": "a@x.co"}}]}}))
    before = said(commands.show(db))
    seed = _seed_file(tmp_path, {
        "schemas": [{"name": "pets", "objectTypeId": "2-9", "primaryDisplayProperty": "pet_name",
                     "properties": [{"name": "pet_name", "type": "string", "fieldType": "text"}]}],
        "owners": [{"id": "41", "email": "o@x.co", "firstName": "O", "lastName": "W", "userId": 1}],
        "records": {"contacts": [{"id": 8, "properties": {"email": "b@x.co"}},
                                 {"id": 7, "properties": {"email": "c@x.co"}}]}})
    with pytest.raises(SeedError) as raised:
        commands.seed(db, seed)
    assert str(raised.value).startswith(f"{seed}: not seeded, nothing was added: record contacts/7 already exists")
    assert said(commands.show(db)) == before
    portal = Portal(db=db)
    try:
        assert "2-9" not in portal.backend.types and portal.record("contacts", 8) is None
    finally:
        portal.close()


def test_a_seed_that_fails_on_a_record_adds_not_even_the_types_it_defines(tmp_path):
    db = tmp_path / "portal.sqlite3"
    seed = _seed_file(tmp_path, {
        "schemas": [{"name": "pets", "objectTypeId": "2-9", "primaryDisplayProperty": "pet_name",
                     "properties": [{"name": "pet_name", "type": "string", "fieldType": "text"}]}],
        "properties": {"contacts": [{"name": "shoe_size", "type": "number", "fieldType": "number"}]},
        "records": {"p_pets": [{"properties": {"pet_name": "Rex"}}],
                    "contacts": [{"properties": {"shoe_size": "large"}}]}})
    with pytest.raises(SeedError, match="not seeded, nothing was added: Property values were not valid"):
        commands.seed(db, seed)
    portal = Portal(db=db)
    try:
        assert "2-9" not in portal.backend.types and "shoe_size" not in portal.backend.defs["0-1"]
        assert portal.backend.counts() == {}
    finally:
        portal.close()


def test_a_seed_file_with_an_unknown_key_is_a_seed_error_naming_the_known_ones(tmp_path):
    seed = _seed_file(tmp_path, {"recrods": {"contacts": [{"properties": {"email": "a@x.co"}}]}})
    with pytest.raises(SeedError) as raised:
        commands.seed(tmp_path / "portal.sqlite3", seed)
    assert str(raised.value) == (
        f"{seed}: not seeded, nothing was added: unknown key(s) 'recrods': a seed file's keys are "
        "schemas, properties, requiredProperties, pipelines, labels, owners, records, associations, hubdb, lists, "
        "forms, tokens, flows, comment")


def test_a_seeded_token_with_an_unknown_scope_is_a_seed_error_naming_the_scope(tmp_path):
    db = tmp_path / "portal.sqlite3"
    seed = _seed_file(tmp_path, {"tokens": [
        {"token": "pat-ok", "scopes": ["crm.objects.contacts.read"]},
        {"token": "pat-typo", "scopes": ["crm.objects.contacts.read", "crm.objects.contact.write"]}]})
    with pytest.raises(SeedError, match=r"nothing was added: tokens\[1\]: unknown scope\(s\) "
                                        r"'crm.objects.contact.write'; the portal's scopes are automation, "):
        commands.seed(db, seed)
    assert "  token " not in said(commands.show(db))


def test_serving_on_a_port_in_use_is_a_toolkit_error(seeded_portal_db):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ToolkitError) as raised:
            commands.serve(seeded_portal_db, port=port)   # seeded already: the test is of the port
    assert str(raised.value) == f"port {port} is in use: choose another --port (or 0 for a free one)"


@pytest.mark.parametrize("port", [65536, -1])
def test_serving_on_a_port_out_of_range_is_a_toolkit_error(tmp_path, port):
    with pytest.raises(ToolkitError, match=f"^port {port} is not a port number: choose one from 0 to 65535"):
        commands.serve(tmp_path / "portal.sqlite3", port=port)
