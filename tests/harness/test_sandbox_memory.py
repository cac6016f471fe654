"""No run's action process holds another run's secrets: the supervisor every run forks from
never reads a run's request, nor its answer, which may return a secret as an output (attack
class: memory)."""
import json
import secrets

import psutil
import pytest

SCAN = 'object_type = "CONTACT"\nsecrets = ["TOKEN"]\n[inputs]\nhead = { value = "" }\ntail = { value = "" }\n' \
       '[outputs]\nfound = "number"\nreturned = "string"\n'
# Looks for an earlier run's secret in all of its own memory, without ever building the secret
# itself: its two halves arrive reversed, and a match is a head followed by the tail.
SCAN_OWN_MEMORY = """
import ctypes, os

def main(event):
    head = event["inputFields"]["head"][::-1].encode()
    tail = event["inputFields"]["tail"][::-1].encode()
    if not head:  # the earlier run: returns its secret as an output
        return {"outputFields": {"found": -1, "returned": os.environ["TOKEN"]}}
    found = 0
    with open("/proc/self/maps") as maps:
        regions = [line.split() for line in maps]
    for fields in regions:
        start, end = (int(n, 16) for n in fields[0].split("-"))
        if not fields[1].startswith("r") or (len(fields) > 5 and not fields[5].startswith("[heap")):
            continue  # unreadable, or a mapped file (the secret would be in anonymous memory)
        for at in range(start, end, 8 << 20):
            size = min(end, at + (8 << 20) + len(head) + len(tail)) - at
            chunk = ctypes.string_at(at, size)
            index = chunk.find(head)
            while index >= 0:
                if chunk[index + len(head):index + len(head) + len(tail)] == tail:
                    found += 1
                index = chunk.find(head, index + 1)
            del chunk
    return {"outputFields": {"found": found, "returned": ""}}
"""


def test_a_later_run_cannot_find_an_earlier_runs_secret_in_its_memory(attack, make_action):
    """The earlier run is handed its secret and returns it; the later run, forked from the same
    supervisor (run_action keeps one per action), looks for it in its own memory."""
    folder = make_action(SCAN_OWN_MEMORY, SCAN)
    earlier = "earlier-" + secrets.token_hex(16)
    first = attack(folder, secrets={"TOKEN": earlier}, memory=512)
    assert first["status"] == "success", first["error"]
    assert first["outputFields"]["returned"] == "[secret TOKEN]"
    half = len(earlier) // 2
    later = attack(folder, secrets={"TOKEN": "later-" + secrets.token_hex(16)}, memory=512,
                   inputs={"head": earlier[:half][::-1], "tail": earlier[half:][::-1]})
    assert later["status"] == "success", later["error"]
    assert later["outputFields"]["found"] == 0
    assert earlier not in json.dumps(later)


def _copies_in_memory(pid, needle):
    """How many times `needle` is in the readable memory of process `pid`."""
    found = 0
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb") as memory:
        for line in maps:
            fields = line.split()
            if not fields[1].startswith("r") or fields[-1] in ("[vvar]", "[vsyscall]", "[vvar_vclock]"):
                continue
            start, end = (int(n, 16) for n in fields[0].split("-"))
            try:
                memory.seek(start)
                found += memory.read(end - start).count(needle)
            except (OSError, OverflowError, ValueError):
                continue
    return found


def test_the_runtime_processes_hold_no_secret_once_the_run_is_over(run_action, make_action, sandbox_problem):
    """What every later run of the action forks from, read from outside: no copy of the secret."""
    if sandbox_problem:
        pytest.skip(f"runs get no sandbox here: {sandbox_problem}")
    token = "held-" + secrets.token_hex(16)
    assert run_action(make_action(SCAN_OWN_MEMORY, SCAN), secrets={"TOKEN": token}).ok
    runtime = [p for p in psutil.Process().children(recursive=True) if p.name().startswith("python")]
    assert runtime
    held = {}
    for process in runtime:
        try:
            held[process.pid] = _copies_in_memory(process.pid, token.encode())
        except (ProcessLookupError, FileNotFoundError):
            continue  # ended meanwhile
        except PermissionError as error:
            pytest.skip(f"this machine does not let a process read its children's memory: {error}")
    assert held and set(held.values()) == {0}, held
