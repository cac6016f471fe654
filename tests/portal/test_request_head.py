"""A request's headers read by the portal's own reader are what http.client (the email
parser) reads, plain and odd heads alike; its limits are http.client's; and a real request
through the server is answered with them."""
import http.client
import io
import socket

import pytest

from hs_actions.portal.request_head import MAX_HEADERS, MAX_LINE, read_headers
from tests.support import TOKEN

HEADS = [
    b"Host: x\r\nAuthorization: Bearer t\r\nContent-Length: 2\r\n\r\n",
    b"Host: x\nAccept: */*\n\n",                                   # bare newlines
    b"X-Spaces:   padded value  \r\nX-Empty:\r\nX-Tab:\tv\r\n\r\n",  # blanks: leading dropped, trailing kept
    b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n",              # repeated: both kept, in order
    b"X-Latin: caf\xe9\r\n\r\n",                                     # a byte over 127
    b"X-Folded: a\r\n  b\r\nX-Next: c\r\n\r\n",                     # a folded line
    b"Bad Header: x\r\nX-After: y\r\n\r\n",                          # a name with a space ends the headers
    b":no-name\r\nX-After: y\r\n\r\n",
    b"X-Cr: a\rb\r\n\r\n",                                           # a lone carriage return
    b"From someone\r\nX-After: y\r\n\r\n",
    b"X-Colon: a:b: c\r\n\r\n",
    b"Host: x\r\n",                                                  # the connection ended in the head
    b"\r\n",
]


def as_pairs(message) -> list[tuple[str, str]]:
    return list(message.items())


@pytest.mark.parametrize("head", HEADS)
def test_headers_are_what_http_client_reads(head):
    expected = http.client.parse_headers(io.BytesIO(head + b"body"))
    found = read_headers(io.BytesIO(head + b"body"))
    assert type(found) is http.client.HTTPMessage
    assert as_pairs(found) == as_pairs(expected)
    assert found.get_all("Content-Length") == expected.get_all("Content-Length")


def test_a_line_too_long_and_too_many_headers_are_refused_as_http_client_refuses_them():
    with pytest.raises(http.client.LineTooLong):
        read_headers(io.BytesIO(b"X: " + b"a" * MAX_LINE + b"\r\n\r\n"))
    with pytest.raises(http.client.HTTPException, match=f"got more than {MAX_HEADERS} headers"):
        read_headers(io.BytesIO(b"X: a\r\n" * (MAX_HEADERS + 1) + b"\r\n"))


def test_a_request_with_a_folded_header_is_answered(empty_portal):
    # The odd head takes the email parser's way, and the request is served as before.
    with socket.create_connection((empty_portal.server.host, empty_portal.server.port), timeout=10) as sock:
        sock.sendall(f"GET /crm/v3/owners HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\nAuthorization: Bearer {TOKEN}\r\n"
                     "Connection: close\r\n\r\n".encode())
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
