"""The toolkit's side of a sandbox's two channels: the only way out of the sandbox.

A run in a sandbox has no network but its own loopback, where the supervisor opened two
listening sockets and handed them over; the toolkit alone accepts on them. Through one the
local portal serves HubSpot's API, tagging each request with the run the socket belongs to
(no header the action could forge); through the other the toolkit connects to the hosts the
run allows, and to nothing else (protocol.py's egress lines).
"""
from __future__ import annotations

import os
import select
import socket
import threading

from hs_actions.harness.inside import protocol


class Gateway:
    """The toolkit's side of a sandbox's two channels, sockets on its loopback.

    "api": each connection is served by the local portal as HubSpot's API, every request on
    it logged with the run being served (whatever the request's headers say). "egress": each
    connection names one destination on its first line; the toolkit connects to it from the
    host if the run allows that host, answers OK or the error, then carries the bytes.
    """

    def __init__(self, listeners: list[socket.socket], addresses: list[str]):
        self.api_listener, self.egress_listener = listeners
        self.addresses = addresses
        self.tag = ""
        self.allow: list[str] = []
        self.api = None
        self.refused: set[str] = set()
        self._wake_read, self._wake_write = os.pipe()
        self._closed = False
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []    # the run's, ended with it
        self._late = 0
        self.late_calls = 0
        self._running = False
        self._thread = threading.Thread(target=self._accept, name="hs-actions-gateway", daemon=True)
        self._thread.start()

    def open(self, request: dict, api) -> dict:
        """Serve `request`'s run; its network settings, as seen from inside the sandbox."""
        network = request.get("network", {})
        self.tag = request["event"]["callbackId"]
        self.allow = [a for a in network.get("allow", []) if a not in network.get("routes", {}).values()]
        self.api = api
        self._running = True
        self.refused = set()
        # Calls refused since the last run ended: this run's report counts them.
        self.late_calls, self._late = self._late, 0
        api_address, egress_address = self.addresses
        return {
            "allow": [*self.allow, *self.addresses],
            "routes": {host: api_address for host in network.get("routes", {})},
            "egress": egress_address,
            "channels": list(self.addresses),
        }

    def close_run(self) -> None:
        """End the run's connections, API and egress: a thread or process the run left (a warm
        action process keeps its threads) reaches nothing once the run is over, and a new
        connection is refused and counted (late_calls, in the next run's report)."""
        self.api = None
        self._running = False
        with self._lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:  # closed already
                pass

    def _accept(self) -> None:
        listeners = [self.api_listener, self.egress_listener]
        while True:
            ready, _, _ = select.select([*listeners, self._wake_read], [], [])
            if self._wake_read in ready:
                return
            for listener in ready:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                api = self.api
                if not self._running:  # between runs: whatever connects now was left by a run
                    self._late += 1
                    conn.close()
                    continue
                with self._lock:
                    self._connections.append(conn)
                if listener is self.api_listener:
                    if api is None:
                        conn.close()
                        continue
                    tag = self.tag
                    api(conn, lambda: tag)
                else:
                    threading.Thread(target=self._egress, args=(conn, list(self.allow)), daemon=True).start()

    def _egress(self, conn: socket.socket, allow: list[str]) -> None:
        with conn:
            conn.settimeout(10)
            line = b""
            try:
                while not line.endswith(b"\n") and len(line) < 300:
                    chunk = conn.recv(1)
                    if not chunk:
                        return
                    line += chunk
                host, _, port = line.decode("ascii").strip().rpartition(" ")
                port_number = int(port)
            except (OSError, ValueError, UnicodeDecodeError):
                return
            if not ("*" in allow or host in allow or f"{host}:{port_number}" in allow):
                self.refused.add(host)
                conn.sendall(protocol.egress_error(111, protocol.REFUSAL.format(host=host)))
                return
            try:
                upstream = socket.create_connection((host, port_number), timeout=10)
            except OSError as error:
                conn.sendall(protocol.egress_error(error.errno or 111, error.strerror or error))
                return
            with upstream:
                conn.sendall(protocol.EGRESS_OK)
                _relay(conn, upstream)

    def close(self) -> None:
        """Stop accepting and close the listeners; a second call does nothing (a zygote that
        is killed, then closed, closes its gateway once)."""
        if self._closed:
            return
        self._closed = True
        os.write(self._wake_write, b"x")
        self._thread.join()
        for fd in (self._wake_read, self._wake_write):
            os.close(fd)
        self.api_listener.close()
        self.egress_listener.close()


def _relay(one: socket.socket, other: socket.socket) -> None:
    """Carry bytes both ways until both sides have finished sending."""
    one.settimeout(None)
    other.settimeout(None)
    open_ends = {one: other, other: one}
    while open_ends:
        ready, _, _ = select.select(list(open_ends), [], [])
        for sock in ready:
            try:
                data = sock.recv(1 << 16)
            except OSError:
                data = b""
            if data:
                try:
                    open_ends[sock].sendall(data)
                    continue
                except OSError:
                    pass
            try:
                open_ends[sock].shutdown(socket.SHUT_WR)
            except OSError:
                pass
            del open_ends[sock]
