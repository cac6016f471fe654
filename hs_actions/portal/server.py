"""The portal over HTTP: a threaded server whose every request goes through `handle()`.

`handle()` is the whole request flow in one place: the route's scopes (for the log) -> a body
the server could not read (413, 400) -> authenticate -> forced failures -> rate limit -> route
(404, 405) -> scopes -> handler -> respond, with every failure serialised by
`exceptions.error_body` and every request logged.

A client's mistake is never a 5xx: a body over MAX_BODY_BYTES is a 413; a bad Content-Length,
bad chunking, or a body that stops arriving for `read_timeout` seconds is a 400 (and the
connection is closed, so no thread waits on it); any method on a served path that the path
does not serve is a 405 with an Allow header.
"""
from __future__ import annotations

import json
import queue
import selectors
import socket
import sqlite3
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from hs_actions.portal import exceptions as exc
from hs_actions.portal import urls
from hs_actions.portal.backend import store
from hs_actions.portal.models import now_ms
from hs_actions.portal.request_head import ReadsHeadFast
from hs_actions.portal.responses import Request, Response
from hs_actions.harness.inside.routing import RUN_HEADER

BUG = "The local portal failed on this request (a bug in hs-actions, not in your action): {error}"
# HubSpot publishes no request size limit. 10 MiB is far above what custom code sends (a batch
# of 100 records with every property), and low enough that a runaway body is refused at once.
MAX_BODY_BYTES = 10 * 1024 * 1024
READ_TIMEOUT = 30.0     # seconds a connection may stay silent in the middle of a request, or idle
IDLE_SECONDS = 5.0      # how long a thread that served a sandbox's connection waits for the next one
_LINE_MAX = 65_536


def handle(portal, method: str, target: str, headers, body: bytes | exc.PortalError,
           run: str | None = None) -> Response:
    """Answer one HTTP request as HubSpot would; log it on `portal`, with `run` (the run the
    connection belongs to) or else the run its X-HS-Actions-Run header names. `body` is the
    error the server answers instead when it could not read the body (too large, bad framing)."""
    started = time.perf_counter()
    run = headers.get(RUN_HEADER) if run is None else run
    split = urlsplit(target)
    path, query = split.path, parse_qs(split.query, keep_blank_values=True)
    token, scopes, correlation_id = None, [], str(uuid.uuid4())
    rate_headers: dict = {}
    unroutable = None
    try:
        portal.backend.refresh_registry()   # what another process on the same database added
        # The route and its scopes first, so that the log says what a refused call (a wrong
        # token, a 429) would have needed. Their failures (404, unknown object type) are
        # answered at their place in HubSpot's order, after authentication.
        try:
            route, params = urls.resolve(method, path)
            scopes = route.scopes(params, lambda name: urls.object_type(portal.backend, name))
        except exc.PortalError as error:
            unroutable = error
        if isinstance(body, exc.PortalError):
            raise body
        token = _authenticate(portal.backend, headers.get("Authorization"))
        portal.failures.take(method, path, portal.limiter)
        route_search = path.endswith("/search")
        rate_headers = portal.limiter.admit(token.token, search=route_search, run=run)
        if unroutable is not None:
            raise unroutable
        missing = route.missing(token.scopes, params, portal.backend.object_type)
        if missing:
            raise exc.MissingScopes(missing)
        response = route.handler(portal.backend, Request(method, path, params, query, body, headers.get("Content-Type")))
        response = _tampered(portal.failures.tamper(method, path), response)
    except exc.PortalError as error:
        if isinstance(error, exc.Unmodelled) or isinstance(unroutable, exc.Unmodelled):
            scopes = None   # unknown: the log and the run's report name the call as unmodelled
        response = Response(error.status, exc.error_body(error, correlation_id), dict(error.headers))
    except Exception as error:  # a bug here must not look like HubSpot's answer, nor stop the server
        if isinstance(error, sqlite3.OperationalError) and store.is_busy(error):
            # Another process held the database past the wait: a 503 naming it, not a bug.
            failure = exc.DatabaseBusy(portal.backend.db, store.BUSY_WAIT)
        else:
            traceback.print_exc(file=sys.stderr)
            failure = exc.ServerError(500, BUG.format(error=f"{type(error).__name__}: {error}"))
        response = Response(failure.status, exc.error_body(failure, correlation_id), dict(failure.headers))
    response.headers = {**rate_headers, **response.headers, "X-HubSpot-Correlation-Id": correlation_id}
    category = None
    if response.status >= 400 and isinstance(response.body, dict):
        category = response.body.get("category") or response.body.get("errorType")
    try:
        portal.backend.log({
            "at": now_ms(), "method": method, "path": path, "query": split.query, "status": response.status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            "scope": scopes[0] if scopes else None, "scopes": scopes,
            "run": run,
            "token": token.name if token else None, "category": category,
            "body": body if isinstance(body, bytes) else None,
        })
    except exc.DatabaseBusy as error:   # the answer is still given: only its log entry is lost, and said so
        print(f"hs-actions portal: {method} {path} answered {response.status} but not logged: {error.message}",
              file=sys.stderr)
    portal.after_request(method, path)
    return response


def _tampered(how: dict | None, response: Response) -> Response:
    """The answer of a call already served, as Portal.tamper asked: late, dropped (status 0:
    the connection is closed without an answer), or replaced."""
    if how is None:
        return response
    time.sleep(how["delay"])
    if how["drop"]:
        return Response(0)
    if how["body"] is not None:
        return Response(how["status"] or 200, how["body"])
    if how["status"] is not None and how["status"] >= 500:
        raise exc.ServerError(how["status"])
    if how["status"] is not None:
        return Response(how["status"], response.body, response.headers)
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


class _Handler(ReadsHeadFast, BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"         # keep-alive: the client's pool reuses connections
    server_version = "hs-actions-portal"

    def setup(self):
        super().setup()
        # One write per response and no Nagle delay: small JSON answers go out at once.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connection.settimeout(self.server.read_timeout)

    def __getattr__(self, name: str):
        # Every method reaches handle(), which answers a method a path does not serve with 405
        # (http.server itself would answer 501 to any method without a do_<METHOD>).
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    run = None  # a function naming the run this connection belongs to (PortalServer.serve_connection)

    def _serve(self):
        try:
            body = self._read_body()
        except exc.PortalError as error:
            self.close_connection = True    # where the next request starts is unknown
            body = error
        response = handle(self.server.portal, self.command, self.path, self.headers, body,
                          self.run() if self.run else None)
        if response.status == 0:            # Portal.tamper(drop=True): the answer is lost
            self.close_connection = True
            return
        body = response.body
        payload = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
        lines = [f"HTTP/1.1 {response.status} {self.responses.get(response.status, ('',))[0]}"]
        if payload and not isinstance(body, bytes):
            lines.append("Content-Type: application/json;charset=utf-8")
        lines.append(f"Content-Length: {len(payload)}")
        lines.extend(f"{k}: {v}" for k, v in response.headers.items())
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        try:
            self.wfile.write(head if self.command == "HEAD" else head + payload)
        except OSError:     # the client left before the answer
            self.close_connection = True

    def _read_body(self) -> bytes:
        """The whole body, as Content-Length or chunked framing delimits it. A body over
        MAX_BODY_BYTES is read to its end and dropped (so the client gets the 413 rather than a
        reset connection); PayloadTooLarge then, ValidationError (400) for framing the server
        cannot follow or a body that stops arriving (socket timeout) or ends early."""
        encodings = self.headers.get_all("Transfer-Encoding") or []
        lengths = self.headers.get_all("Content-Length") or []
        kept = bytearray()
        if encodings:
            if lengths or [e.strip().lower() for e in ",".join(encodings).split(",")] != ["chunked"]:
                raise exc.ValidationError(exc.BAD_TRANSFER_ENCODING.format(
                    value=", ".join(encodings), length=", ".join(lengths) or None))
            size = self._read_chunks(kept)
        else:
            values = {v.strip() for v in lengths}
            if len(values) > 1 or not all(v.isdigit() and v.isascii() for v in values):
                raise exc.ValidationError(exc.BAD_CONTENT_LENGTH.format(value=", ".join(lengths)))
            size = int(values.pop()) if values else 0
            self._read_exactly(size, kept, "Content-Length")
        if size > MAX_BODY_BYTES:
            raise exc.PayloadTooLarge(exc.BODY_TOO_LARGE.format(size=size, maximum=MAX_BODY_BYTES))
        return bytes(kept)

    def _read_exactly(self, length: int, kept: bytearray, source: str) -> None:
        """Read `length` bytes, keeping them in `kept` up to MAX_BODY_BYTES."""
        received = 0
        while received < length:
            try:
                piece = self.rfile.read1(min(length - received, 1 << 16))
            except TimeoutError:
                piece = b""
            if not piece:
                raise exc.ValidationError(exc.BODY_INCOMPLETE.format(received=received, length=length, source=source))
            received += len(piece)
            if len(kept) < MAX_BODY_BYTES:
                kept += piece[:MAX_BODY_BYTES - len(kept)]

    def _read_chunks(self, kept: bytearray) -> int:
        """Read a chunked body (RFC 9112 7.1) into `kept`; its size. Trailers are read and ignored."""
        size = 0
        while True:
            line = self._line()
            text = line.split(b";")[0].strip()
            if not text or len(text) > 16 or text.strip(b"0123456789abcdefABCDEF"):
                raise exc.ValidationError(exc.BAD_CHUNK.format(
                    detail=f"chunk size {line.strip()[:40].decode('latin-1')!r} is not hexadecimal"))
            chunk = int(text, 16)
            if chunk == 0:
                while self._line() not in (b"\r\n", b"\n"):
                    pass
                return size
            self._read_exactly(chunk, kept, "its chunk size")
            size += chunk
            if self._line() not in (b"\r\n", b"\n"):
                raise exc.ValidationError(exc.BAD_CHUNK.format(detail="a chunk is longer than its size says"))

    def _line(self) -> bytes:
        try:
            line = self.rfile.readline(_LINE_MAX)
        except TimeoutError:
            line = b""
        if not line.endswith(b"\n"):
            raise exc.ValidationError(exc.BAD_CHUNK.format(detail="the body ended before its last chunk"))
        return line

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

    def __init__(self, portal, host: str = "127.0.0.1", port: int = 0, read_timeout: float = READ_TIMEOUT):
        super().__init__((host, port), _Handler)
        self.portal = portal
        self.read_timeout = read_timeout
        self.host = host
        self.port = self.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self._thread: threading.Thread | None = None
        self._handed: queue.SimpleQueue = queue.SimpleQueue()   # connections for threads that wait
        self._idle = 0                                          # threads waiting for one
        self._idle_lock = threading.Lock()

    def start(self) -> "PortalServer":
        self._wake = socket.socketpair()
        self._thread = threading.Thread(target=self._serve_until_closed, name=f"portal:{self.port}", daemon=True)
        self._thread.start()
        return self

    def _serve_until_closed(self) -> None:
        """serve_forever's work, without its polling: that loop wakes every poll interval to see
        whether shutdown() was called (50 times a second for close() to be prompt), in every
        portal a pytest session or a `watch` keeps open. This one sleeps until a connection
        comes or close() writes to the wake socket."""
        wake = self._wake[0]
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(wake, selectors.EVENT_READ)
            while True:
                ready = selector.select()
                if any(key.fileobj is wake for key, _ in ready):
                    return
                self._handle_request_noblock()   # accept, then a thread serves it (ThreadingMixIn)

    def serve_connection(self, conn: socket.socket, run) -> None:
        """Serve one connection accepted elsewhere (a sandbox's channel to HubSpot's API) in
        a thread of its own; every request on it is logged with run(), whatever it says. A
        thread that served one before and waits for the next takes it, if there is one: runs
        open a connection or two each, one after the other, and starting a thread for each
        cost the toolkit more than serving its request."""
        with self._idle_lock:
            if self._idle:
                self._idle -= 1
                self._handed.put((conn, run))
                return
        threading.Thread(target=self._serve_connections, args=(conn, run), name=f"portal:{self.port}:sandbox",
                         daemon=True).start()

    @property
    def waiting(self) -> int:
        """How many threads wait for a sandbox's next connection."""
        return self._idle

    def _serve_connections(self, conn: socket.socket, run) -> None:
        """Serve `conn`, then each connection handed over, until none comes for IDLE_SECONDS
        (or the server closes)."""
        while True:
            try:
                _ConnectionHandler(conn, self, run)
            except OSError:
                pass
            finally:
                conn.close()
            with self._idle_lock:
                self._idle += 1
            try:
                handed = self._handed.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._idle_lock:   # one may have been handed over as the wait ended
                    try:
                        handed = self._handed.get_nowait()
                    except queue.Empty:
                        self._idle -= 1
                        return
            if handed is None:          # close(): the server is done
                return
            conn, run = handed

    def close(self) -> None:
        """Stop serving and free the port; safe to call twice."""
        if self._thread is not None:
            self._wake[1].send(b"x")
            self._thread.join()
            self._thread = None
            for end in self._wake:
                end.close()
        with self._idle_lock:   # threads waiting for a sandbox's next connection end now
            for _ in range(self._idle):
                self._handed.put(None)
            self._idle = 0
        self.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
