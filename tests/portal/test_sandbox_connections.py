"""The portal's serving threads. Connections a sandbox's channel hands the portal
(serve_connection): each is served in a thread of its own, a thread that served one takes the
next rather than a new thread being started for each, connections open at once are served at
once, and close() ends the threads that wait. The thread that accepts connections on the port
sleeps until one comes (a pytest session or a `watch` keeps portals open for long), and close()
ends it and frees the port."""
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from hs_actions.portal.portal import Portal

REQUEST = b"GET /crm/v3/owners HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sandbox-token\r\n\r\n"


@pytest.fixture
def served():
    portal = Portal(db=":memory:")
    portal.add_token("sandbox-token")
    portal.serve()
    yield portal
    portal.close()


def threads_serving(port: int) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"portal:{port}:sandbox" and t.is_alive()]


def connect(portal, run: str) -> socket.socket:
    """A TCP connection (as a sandbox's channel is) whose far end the portal serves for `run`."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        ours = socket.create_connection(listener.getsockname())
        theirs, _ = listener.accept()
    portal.server.serve_connection(theirs, lambda: run)
    return ours


def answer(sock: socket.socket) -> bytes:
    sock.settimeout(10)
    sock.sendall(REQUEST)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    while len(body) < length:
        body += sock.recv(65536)
    return head.split(b"\r\n")[0]


def wait_for(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def test_connections_one_after_another_are_served_by_one_thread(served):
    seen = []
    for n in range(5):
        sock = connect(served, f"run-{n}")
        assert answer(sock) == b"HTTP/1.1 200 OK"
        sock.close()
        assert wait_for(lambda: served.server.waiting == 1)   # the thread waits for the next one
        seen += threads_serving(served.server.port)
    assert len(seen) == 5 and all(thread is seen[0] for thread in seen)
    assert [r["run"] for r in served.requests()] == [f"run-{n}" for n in range(5)]


def test_connections_open_at_once_are_served_at_once(served):
    # The first stays open (a client's pool keeps it) while the second is used: no waiting on it.
    first = connect(served, "run-a")
    assert answer(first) == b"HTTP/1.1 200 OK"
    second = connect(served, "run-b")
    assert answer(second) == b"HTTP/1.1 200 OK"
    assert len(threads_serving(served.server.port)) == 2
    first.close()
    second.close()
    assert [r["run"] for r in served.requests()] == ["run-a", "run-b"]


def test_close_ends_the_threads_that_wait(served):
    sock = connect(served, "run-1")
    answer(sock)
    sock.close()
    assert wait_for(lambda: served.server.waiting == 1)
    port = served.server.port
    served.close()
    assert wait_for(lambda: threads_serving(port) == [], seconds=2.0)


def serving_thread(port: int) -> threading.Thread:
    return next(t for t in threading.enumerate() if t.name == f"portal:{port}")


def wake_ups(thread: threading.Thread) -> int:
    """How many times `thread` has waited (its voluntary context switches)."""
    status = Path(f"/proc/self/task/{thread.native_id}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("voluntary_ctxt_switches")))


def owners(url: str) -> int:
    request = urllib.request.Request(f"{url}/crm/v3/owners", headers={"Authorization": "Bearer sandbox-token"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts the thread's waits in /proc (Linux)")
def test_the_accepting_thread_sleeps_until_a_connection_comes(served):
    thread = serving_thread(served.server.port)
    before = wake_ups(thread)
    time.sleep(0.5)
    assert wake_ups(thread) - before <= 1   # serve_forever's loop woke 25 times in this half second
    assert owners(served.server.url) == 200


def test_close_ends_the_accepting_thread_and_frees_the_port(served):
    assert owners(served.server.url) == 200
    thread, port = serving_thread(served.server.port), served.server.port
    served.close()
    assert not thread.is_alive()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    served.close()   # a second close is harmless
