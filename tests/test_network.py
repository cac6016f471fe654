"""Connections the run does not allow are refused, naming the host."""
OUT = 'object_type = "CONTACT"\n[outputs]\nerror = "string"\n'
CONNECT = """
import socket

def main(event):
    try:
        socket.create_connection(("example.com", 443), timeout=2)
    except ConnectionRefusedError as e:
        return {"outputFields": {"error": str(e)}}
    return {"outputFields": {"error": "connected"}}
"""


def test_other_hosts_are_refused_by_name(run_action, make_action):
    result = run_action(make_action(CONNECT, OUT))
    assert result.ok, result.error
    assert result.outputs["error"].startswith("hs-actions: this run may not connect to example.com.")
    assert "(--allow-host example.com)" in result.outputs["error"]


def test_requests_to_an_unknown_host_fail_inside_the_action(run_action, make_action):
    code = "import requests\ndef main(event):\n    requests.get('https://example.org/x', timeout=2)\n"
    result = run_action(make_action(code))
    assert result.status == "error"
    assert result.error.type == "ConnectionError"
    assert "this run may not connect to example.org" in result.error.message


def test_allowed_hosts_get_through_the_guard(run_action, make_action):
    # Allowed, so the guard lets it pass; nothing listens on that port, so the OS refuses.
    code = ("import socket\ndef main(event):\n    try:\n        socket.create_connection(('127.0.0.1', 9), timeout=2)\n"
            "    except OSError as e:\n        return {'outputFields': {'error': str(e)}}\n")
    refused = run_action(make_action(code, OUT))
    allowed = run_action(make_action(code, OUT), allow_hosts=("127.0.0.1",))
    assert "this run may not connect to 127.0.0.1" in refused.outputs["error"]
    assert allowed.outputs["error"] == "[Errno 111] Connection refused"


def test_a_refused_host_is_named_even_when_the_action_catches_the_error(run_action, make_action):
    result = run_action(make_action(CONNECT, OUT))
    assert result.ok
    assert any(w.startswith("the action tried to connect to example.com, which a local run refuses") for w in result.warnings)
