"""A request's head (its request line and headers), read as http.server reads it, faster.

http.server hands the header lines to the email package's parser, which cost the portal more
than answering a simulation's calls. Here plain header lines ("Name: value", a name of the
characters the email parser takes for one) become the same HTTPMessage directly; a head with
anything else (a folded line, a line that is no header) still goes to the email parser, so
what a request's headers are is the same either way. ReadsHeadFast.parse_request is
BaseHTTPRequestHandler.parse_request (Python 3.11) with that one change.
"""
from __future__ import annotations

import email.parser
import http.client
import re
from http import HTTPStatus

MAX_LINE = 65536        # http.client's limits on a header line and on the number of lines
MAX_HEADERS = 100
# What the email parser reads as one header line: a name (printable ASCII but ":" and space),
# ":" and the value, on one line.
_PLAIN = re.compile(r"([\x21-\x39\x3b-\x7e]+):[ \t]*([^\r\n]*?)\r?\n")


def read_headers(rfile) -> http.client.HTTPMessage:
    """The headers of a request whose request line has been read from `rfile`; LineTooLong or
    HTTPException as http.client.parse_headers raises them."""
    lines = []
    while True:
        line = rfile.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise http.client.LineTooLong("header line")
        lines.append(line)
        if len(lines) > MAX_HEADERS:
            raise http.client.HTTPException(f"got more than {MAX_HEADERS} headers")
        if line in (b"\r\n", b"\n", b""):
            break
    found = [_PLAIN.fullmatch(line.decode("iso-8859-1")) for line in lines[:-1]]
    if not all(found) or lines[-1] == b"":
        text = b"".join(lines).decode("iso-8859-1")
        return email.parser.Parser(_class=http.client.HTTPMessage).parsestr(text)
    message = http.client.HTTPMessage()
    for match in found:   # as the email parser keeps them: leading blanks dropped, trailing kept
        message[match.group(1)] = match.group(2)
    return message


class ReadsHeadFast:
    """A BaseHTTPRequestHandler mixin: parse_request() with read_headers()."""

    def parse_request(self):
        self.command = None
        self.request_version = version = self.default_request_version
        self.close_connection = True
        requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        self.requestline = requestline
        words = requestline.split()
        if len(words) == 0:
            return False
        if len(words) >= 3:
            version = words[-1]
            try:
                if not version.startswith("HTTP/"):
                    raise ValueError
                base_version_number = version.split("/", 1)[1]
                version_number = base_version_number.split(".")
                if len(version_number) != 2:
                    raise ValueError
                if any(not component.isdigit() for component in version_number):
                    raise ValueError("non digit in http version")
                if any(len(component) > 10 for component in version_number):
                    raise ValueError("unreasonable length http version")
                version_number = int(version_number[0]), int(version_number[1])
            except (ValueError, IndexError):
                self.send_error(HTTPStatus.BAD_REQUEST, "Bad request version (%r)" % version)
                return False
            if version_number >= (1, 1) and self.protocol_version >= "HTTP/1.1":
                self.close_connection = False
            if version_number >= (2, 0):
                self.send_error(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED, "Invalid HTTP version (%s)" % base_version_number)
                return False
            self.request_version = version
        if not 2 <= len(words) <= 3:
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad request syntax (%r)" % requestline)
            return False
        command, path = words[:2]
        if len(words) == 2:
            self.close_connection = True
            if command != "GET":
                self.send_error(HTTPStatus.BAD_REQUEST, "Bad HTTP/0.9 request type (%r)" % command)
                return False
        self.command, self.path = command, path
        if self.path.startswith("//"):
            self.path = "/" + self.path.lstrip("/")
        try:
            self.headers = read_headers(self.rfile)
        except http.client.LineTooLong as err:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Line too long", str(err))
            return False
        except http.client.HTTPException as err:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many headers", str(err))
            return False
        conntype = self.headers.get("Connection", "")
        if conntype.lower() == "close":
            self.close_connection = True
        elif conntype.lower() == "keep-alive" and self.protocol_version >= "HTTP/1.1":
            self.close_connection = False
        expect = self.headers.get("Expect", "")
        if (expect.lower() == "100-continue" and self.protocol_version >= "HTTP/1.1"
                and self.request_version >= "HTTP/1.1"):
            if not self.handle_expect_100():
                return False
        return True
