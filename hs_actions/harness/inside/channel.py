"""Length-prefixed JSON messages over a Unix stream socket, with descriptors attached.

The one way the toolkit, the supervisor and the action process talk (what they say is in
protocol.py). File descriptors and, where the kernel translates them between pid namespaces,
process ids ride along as ancillary data.
"""
import array
import json
import os
import select
import socket
import struct
import time

_HEADER = struct.Struct("!I")
_CREDENTIALS = struct.Struct("3i")
_SCM_CREDENTIALS = getattr(socket, "SCM_CREDENTIALS", None)   # Linux's; elsewhere no process ids ride along
MAX_MESSAGE = 64 << 20     # a result, outputs and traceback included; more is not one of ours
MAX_FDS = 4


class ChannelError(Exception):
    """The peer sent what is not a message of ours: too large, not JSON, not an object."""


class Channel:
    """Length-prefixed JSON messages over a Unix stream socket, with optional fds attached.

    Each side sends its next message only after the answer to its last one, so a read never
    holds two messages and the fds that arrive belong to the message being read. With
    SO_PASSCRED set on the socket, `sender` is the process id the kernel attached to the
    last message read, in this process's own pid namespace.
    """

    def __init__(self, sock, limit=MAX_MESSAGE):
        self.sock = sock
        self.limit = limit
        self.sender = None
        self._buffer = b""
        self._fds = []

    def send(self, message, fds=(), pid=None):
        """Send `message` with `fds`; `pid`, when given, as the credentials the receiver sees
        (another process's id needs CAP_SYS_ADMIN over this pid namespace)."""
        frame = framed(message)
        ancillary = []
        if fds:
            ancillary.append((socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds)))
        if pid is not None:
            ancillary.append((socket.SOL_SOCKET, _SCM_CREDENTIALS, _CREDENTIALS.pack(pid, os.getuid(), os.getgid())))
        if ancillary:
            sent = self.sock.sendmsg([frame], ancillary)
            frame = frame[sent:]
        if frame:
            self.sock.sendall(frame)

    def recv(self, deadline=None, gone=None):
        """The next message and the fds sent with it; (None, []) when the peer has gone, or
        when `gone` (a pidfd of the peer's process) says it has ended: a process it started
        may still hold the socket open.

        Raises ChannelError for a frame that is not a message of ours, and TimeoutError when
        time.monotonic() passes `deadline` (None: wait as long as it takes) before the whole
        message has arrived."""
        while True:
            end = _frame_end(self._buffer, self.limit)
            if end is not None:
                data, self._buffer = self._buffer[_HEADER.size:end], self._buffer[end:]
                fds, self._fds = self._fds, []
                try:
                    return _message(data), fds
                except ChannelError:
                    close_all(fds)
                    raise
            if deadline is not None or gone is not None:
                remaining = None if deadline is None else deadline - time.monotonic()
                ready = select.select([self.sock, *([gone] if gone is not None else [])], [], [],
                                      remaining)[0] if remaining is None or remaining > 0 else []
                if not ready:
                    raise TimeoutError("no complete message before the deadline")
                if self.sock not in ready:
                    return None, []
            try:
                chunk, ancillary, _flags, _addr = self.sock.recvmsg(
                    1 << 16, socket.CMSG_SPACE(MAX_FDS * 4) + socket.CMSG_SPACE(_CREDENTIALS.size))
            except (ConnectionResetError, OSError):
                chunk, ancillary = b"", []
            fds = []
            for level, kind, data in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds.extend(array.array("i", data[:len(data) - len(data) % 4]))
                elif level == socket.SOL_SOCKET and kind == _SCM_CREDENTIALS:
                    self.sender = _CREDENTIALS.unpack_from(data)[0]
            if not chunk:
                close_all(fds + self._fds)
                self._fds = []
                return None, []
            self._buffer += chunk
            self._fds.extend(fds)

    def pending(self):
        """Whether more has arrived than has been read."""
        return bool(self._buffer) or bool(select.select([self.sock], [], [], 0)[0])

    def fileno(self):
        return self.sock.fileno()

    def close(self):
        close_all(self._fds)
        self._fds = []
        self.sock.close()


def framed(message):
    """`message` as one frame: its length, then its JSON."""
    data = json.dumps(message).encode()
    return _HEADER.pack(len(data)) + data


def unframed(data, limit=MAX_MESSAGE):
    """The message of the frame at the start of `data`, or None while it is incomplete.
    Raises ChannelError for a frame that is not a message of ours."""
    end = _frame_end(data, limit)
    return None if end is None else _message(data[_HEADER.size:end])


def _frame_end(data, limit):
    """Where the frame at the start of `data` ends, or None while it is incomplete."""
    if len(data) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack_from(data)
    if size > limit:
        raise ChannelError("a message of {:,} bytes was announced; at most {:,} are read".format(size, limit))
    return _HEADER.size + size if len(data) >= _HEADER.size + size else None


def _message(data):
    """The JSON object `data` holds; ChannelError for anything else."""
    try:
        message = json.loads(bytes(data))
    except ValueError as error:
        raise ChannelError("not JSON ({})".format(error)) from None
    if not isinstance(message, dict):
        raise ChannelError("JSON, but not an object")
    return message


def write_pipe(fd, message):
    """Write `message` as one frame to the pipe `fd`, and close it; False when the reader
    has gone."""
    try:
        with open(fd, "wb", closefd=True) as pipe:
            pipe.write(framed(message))
        return True
    except OSError:
        return False


def read_pipe(fd, limit=MAX_MESSAGE):
    """The JSON object written to the pipe `fd` (closed here), read to its end: at most
    `limit` bytes. Raises ChannelError for anything else."""
    data = bytearray()
    try:
        while len(data) <= limit:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            data += chunk
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ChannelError("more than {:,} bytes were written to the run's request pipe".format(limit))
    return _message(data)


def close_all(fds):
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass
