"""The toolkit's only code inside the runtime interpreter (HubSpot's Python 3.9).

Standard library only, Python 3.9 syntax: it runs where the action runs. One role on the
command line, three processes:

    python -I child.py zygote FD CONFIG

(or main(["zygote", FD, CONFIG]) once loaded as a module, which lets Python keep its bytecode)
starts the process that serves one action's runs over the socket FD. On Linux, unless the
sandbox is turned off, it builds the sandbox (sandbox/namespaces.py: user, mount, network and
pid namespaces, a read-only root) and forks its pid 1, the *supervisor*; where the kernel
refuses, it is the supervisor itself, with no sandbox, and says why.

The supervisor imports the libraries actions use (never an action), so that a hundred runs do
not pay a hundred interpreter start-ups, and forks one *action process* per run (kept between
warm runs, as a reused HubSpot container keeps its module). It hands the run over, keeps its
own clock, reads the answer with a size cap, a schema check and a deadline, and ends whatever
the run left. The action process has no capabilities and holds no descriptor of the
toolkit's but its own channel to the supervisor; the supervisor alone talks to the toolkit.

Messages are length-prefixed JSON; file descriptors and (where the kernel translates them
between pid namespaces) process ids ride along as ancillary data.
"""
import array
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import io
import json
import os
import resource
import select
import signal
import socket
import struct
import sys
import time
import traceback

_HEADER = struct.Struct("!I")
_CREDENTIALS = struct.Struct("3i")
_SCM_CREDENTIALS = getattr(socket, "SCM_CREDENTIALS", None)   # Linux's; elsewhere no process ids ride along
MAX_MESSAGE = 64 << 20     # a result, outputs and traceback included; more is not one of ours
MAX_FDS = 4
# Modules that act when imported: preloading them in a zygote would hide that from the run.
_NEVER_PRELOAD = {"this", "antigravity", "__hello__", "__phello__", "__main__"}


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
        data = json.dumps(message).encode()
        frame = _HEADER.pack(len(data)) + data
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
            if len(self._buffer) >= _HEADER.size:
                (size,) = _HEADER.unpack_from(self._buffer)
                if size > self.limit:
                    raise ChannelError("a message of {:,} bytes was announced; at most {:,} are read".format(
                        size, self.limit))
                if len(self._buffer) >= _HEADER.size + size:
                    data = self._buffer[_HEADER.size:_HEADER.size + size]
                    self._buffer = self._buffer[_HEADER.size + size:]
                    fds, self._fds = self._fds, []
                    try:
                        message = json.loads(data)
                    except ValueError as error:
                        close_all(fds)
                        raise ChannelError("not JSON ({})".format(error)) from None
                    if not isinstance(message, dict):
                        close_all(fds)
                        raise ChannelError("JSON, but not an object")
                    return message, fds
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


def close_all(fds):
    for fd in fds:
        try:
            os.close(fd)
        except OSError:
            pass


# ---- the action process: one action, one or more runs -----------------------------------


class _Worker:
    def __init__(self, channel):
        self.channel = channel
        self.module = None          # kept between runs only when warm
        self.base_path = [os.path.abspath(p) for p in sys.path if p]
        self.network = {}
        self.refused = set()

    def serve(self):
        while True:
            request, fds = self.channel.recv()
            if request is None or request.get("op") not in ("run", "preload"):
                return
            if request["op"] == "preload":  # before its first run: a spawned run's libraries
                _preload(request["modules"])
                _warm_metadata(request.get("distributions", []))
                self.channel.send({"ok": True})
                continue
            self.channel.send(self.run(request, fds[0]))

    def run(self, request, log_fd):
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        os.close(log_fd)
        # Unbuffered, like `python -u`: stdout and stderr interleave in the order written.
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8",
                                      errors="backslashreplace", write_through=True)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8",
                                      errors="backslashreplace", write_through=True)
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        try:
            os.makedirs(request["cwd"], exist_ok=True)  # in a sandbox: in the run's own /tmp
            os.chdir(request["cwd"])
        except OSError:
            os.chdir("/tmp")
        sys.dont_write_bytecode = True  # leave no __pycache__ in the action's folder
        sys.path[:] = self.base_path
        _allow_helpers_from(request["helpers_root"])
        self.network = request.get("network", {})
        self.refused = set()
        _install_network_guard(self)
        if self.network.get("routes"):
            _routing().install(self.network["routes"], request["event"]["callbackId"])

        before = set(sys.modules)
        started = time.perf_counter()
        outcome = self._call(request)
        outcome["duration_ms"] = (time.perf_counter() - started) * 1000
        sys.stdout.flush()
        sys.stderr.flush()
        outcome["refused"] = sorted(self.refused)  # reported even when the action caught the error
        outcome["imported"] = _library_modules(set(sys.modules) - before, self.base_path)
        # Let go of the run's log pipe, so the parent sees it close once the run's processes end.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.close(devnull)
        return outcome

    def _call(self, request):
        try:
            if self.module is None or not request.get("warm"):
                self.module = _import_action(request["action"], request["module_name"])
            main = _find_main(self.module, request["action"])
        except BaseException as error:
            self.module = None
            return {"raised": _describe(error, request["action"])}
        kind = _kind(main)
        if kind:  # calling it would run none of main's code: HubSpot gets the object, not a dict
            return {"raised": _marshal_error("Object of type {} is not JSON serializable".format(
                kind.replace(" ", "_")), main_kind=kind)}
        try:
            returned = main(request["event"])
        except BaseException as error:
            return {"raised": _describe(error, request["action"])}
        try:
            return {"returned": _jsonable(returned)}
        except Exception as error:  # e.g. a dict that contains itself, or keys that are not strings
            return {"raised": _marshal_error(error)}


def _import_action(path, module_name):
    sys.modules.pop(module_name, None)
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    # Registered like any imported module, so dataclasses and pickling inside it work.
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


class _LoadError(Exception):
    """The action's file loaded but cannot be called as HubSpot calls it."""


def _find_main(module, path):
    main = getattr(module, "main", None)
    if main is None:
        names = sorted(n for n, v in vars(module).items() if inspect.isfunction(v) and not n.startswith("_"))
        found = ", ".join(names) if names else "no functions"
        raise _LoadError(
            "{} has no function main(event): HubSpot calls main with the event. Found: {}".format(path, found))
    if not callable(main):
        raise _LoadError("{}: main is a {}, not a function main(event)".format(path, type(main).__name__))
    try:
        inspect.signature(main).bind({})
    except TypeError:
        raise _LoadError("{}: main{} cannot be called as main(event): HubSpot passes exactly one "
                         "argument, the event".format(path, inspect.signature(main))) from None
    except ValueError:
        pass  # builtins without a signature: let the call decide
    return main


def _describe(error, action_path):
    """What the parent needs to know of an exception raised while loading or running."""
    cls = type(error)
    status = getattr(error, "status", None)
    if not isinstance(status, int):
        response = getattr(error, "response", None)
        status = getattr(response, "status_code", None)
    if isinstance(error, _LoadError):
        text = str(error) + "\n"
    else:
        # Drop this file's frames: the traceback starts in the user's code, as in HubSpot's log.
        exc = traceback.TracebackException.from_exception(error)
        exc.stack = traceback.StackSummary.from_list(
            [f for f in exc.stack if not _is_harness_frame(f.filename)])
        text = "".join(exc.format())
    return {
        "type": cls.__name__ if not isinstance(error, _LoadError) else "ActionLoadError",
        "module": cls.__module__,
        "message": str(error),
        "traceback": text,
        "http_status": status if isinstance(status, int) else None,
        "exit_code": error.code if isinstance(error, SystemExit) else None,
        "memory": isinstance(error, MemoryError),
        "file": error.filename if isinstance(error, SyntaxError) else None,
        "refused": _refused_host(error),
    }


def _is_harness_frame(filename):
    return filename.startswith("<frozen importlib") or os.path.abspath(filename) == os.path.abspath(__file__)


def _jsonable(value):
    def unserializable(obj):
        try:
            text = repr(obj)[:200]
        except BaseException as error:  # a broken __repr__ must not hide which value it was
            text = "<its repr() raised {}>".format(type(error).__name__)
        return {"$unserializable": "{}.{}".format(type(obj).__module__, type(obj).__qualname__), "repr": text}

    return json.loads(json.dumps(value, default=unserializable))


def _marshal_error(error, main_kind=None):
    return {"type": "Runtime.MarshalError", "module": "", "traceback": None,
            "message": "Unable to marshal response: {}".format(error), "http_status": None,
            "exit_code": None, "memory": False, "main_kind": main_kind}


def _kind(main):
    """What calling main gives instead of running it, for generator and async functions."""
    if inspect.isasyncgenfunction(main):
        return "async generator"
    if inspect.iscoroutinefunction(main):
        return "coroutine"
    if inspect.isgeneratorfunction(main):
        return "generator"
    return None


def _memory_kb(pid):
    """A process's peak resident memory, and how much of its resident memory now is
    file-backed; None where /proc does not say (then the peak comes from rusage)."""
    try:
        with open("/proc/{}/status".format(pid)) as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
        kb = {k: int(fields[k].split()[0]) for k in ("VmHWM", "RssFile", "RssShmem")}
        return {"peak": kb["VmHWM"], "file": kb["RssFile"] + kb["RssShmem"]}
    except (OSError, KeyError, ValueError):
        return None


def _library_modules(names, library_paths):
    """The newly imported modules that come from the runtime itself (standard library and
    installed libraries), not from the repo: the ones a zygote may import ahead of a run."""
    roots = tuple(os.path.abspath(p) + os.sep for p in library_paths if p)
    keep = []
    for name in names:
        module = sys.modules.get(name)
        origin = getattr(module, "__file__", None)
        if name.split(".")[0] in _NEVER_PRELOAD:
            continue
        if name in sys.builtin_module_names or (origin and os.path.abspath(origin).startswith(roots)):
            keep.append(name)
    return sorted(keep)


# ---- imports: the repo's shared.helpers, and nothing else of the repo ----------------------


class _HelpersFinder(importlib.abc.MetaPathFinder):
    """Finds `shared.helpers` (which the bundler inlines for HubSpot) in the repo, and refuses
    every other module of the repo, as HubSpot would: it has none of them."""

    root = None

    def find_spec(self, name, path=None, target=None):
        # hs_actions too: on the fallback runtime the toolkit itself would be importable.
        if self.root is None or name.split(".")[0] not in ("shared", "hs_actions"):
            return None
        if name in ("shared", "shared.helpers") or name.startswith("shared.helpers."):
            return importlib.machinery.PathFinder.find_spec(name, path or [self.root])
        raise ModuleNotFoundError(
            "No module named {!r}: of this repository, actions may import only shared.helpers "
            "(inlined into the paste-ready bundle)".format(name), name=name)


_helpers_finder = _HelpersFinder()


def _allow_helpers_from(root):
    _helpers_finder.root = root
    if _helpers_finder not in sys.meta_path:
        sys.meta_path.insert(0, _helpers_finder)


# ---- network: HubSpot's API reaches the local portal, other hosts are refused ------------

_guard_installed = False
REFUSAL = ("hs-actions: this run may not connect to {host}. A local run reaches HubSpot's API "
           "(api.hubapi.com) through the local portal; other hosts need an explicit allow (--allow-host {host}).")


def _allowed(network, host, port):
    """network["allow"] holds hosts ("example.com", any port) and addresses ("127.0.0.1:8080",
    that port only: the local portal, a sandbox's channels), or "*"."""
    allow = network.get("allow", ())
    return "*" in allow or host in allow or "{}:{}".format(host, port) in allow


def _install_network_guard(worker):
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
        error = ConnectionRefusedError(REFUSAL.format(host=host))
        error.hs_actions_refused = str(host)  # for the report's one line, however it is wrapped
        raise error

    def hook(event, args):
        if event == "socket.getaddrinfo":
            host = args[0].decode() if isinstance(args[0], bytes) else args[0]
            if host and not _allowed(worker.network, host, args[1]):
                refuse(host)
        elif event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            address = args[1]
            if address is None:  # sendmsg on a connected socket: its connect was checked
                return
            if isinstance(address, tuple):
                if not _allowed(worker.network, address[0], address[1]):
                    refuse(address[0])
            elif not _allowed(worker.network, address, None):
                refuse(address)

    sys.addaudithook(hook)


def _refused_host(error):
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
        return _allowed(network, host, port)

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
            sock.sendall("{} {}\n".format(host, port).encode())
            answer = b""
            while not answer.endswith(b"\n") and len(answer) < 512:
                chunk = sock.recv(1)
                if not chunk:
                    break
                answer += chunk
        finally:
            sock.settimeout(timeout)
        if answer.startswith(b"OK"):
            return
        code, _, text = answer[4:].decode("utf-8", "replace").strip().partition(" ")
        raise OSError(int(code) if code.isdigit() else 111, text or "the egress channel closed")

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


_toolkit_modules = {}


def _toolkit_module(name, path):
    """A file of the toolkit loaded by path under a private name, once: it is harness code, not
    something the action could import (and, in a sandbox, loaded before the host's files are
    out of sight)."""
    if name not in _toolkit_modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _toolkit_modules[name] = module
    return _toolkit_modules[name]


def _routing(path=None):
    """The portal's routing module (hs_actions/portal/routing.py)."""
    return _toolkit_module("_hs_actions_routing", path)


# ---- the supervisor: imports once, forks a process per run, judges what it answers -------


class _ActionProcess:
    def __init__(self, pid, channel):
        self.pid = pid
        self.channel = channel
        self.status = None        # how it ended, once reaped


class _Supervisor:
    """Serves the toolkit's requests (preload, fork, run, end) for one action.

    In a sandbox it is pid 1 of the action's pid namespace: the kernel delivers it no signal
    from inside (it installs no handler), and when it ends every process of the namespace
    ends. Without one (`isolation["sandbox"] == "none"`) it is an ordinary process the action
    could reach; the toolkit then checks times and memory itself as well.
    """

    def __init__(self, channel, isolation, listeners=()):
        self.channel = channel
        self.isolation = isolation
        self.sandboxed = isolation["sandbox"] == "namespaces"
        self.listeners = list(listeners)
        self.action = None
        self.children_peak = 0

    def serve(self):
        addresses = ["{}:{}".format(*s.getsockname()[:2]) for s in self.listeners]
        self.channel.send({"ready": dict(self.isolation, channels=addresses)}, [s.fileno() for s in self.listeners])
        for listener in self.listeners:  # the toolkit holds them now; the action never does
            listener.close()
        while True:
            message, fds = self.channel.recv()
            if message is None:
                break
            op = message.get("op")
            if op == "preload" and message.get("into") == "action":
                self.channel.send({"ok": self._preload_action(message)})
            elif op == "preload":
                _preload(message["modules"])
                _warm_metadata(message.get("distributions", []))
                self.channel.send({"ok": True})
            elif op == "fork":
                pid = self._fork()
                self.channel.send({"forked": pid}, pid=pid if self.sandboxed else None)
            elif op == "run":
                self.channel.send(self._run(message, fds))
            elif op == "end":
                self.channel.send({"ended": self._end(message.get("keep", False))})
            else:
                close_all(fds)
        self._end(keep=False)

    def _fork(self):
        if self.action is not None:
            self._end(keep=False)
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            try:
                ours.close()
                self.channel.close()
                _action_process(theirs, self.sandboxed)
            finally:
                os._exit(70)
        theirs.close()
        self.action = _ActionProcess(pid, Channel(ours))
        return pid

    def _preload_action(self, message):
        """Have the action process, not yet run, import the libraries itself: one run from a
        fresh process, which then pays no copy-on-write for pages this one imported."""
        if self.action is None:
            return False
        try:
            self.action.channel.send(message)
            reply, fds = self.action.channel.recv(deadline=time.monotonic() + float(message.get("within", 300)))
        except (OSError, TimeoutError, ChannelError):
            return False
        close_all(fds)
        return reply is not None and reply.get("ok") is True

    def _run(self, message, fds):
        """Hand the run to the action process and judge its answer by this process's clock."""
        action = self.action
        log_fd = fds[0] if fds else os.open(os.devnull, os.O_WRONLY)
        close_all(fds[1:])
        timeout = float(message["timeout"])
        started = time.monotonic()
        try:
            action.channel.send(dict(message["request"], op="run"), [log_fd])
        except OSError:
            pass  # already gone: reported as died below
        finally:
            os.close(log_fd)
        outcome = {"kind": None}
        try:
            reply, stray = self._answer(action, started + timeout)
            close_all(stray)
        except TimeoutError:
            outcome["kind"] = "timeout"
        except ChannelError as error:
            outcome.update(kind="malformed", problem="the action process sent the toolkit {}".format(error))
        else:
            if reply is None and self._ends_soon(action):
                outcome["kind"] = "died"
            elif reply is None:
                outcome.update(kind="malformed", problem="the action process closed its channel to the toolkit")
            else:
                problem = _reply_problem(reply)
                if problem:
                    outcome.update(kind="malformed", problem="the action process sent the toolkit {}".format(problem))
                else:
                    outcome["kind"] = "raised" if "raised" in reply else "returned"
                    outcome[outcome["kind"]] = reply[outcome["kind"]]
                    outcome.update(imported=reply["imported"], refused=reply["refused"])
        elapsed = time.monotonic() - started
        outcome["duration_ms"] = elapsed * 1000
        if outcome["kind"] in ("returned", "raised"):
            outcome["memory_kb"] = _memory_kb(action.pid)
            outcome["stray"] = action.channel.pending()  # wrote more than its answer: never reused
            if elapsed > timeout:  # an answer after the limit does not undo the limit
                outcome["kind"] = "timeout"
        if outcome["kind"] not in ("returned", "raised"):
            self._kill(everything=True)
            outcome["exit"] = action.status
        return {"outcome": outcome, "leftover": self._leftover()}

    def _answer(self, action, deadline):
        """The action process's answer; (None, []) once it has ended without one."""
        pidfd = _pidfd(action.pid)
        try:
            while True:
                # Without a pidfd (before Linux 5.3, or not Linux), look every 50 ms.
                step = deadline if pidfd is not None else min(deadline, time.monotonic() + 0.05)
                try:
                    return action.channel.recv(deadline=step, gone=pidfd)
                except TimeoutError:
                    if time.monotonic() >= deadline:
                        raise
                    if self._ended(action):
                        return None, []
        finally:
            if pidfd is not None:
                os.close(pidfd)

    def _ends_soon(self, action):
        """Whether the action process has ended, or does within a second: a channel closes
        just before its process is seen to end."""
        for _ in range(100):
            if action.status is not None or self._ended(action):
                return True
            time.sleep(0.01)
        return False

    def _ended(self, action):
        try:
            pid, status = os.waitpid(action.pid, os.WNOHANG)
        except ChildProcessError:
            return True
        if pid:
            action.status = _status(status)
        return bool(pid)

    def _end(self, keep):
        """End the run: whatever it left, and the action process too unless it is kept."""
        action = self.action
        self._kill(everything=not keep)
        ended = {"exit": None if action is None else action.status, "children_peak_kb": None}
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if peak > self.children_peak:  # the largest process reaped, if this run's was larger
            self.children_peak = ended["children_peak_kb"] = peak // 1024 if sys.platform == "darwin" else peak
        if not keep:
            if action is not None:
                action.channel.close()
            self.action = None
        return ended

    def _kill(self, everything):
        """SIGKILL what the run left (and the action process too, when `everything`) and reap."""
        action = self.action
        if self.sandboxed and everything:
            try:
                os.kill(-1, signal.SIGKILL)  # as pid 1: every other process of the namespace, at once
            except ProcessLookupError:
                pass
            self._reap(block=True)
            return
        while True:  # one by one: a process forked meanwhile is found on the next pass
            victims = [pid for pid, _ in self._leftover()]
            if everything and action is not None and action.status is None:
                victims.append(action.pid)
            if not victims:
                return
            for pid in victims:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.001)
            self._reap(block=False)

    def _reap(self, block):
        """Collect ended children (all of them, when `block`)."""
        action = self.action
        while True:
            try:
                pid, status = os.waitpid(-1, 0 if block else os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if action is not None and pid == action.pid:
                action.status = _status(status)

    def _leftover(self):
        """[pid, command] of each process this one started that still runs, other than the
        action process."""
        self._reap(block=False)
        action = self.action
        return [[pid, command] for pid, command in _descendants(os.getpid())
                if action is None or pid != action.pid]


def _reply_problem(reply):
    """What is wrong with an action process's answer, or None when it is one of ours."""
    kinds = [k for k in ("returned", "raised") if k in reply]
    if len(kinds) != 1:
        return "an answer with neither a return value nor an exception"
    if not isinstance(reply.get("imported"), list) or not all(isinstance(m, str) for m in reply["imported"]):
        return "an answer without the list of modules imported"
    if not isinstance(reply.get("refused"), list) or not all(isinstance(h, str) for h in reply["refused"]):
        return "an answer without the list of hosts refused"
    raised = reply.get("raised")
    if raised is not None:
        if not isinstance(raised, dict):
            return "an exception that is not described"
        for key, types in (("type", (str,)), ("module", (str,)), ("message", (str,)), ("traceback", (str, type(None))),
                           ("http_status", (int, type(None))), ("memory", (bool,)), ("refused", (str, type(None)))):
            if not isinstance(raised.get(key), types) or (key == "http_status" and isinstance(raised[key], bool)):
                return "an exception whose {} is missing or of the wrong type".format(key)
    return None


def _action_process(sock, sandboxed):
    """The forked action process: set up, then serve runs until the supervisor lets go."""
    signal.signal(signal.SIGINT, signal.default_int_handler)  # a Python process's own default
    try:
        os.setsid()  # its own process group, so whatever the action starts is ended with it
    except OSError:
        pass
    if sandboxed:
        namespaces = _namespaces()
        namespaces.die_with_parent()
        namespaces.private_tmp(_shown)
        namespaces.drop_privileges()
    else:
        _linux_process_rules(subreaper=False)
    close_all(fd for fd in _open_fds() if fd > 2 and fd != sock.fileno())
    _Worker(Channel(sock)).serve()
    os._exit(0)


def _open_fds():
    try:
        return [int(fd) for fd in os.listdir("/dev/fd")]
    except OSError:
        return list(range(3, 1024))


def _descendants(root):
    """(pid, command) of each running process descending from `root`."""
    table = _processes()
    children = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, pending = [], list(children.get(root, ()))
    while pending:
        pid = pending.pop()
        found.append((pid, table[pid][1]))
        pending += children.get(pid, ())
    return sorted(found)


def _processes():
    """pid -> (parent pid, command) of every running process, zombies left out: from /proc,
    or from ps where there is none (macOS)."""
    table = {}
    if not os.path.isdir("/proc/self"):
        import subprocess
        listed = subprocess.run(["ps", "-A", "-o", "pid=,ppid=,stat=,command="], capture_output=True, text=True)
        for line in listed.stdout.splitlines():
            pid, ppid, state, command = (line.split(None, 3) + [""])[:4]
            if not state.startswith("Z"):
                table[int(pid)] = (int(ppid), command)
        return table
    with open("/proc/self/cmdline", "rb") as f:
        own = f.read()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/{}/stat".format(entry), "rb") as f:
                stat = f.read()
            with open("/proc/{}/cmdline".format(entry), "rb") as f:
                command = f.read()
        except OSError:
            continue
        end = stat.rindex(b")")
        state, ppid = stat[end + 2:].split()[:2]
        if state == b"Z":
            continue
        if command == own:
            text = "python (forked by the action)"
        else:
            text = (command.replace(b"\0", b" ").strip() or stat[stat.index(b"(") + 1:end]).decode("utf-8", "backslashreplace")
        table[int(entry)] = (int(ppid), text)
    return table


def _pidfd(pid):
    """A descriptor that becomes readable when the child `pid` ends (Linux 5.3+), or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes
        fd = ctypes.CDLL(None, use_errno=True).syscall(434, pid, 0)  # pidfd_open
    except (OSError, AttributeError):
        return None
    return fd if fd >= 0 else None


def _status(status):
    if os.WIFSIGNALED(status):
        return {"exit_code": None, "signal": os.WTERMSIG(status)}
    return {"exit_code": os.WEXITSTATUS(status), "signal": None}


def _preload(modules):
    """Import library modules ahead of a run. Only the runtime's own libraries are ever
    named (never the action or the repo's helpers, which each run imports fresh)."""
    for name in modules:
        if name.split(".")[0] not in _NEVER_PRELOAD:
            try:
                importlib.import_module(name)
            except BaseException:  # one that cannot be imported now fails in the run, with its traceback
                pass


def _warm_metadata(distributions):
    """Parse installed libraries' metadata once, here, rather than in every forked run.

    hubspot-api-client 8.x calls pkg_resources.require() each time an API object is made,
    and the first call in a process parses requirement strings (~30 ms). That is library
    start-up, like the imports preloaded above: it changes how long a run takes, not what
    it does.
    """
    pkg_resources = sys.modules.get("pkg_resources")
    if pkg_resources is None:
        return
    for name in distributions:
        try:
            pkg_resources.require(name)
        except Exception:
            pass


# ---- starting up: the sandbox when the kernel allows it, else the supervisor alone ------


def _start(channel_fd, config):
    """Build the sandbox and serve from its pid 1; where the kernel refuses (or it is turned
    off), serve from this process and say why. This process then only waits: it is the one
    the toolkit started, and ends with the sandbox."""
    _linux_process_rules(subreaper=True)
    sock = socket.socket(fileno=channel_fd)
    _routing(config["routing_module"])  # loaded now: its file is not in the sandbox
    reason = _sandbox_refused(config)
    if reason is None:
        problem_read, problem_write = os.pipe()
        first = os.fork()
        if first == 0:
            os.close(problem_read)
            _sandbox_first_process(sock, config, problem_write)
        os.close(problem_write)
        with os.fdopen(problem_read, "rb") as problems:
            reason = problems.read().decode("utf-8", "replace")
        if not reason:
            sock.close()
            _, status = os.waitpid(first, 0)
            os._exit(_exit_code(status))
        os.waitpid(first, 0)
    isolation = {"sandbox": "none", "reason": reason}
    _Supervisor(Channel(sock), isolation).serve()


def _sandbox_refused(config):
    """Why there will be no sandbox, or None when it is worth trying."""
    if config.get("sandbox") == "off":
        return "turned off (HS_ACTIONS_SANDBOX=off or the sandbox setting)"
    if not sys.platform.startswith("linux"):
        return "kernel namespaces are Linux's; this is " + sys.platform
    return None


def _sandbox_first_process(sock, config, problem_write):
    """Enter the namespaces, build the root, fork pid 1 and wait for it. Any refusal is
    written to `problem_write` (closed empty by pid 1 once it is settled)."""
    try:
        namespaces = _namespaces(config["namespaces_module"])
        namespaces.die_with_parent()
        global _shown
        shown = [tuple(p) for p in config["paths"]] + _runtime_paths()
        _shown = [path for path, _ in shown]
        namespaces.enter(shown)
        pid = os.fork()
        if pid == 0:
            namespaces.die_with_parent()
            namespaces.settle()
            listeners = []
            for _ in ("api", "egress"):
                listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                listener.bind(("127.0.0.1", 0))
                listener.listen(64)
                listeners.append(listener)
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # pid 1 keeps no handler: nothing inside can signal it
            os.close(problem_write)
            isolation = {"sandbox": "namespaces", "reason": None}
            _Supervisor(Channel(sock), isolation, listeners).serve()
            os._exit(0)
        sock.close()
        os.close(problem_write)
        _, status = os.waitpid(pid, 0)
        os._exit(_exit_code(status))
    except BaseException as error:
        try:
            os.write(problem_write, (str(error) or type(error).__name__).encode())
        finally:
            os._exit(1)


def _runtime_paths():
    """(path, real path) of everything the interpreter needs: its prefixes and its path
    (a folder inside one already shown is not shown twice)."""
    paths = {}
    for path in sorted(os.path.abspath(p) for p in [sys.prefix, sys.base_prefix, sys.exec_prefix,
                       sys.base_exec_prefix, os.path.dirname(sys.executable), *sys.path]
                       if p and os.path.isabs(p) and os.path.exists(p)):
        if not any(path.startswith(shown + os.sep) or path == shown for shown in paths):
            paths[path] = os.path.realpath(path)
    return sorted(paths.items())


_shown = []     # the host paths shown in the sandbox


def _namespaces(path=None):
    """The sandbox's system calls (hs_actions/harness/sandbox/namespaces.py)."""
    return _toolkit_module("_hs_actions_namespaces", path)


def _exit_code(status):
    return 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _linux_process_rules(subreaper):
    """Die with the parent process, so a toolkit that is killed leaves no runtime behind;
    and (`subreaper`) adopt orphaned descendants, so processes an action detached with a
    double fork are still found and ended with the run. Linux only; elsewhere a no-op."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if subreaper:
            libc.prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


def main(argv):
    """`zygote FD CONFIG`: see the module's docstring."""
    _start(int(argv[1]), json.loads(argv[2]))


if __name__ == "__main__":
    main(sys.argv[1:])
