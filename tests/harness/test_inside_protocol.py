"""inside/protocol.py: what each side accepts from the other, and the words it fails a run with
when a message is not one of ours."""
import pytest

from hs_actions.harness.inside import protocol

RAISED = {"type": "ValueError", "module": "builtins", "message": "no", "traceback": "Traceback...\n",
          "http_status": None, "exit_code": None, "memory": False, "file": None, "refused": None}
ANSWER = {"imported": ["json"], "refused": [], "threads": 0}


@pytest.mark.parametrize("reply, problem", [
    ({"returned": {"outputFields": {}}, **ANSWER}, None),
    ({"raised": RAISED, **ANSWER}, None),
    ({"raised": dict(RAISED, http_status=429, traceback=None, refused="example.com"), **ANSWER}, None),
    (ANSWER, "an answer with neither a return value nor an exception"),
    ({"returned": 1, "raised": RAISED, **ANSWER}, "an answer with neither a return value nor an exception"),
    ({"returned": 1, "refused": []}, "an answer without the list of modules imported"),
    ({"returned": 1, "imported": [1], "refused": []}, "an answer without the list of modules imported"),
    ({"returned": 1, "imported": [], "refused": "x"}, "an answer without the list of hosts refused"),
    ({"returned": 1, "imported": [], "refused": []}, "an answer without the count of threads left running"),
    ({"returned": 1, "imported": [], "refused": [], "threads": "2"}, "an answer without the count of threads left running"),
    ({"raised": "boom", **ANSWER}, "an exception that is not described"),
    ({"raised": dict(RAISED, http_status=True), **ANSWER}, "an exception whose http_status is missing or of the wrong type"),
    ({"raised": {k: v for k, v in RAISED.items() if k != "memory"}, **ANSWER},
     "an exception whose memory is missing or of the wrong type"),
])
def test_the_action_processs_answer(reply, problem):
    assert protocol.action_answer_problem(reply) == problem


@pytest.mark.parametrize("message, fds, problem", [
    ({"ready": {"sandbox": "namespaces", "reason": None, "channels": ["127.0.0.1:1", "127.0.0.1:2"]}}, [5, 6], None),
    ({"ready": {"sandbox": "none", "reason": "turned off", "channels": []}}, [], None),
    ({"ready": {"sandbox": "namespaces", "channels": []}}, [], "its first message was not the one expected"),
    ({"ready": {"sandbox": "none", "channels": ["a"]}}, [], "its first message was not the one expected"),
    ({"ready": {"sandbox": "chroot", "channels": []}}, [], "its first message was not the one expected"),
    ({"ready": {"sandbox": "none"}}, [], "its first message was not the one expected"),
    ({"ok": True}, [], "its first message was not the one expected"),
])
def test_the_supervisors_first_message(message, fds, problem):
    assert protocol.ready_problem(message, fds) == problem


@pytest.mark.parametrize("message, expected, problem", [
    ({"ok": True}, "ok", None),
    ({"forked": 12}, "forked", None),
    ({"ended": {"exit": None}}, "ended", None),
    ({"forked": 0}, "forked", "it answered ['forked'] where forked was due"),
    ({"forked": True}, "forked", "it answered ['forked'] where forked was due"),
    ({"ok": 1, "x": 2, "y": 3, "z": 4}, "ok", "it answered ['ok', 'x', 'y'] where ok was due"),
])
def test_the_supervisors_answers(message, expected, problem):
    assert protocol.answer_problem(message, expected) == problem


# The action process's answer itself never reaches the supervisor: it only hears that it was sent.
OUTCOME = {"kind": "answer", "duration_ms": 3.5, "memory_kb": {"peak": 20000, "file": 9000}}


@pytest.mark.parametrize("message, problem", [
    ({"outcome": OUTCOME, "leftover": [[7, "sleep 10"]]}, None),
    ({"outcome": {"kind": "died", "duration_ms": 1, "exit": {"signal": 9}}, "leftover": []}, None),
    ({"outcome": OUTCOME}, "its answer to the run was not an outcome"),
    ({"outcome": dict(OUTCOME, kind="memory"), "leftover": []}, "it reported a run that ended as 'memory'"),
    ({"outcome": dict(OUTCOME, kind="returned"), "leftover": []}, "it reported a run that ended as 'returned'"),
    ({"outcome": dict(OUTCOME, duration_ms="3"), "leftover": []}, "it reported no duration"),
    ({"outcome": dict(OUTCOME, memory_kb={"peak": 1}), "leftover": []}, "it reported memory in a shape not its own"),
    ({"outcome": OUTCOME, "leftover": [["7", "sleep"]]}, "it listed left processes in a shape not its own"),
])
def test_the_supervisors_answer_to_a_run(message, problem):
    assert protocol.outcome_problem(message) == problem


def test_the_egress_channels_lines():
    assert protocol.egress_request("example.com", 443) == b"example.com 443\n"
    assert protocol.egress_refused(protocol.EGRESS_OK) is None
    refusal = protocol.REFUSAL.format(host="example.com")
    assert protocol.egress_refused(protocol.egress_error(111, refusal)) == (111, refusal)
    assert protocol.egress_refused(b"") == (111, "the egress channel closed")
