"""The network a run may reach: HubSpot's API through the local portal, other hosts only when
allowed.

Without a sandbox the guard here is the whole of it; in a sandbox the kernel gives the action no
route out but the sandbox's channels, the guard says early, by name, what could not pass, and
the tunnel carries connections to allowed hosts through the egress channel.
"""
import socket
import sys

from . import protocol

_guard_installed = False


def allowed(network, host, port):
    """network["allow"] holds hosts ("example.com", any port) and addresses ("127.0.0.1:8080",
    that port only: the local portal, a sandbox's channels), or "*"."""
    allow = network.get("allow", ())
    return "*" in allow or host in allow or "{}:{}".format(host, port) in allow


def install_guard(worker):
    """Refuse connections the run does not allow, naming the host (audit hooks cannot be undone).

    Connections, datagrams (sendto, sendmsg) and name lookups are checked. This is the whole
    guard where there is no sandbox; in a sandbox the kernel gives the action no route out but
    the sandbox's channels, and the guard only says early, by name, what could not pass. There
    too, allowed hosts are reached through the sandbox's egress channel (_install_tunnel).
    """
    global _guard_installed
    if worker.network.get("egress"):
        _install_tunnel(worker)
    if _guard_installed:
        return
    _guard_installed = True

    def refuse(host):
        worker.refused.add(str(host))
        error = ConnectionRefusedError(protocol.REFUSAL.format(host=host))
        error.hs_actions_refused = str(host)  # for the report's one line, however it is wrapped
        raise error

    def hook(event, args):
        if event == "socket.getaddrinfo":
            host = args[0].decode() if isinstance(args[0], bytes) else args[0]
            if host and not allowed(worker.network, host, args[1]):
                refuse(host)
        elif event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            address = args[1]
            if address is None:  # sendmsg on a connected socket: its connect was checked
                return
            if isinstance(address, tuple):
                if not allowed(worker.network, address[0], address[1]):
                    refuse(address[0])
            elif not allowed(worker.network, address, None):
                refuse(address)

    sys.addaudithook(hook)


def refused_host(error):
    """The host the guard refused, when that refusal is what `error` comes from (requests and
    urllib3 wrap it two or three times over)."""
    seen = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        if getattr(current, "hs_actions_refused", None):
            return current.hs_actions_refused
        pending += [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
    return None


_tunnel_installed = False


def _install_tunnel(worker):
    """In a sandbox, connections to --allow-host hosts go out through the egress channel: a
    socket on the sandbox's loopback whose other end the toolkit holds. connect() sends the
    destination as one line, the toolkit checks it against the run's allow list (the action
    cannot widen it), connects from the host and answers OK or the error; from then on the
    action's own TCP socket carries the bytes. Names of allowed hosts resolve to themselves,
    for connect() to pass on: the sandbox has no DNS."""
    global _tunnel_installed
    if _tunnel_installed:
        return
    _tunnel_installed = True
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def tunneled(host, port):
        network = worker.network
        if not network.get("egress") or not isinstance(host, str):
            return False
        if "{}:{}".format(host, port) in network.get("channels", ()):
            return False
        return allowed(network, host, port)

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name and not _is_address(name) and tunneled(name, _port_number(port)):
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (name, _port_number(port)))]
        return real_getaddrinfo(host, port, family, type, proto, flags)

    def through_egress(sock, host, port):
        egress_host, _, egress_port = worker.network["egress"].rpartition(":")
        timeout = sock.gettimeout()
        real_connect(sock, (egress_host, int(egress_port)))
        sock.settimeout(timeout or 30.0)
        try:
            sock.sendall(protocol.egress_request(host, port))
            answer = b""
            while not answer.endswith(b"\n") and len(answer) < 512:
                chunk = sock.recv(1)
                if not chunk:
                    break
                answer += chunk
        finally:
            sock.settimeout(timeout)
        refused = protocol.egress_refused(answer)
        if refused:
            raise OSError(*refused)

    def connect(self, address):
        if self.family == socket.AF_INET and self.type == socket.SOCK_STREAM and isinstance(address, tuple) \
                and tunneled(address[0], address[1]):
            return through_egress(self, address[0], address[1])
        return real_connect(self, address)

    def connect_ex(self, address):
        if self.family == socket.AF_INET and self.type == socket.SOCK_STREAM and isinstance(address, tuple) \
                and tunneled(address[0], address[1]):
            try:
                through_egress(self, address[0], address[1])
            except OSError as error:
                return error.errno or 111
            return 0
        return real_connect_ex(self, address)

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo


def _port_number(port):
    if isinstance(port, bytes):
        port = port.decode()
    if isinstance(port, str) and not port.isdigit():
        return socket.getservbyname(port, "tcp")
    return int(port or 0)


def _is_address(host):
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
            return True
        except OSError:
            pass
    return False
