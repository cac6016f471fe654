"""The portal over HTTP: a threaded server whose every request goes through `handle()`.

`handle()` is the whole request flow in one place: the route's scopes (for the log) ->
authenticate -> forced failures -> rate limit -> route -> scopes -> handler -> respond, with
every failure serialised by `exceptions.error_body` and every request logged.
"""
from __future__ import annotations

import json
import socket
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from hs_actions.portal import exceptions as exc
from hs_actions.portal import urls
from hs_actions.portal.models import now_ms
from hs_actions.portal.responses import Request, Response
from hs_actions.portal.routing import RUN_HEADER

BUG = "The local portal failed on this request (a bug in hs-actions, not in your action): {error}"


def handle(portal, method: str, target: str, headers, body: bytes, run: str | None = None) -> Response:
    """Answer one HTTP request as HubSpot would; log it on `portal`, with `run` (the run the
    connection belongs to) or else the run its X-HS-Actions-Run header names."""
    started = time.perf_counter()
    split = urlsplit(target)
    path, query = split.path, parse_qs(split.query, keep_blank_values=True)
    token, scopes, correlation_id = None, [], str(uuid.uuid4())
    rate_headers: dict = {}
    try:
        # The route and its scopes first, so that the log says what a refused call (a wrong
        # token, a 429) would have needed. Their failures (404, unknown object type) are
        # answered at their place in HubSpot's order, after authentication.
        unroutable = None
        try:
            route, params = urls.resolve(method, path)
            scopes = route.scopes(params, portal.backend.object_type)
        except exc.PortalError as error:
            unroutable = error
        token = _authenticate(portal.backend, headers.get("Authorization"))
        portal.failures.take(method, path, portal.limiter)
        route_search = path.endswith("/search")
        rate_headers = portal.limiter.admit(token.token, search=route_search)
        if unroutable is not None:
            raise unroutable
        missing = [s for s in scopes if s not in token.scopes]
        if missing:
            raise exc.MissingScopes(missing)
        response = route.handler(portal.backend, Request(method, path, params, query, body))
    except exc.PortalError as error:
        response = Response(error.status, exc.error_body(error, correlation_id), dict(error.headers))
    except Exception as error:  # a bug here must not look like HubSpot's answer, nor stop the server
        traceback.print_exc(file=sys.stderr)
        failure = exc.ServerError(500, BUG.format(error=f"{type(error).__name__}: {error}"))
        response = Response(500, exc.error_body(failure, correlation_id))
    response.headers = {**rate_headers, **response.headers, "X-HubSpot-Correlation-Id": correlation_id}
    category = None
    if response.status >= 400 and isinstance(response.body, dict):
        category = response.body.get("category") or response.body.get("errorType")
    portal.backend.log({
        "at": now_ms(), "method": method, "path": path, "query": split.query, "status": response.status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
        "scope": scopes[0] if scopes else None, "scopes": scopes, "run": headers.get(RUN_HEADER) if run is None else run,
        "token": token.name if token else None, "category": category,
    })
    return response


def _authenticate(backend, authorization: str | None):
    if not authorization or not authorization.lower().startswith("bearer "):
        raise exc.InvalidAuthentication(exc.MISSING_CREDENTIALS)
    token = backend.token(authorization[7:].strip())
    if token is None:
        raise exc.InvalidAuthentication(exc.MISSING_CREDENTIALS)
    if token.revoked_at is not None:
        days = (now_ms() - token.revoked_at) // 86_400_000
        raise exc.ExpiredAuthentication(exc.EXPIRED_TOKEN.format(days=days),
                                        context={"expire time": [_iso_seconds(token.revoked_at)]})
    return token


def _iso_seconds(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"         # keep-alive: the client's pool reuses connections
    server_version = "hs-actions-portal"

    def setup(self):
        super().setup()
        # One write per response and no Nagle delay: small JSON answers go out at once.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    run = None  # a function naming the run this connection belongs to (PortalServer.serve_connection)

    def _serve(self):
        body = self._read_body()
        response = handle(self.server.portal, self.command, self.path, self.headers, body,
                          self.run() if self.run else None)
        payload = b"" if response.body is None or self.command == "HEAD" else json.dumps(response.body).encode()
        lines = [f"HTTP/1.1 {response.status} {self.responses.get(response.status, ('',))[0]}"]
        if payload:
            lines.append("Content-Type: application/json;charset=utf-8")
        lines.append(f"Content-Length: {len(payload)}")
        lines.extend(f"{k}: {v}" for k, v in response.headers.items())
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def send_error(self, code, message=None, explain=None):
        """Failures http.server detects itself (bad request line, unknown method), as JSON."""
        message = message or self.responses.get(code, ("error",))[0]
        error = exc.ServerError(code, message) if code >= 500 else exc.ValidationError(message, status=code)
        payload = json.dumps(exc.error_body(error)).encode()
        self.close_connection = True
        self.wfile.write(f"HTTP/1.1 {code} {self.responses.get(code, ('',))[0]}\r\nContent-Type: "
                         f"application/json;charset=utf-8\r\nContent-Length: {len(payload)}\r\n"
                         f"Connection: close\r\n\r\n".encode() + payload)

    def log_message(self, format, *args):  # requests are logged by handle(), not on stderr
        pass


class _ConnectionHandler(_Handler):
    def __init__(self, conn, server, run):
        self.run = run
        super().__init__(conn, ("sandbox", 0), server)


class PortalServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, portal, host: str = "127.0.0.1", port: int = 0):
        super().__init__((host, port), _Handler)
        self.portal = portal
        self.host = host
        self.port = self.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self._thread: threading.Thread | None = None

    def start(self) -> "PortalServer":
        # A short poll interval: close() waits for the serving loop to notice, and a CLI run
        # closes its portal on the way out.
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02},
                                        name=f"portal:{self.port}", daemon=True)
        self._thread.start()
        return self

    def serve_connection(self, conn: socket.socket, run) -> None:
        """Serve one connection accepted elsewhere (a sandbox's channel to HubSpot's API) in
        a thread of its own; every request on it is logged with run(), whatever it says."""
        def serve():
            try:
                _ConnectionHandler(conn, self, run)
            except OSError:
                pass
            finally:
                conn.close()

        threading.Thread(target=serve, name=f"portal:{self.port}:sandbox", daemon=True).start()

    def close(self) -> None:
        """Stop serving and free the port; safe to call twice."""
        if self._thread is not None:
            self.shutdown()
            self._thread.join()
            self._thread = None
        self.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
