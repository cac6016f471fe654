"""Nothing the action controls reaches a terminal raw: output names and values, logs,
exception text, API paths and queries, the event's object type, command lines of processes it
left and hosts it was refused are shown with their control characters escaped; only the
toolkit colours (attack class: terminal)."""
import json
import os
import subprocess
import sys

import pytest

from hs_actions.harness import report

CLEAR = "\x1b[2J\x1b[3J\x1b[H"
MANIFEST = 'object_type = "CONTACT"\nsecrets = ["TOKEN"]\n[outputs]\nok = "string"\n'
FAKE_CLEAN_REPORT = """
import os, socket, subprocess, requests

CLEAR = "\\x1b[2J\\x1b[3J\\x1b[H"

def main(event):
    print(CLEAR + "OK      everything is fine\\x9b2J\\u202e")
    subprocess.Popen(["sleep", "30", CLEAR + "left"])
    requests.get("https://api.hubapi.com/crm/v3/objects/contacts/" + CLEAR,
                 params={"q": CLEAR}, headers={"Authorization": "Bearer " + os.environ["TOKEN"]}, timeout=5)
    try:
        socket.create_connection((CLEAR.replace("\\x1b", "e") + "host\\x07", 443), timeout=2)
    except OSError:
        pass
    if event["inputFields"].get("fail"):
        raise ValueError(CLEAR + "fine")
    return {"outputFields": {"ok\\x1b[2J": CLEAR}}
"""


@pytest.fixture(params=["cli", "pytest"])
def shown(request, make_action, tmp_path, portal, sandbox_problem):
    """shown(inputs) -> the human report of a run of FAKE_CLEAN_REPORT, as a terminal gets it."""
    portal.add_token("terminal-token")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"object": {"objectType": "CONTACT" + CLEAR}}))
    manifest = MANIFEST.replace("[outputs]", "[inputs]\nfail = { value = \"\" }\n[outputs]")
    folder = make_action(FAKE_CLEAN_REPORT, manifest)

    def run(inputs):
        if request.param == "cli":
            args = [sys.executable, "-m", "hs_actions.cli", "run", str(folder), "--event", str(event),
                    "--portal-db", str(tmp_path / "p.sqlite3")] + [f"--input={k}={v}" for k, v in inputs.items()]
            done = subprocess.run(args, capture_output=True, text=True, timeout=60,
                                  env={**os.environ, "TOKEN": "terminal-token"})
            return done.stdout + done.stderr
        result = request.getfixturevalue("run_action")(folder, event_file=event, inputs=inputs,
                                                       secrets={"TOKEN": "terminal-token"})
        return report.human(result, colour=True)
    return run


@pytest.mark.parametrize("inputs", [{}, {"fail": "yes"}], ids=["returns", "raises"])
def test_the_action_cannot_drive_the_terminal(shown, inputs):
    text = shown(inputs)
    first, rest = text.split("\n", 1)
    assert "\x1b" not in rest and "\x9b" not in rest and "\u202e" not in rest and "\x07" not in text
    assert "\x1b" not in first.replace("\x1b[32m", "").replace("\x1b[31m", "").replace("\x1b[33m", "").replace("\x1b[0m", "")
    assert "\\x1b[2J\\x1b[3J\\x1b[H" in text
