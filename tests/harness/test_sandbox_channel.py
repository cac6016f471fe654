"""The toolkit reads what comes from a run with size caps, schema checks and deadlines: an
action that writes to the toolkit's descriptors fails its own run, never the toolkit, and never
hangs it (attack class: the control channel)."""
import struct

import pytest

# Writes `frame` to every socket the action's process holds, then returns normally.
WRITE_TO_EVERY_SOCKET = """
import os, socket, stat, time

def main(event):
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.write(fd, bytes.fromhex(event["inputFields"]["frame"]))
        except OSError:
            pass
    print("written", flush=True)
    time.sleep(float(event["inputFields"]["then_sleep"]))
    return {"outputFields": {}}
"""
MANIFEST = 'object_type = "CONTACT"\n[inputs]\nframe = { value = "" }\nthen_sleep = { value = "0" }\n'


def frame(payload: bytes, announced: int | None = None) -> str:
    return (struct.pack("!I", len(payload) if announced is None else announced) + payload).hex()


@pytest.mark.parametrize("written", [
    frame(b'{"outputFields": {"forged": true}}'),   # JSON of the wrong shape
    frame(b"not json at all"),
    frame(b"[1, 2, 3]"),
    frame(b"", announced=0xFFFFFFFF),               # announces 4 GB
], ids=["wrong-shape", "not-json", "not-an-object", "oversized"])
def test_a_forged_message_fails_the_run_not_the_toolkit(attack, make_action, written):
    report = attack(make_action(WRITE_TO_EVERY_SOCKET, MANIFEST), inputs={"frame": written})
    assert report["status"] == "error"
    assert report["error"]["type"] == "Runtime.ChannelError"
    assert report["error"]["message"].startswith("the run's answer could not be read: the action process sent the toolkit ")
    assert attack.exit_code in (None, 1)
    assert "Traceback" not in attack.stderr


def test_a_half_announced_frame_ends_at_the_time_limit(attack, make_action):
    # A limit of 1 s (the rule is the same at HubSpot's 20): time enough for the action to write
    # the frame (its log says so) under load, and a test that waits as little as it can.
    written = frame(b'{"returned"', announced=100)
    report = attack(make_action(WRITE_TO_EVERY_SOCKET, MANIFEST), inputs={"frame": written, "then_sleep": "60"},
                    timeout=1)
    assert report["status"] == "timeout" and report["logs"] == "written\n"
    assert 1000 <= report["duration_ms"] < 3000
    assert attack.exit_code in (None, 1)


CLOSE_EVERY_SOCKET = """
import os, stat, time

def main(event):
    for name in os.listdir("/proc/self/fd"):
        try:
            if stat.S_ISSOCK(os.fstat(int(name)).st_mode):
                os.close(int(name))
        except OSError:
            pass
    time.sleep(30)
"""


def test_closing_the_channel_fails_the_run_at_once(attack, make_action):
    report = attack(make_action(CLOSE_EVERY_SOCKET), timeout=10)
    assert report["status"] == "error"
    assert report["error"]["type"] == "Runtime.ChannelError"
    assert "the action process closed its channel to the toolkit" in report["error"]["message"]
    assert report["duration_ms"] < 5000


# A 20 MB answer whose last byte comes just before the time limit: the frame is announced,
# then trickles in.
LATE_LARGE_ANSWER = """
import json, os, socket, stat, struct, time

def main(event):
    payload = json.dumps({"returned": {"outputFields": {"x": "y" * (20 << 20)}}, "imported": [],
                          "refused": []}).encode()
    socks = [int(n) for n in os.listdir("/proc/self/fd") if stat.S_ISSOCK(os.fstat(int(n)).st_mode)]
    data = struct.pack("!I", len(payload)) + payload
    started = time.monotonic()
    step = len(data) // 20
    for at in range(0, len(data), step):
        for fd in socks:
            try:
                os.write(fd, data[at:at + step])
            except OSError:
                pass
        time.sleep(max(0.0, started + 1.8 * (at + step) / len(data) - time.monotonic()))
    time.sleep(5)
"""


def test_a_late_large_answer_fails_the_run_with_its_reason(attack, make_action):
    report = attack(make_action(LATE_LARGE_ANSWER), timeout=2, memory=1024)
    assert report["status"] in ("timeout", "error"), report
    assert report["error"]["message"]
    assert attack.exit_code in (None, 1)
    assert "Traceback" not in attack.stderr
