"""A file-backed portal keeps its state across restarts; the CLI commands work on that file."""
import json
import threading

import requests

from shared.portal import commands
from shared.portal.portal import Portal


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
    assert commands.seed(db).startswith(f"Seeded {db} from the default seed: ")
    shown = commands.show(db)
    assert "contacts        300  (0-1)" in shown and "owners            5" in shown
    listing = commands.show(db, "contacts")
    assert "First 20 contacts (0-1):" in listing and "email=" in listing
    custom = tmp_path / "seed.json"
    custom.write_text(json.dumps({"records": {"deals": [{"properties": {"dealname": "Extra"}}]}}))
    assert commands.seed(db, custom).endswith("1 records.")
    assert commands.reset(db) == f"Emptied {db}."
    assert "contacts          0" in commands.show(db)


def test_serve_command_adds_the_local_token_and_serves_until_stopped(tmp_path, capsys):
    db = tmp_path / "serve.sqlite3"
    commands.seed(db)
    ready, stop = threading.Event(), threading.Event()
    servers = []
    worker = threading.Thread(target=commands.serve, args=(db,),
                              kwargs={"ready": lambda s: (servers.append(s), ready.set()), "stop": stop})
    worker.start()
    assert ready.wait(10)
    token = commands.LOCAL_TOKEN
    assert f"token {token} has every scope" in capsys.readouterr().out
    answer = requests.get(f"{servers[0].url}/crm/v3/objects/contacts/1", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    stop.set()
    worker.join(10)
    assert not worker.is_alive()
