"""The toolkit's only code inside the runtime interpreter (HubSpot's Python 3.9).

Standard library only, Python 3.9 syntax: it runs where the action runs. Two roles:

    python -I child.py worker FD   serve run requests arriving on the socket FD
    python -I child.py zygote FD   import libraries once, then fork a worker per request

A worker serves one run (cold, as most HubSpot executions are) or several (warm reuse: the
action's module and its globals survive, as in a reused HubSpot container). A zygote exists
so that a hundred isolated runs do not pay a hundred interpreter start-ups: it imports the
libraries actions use, never an action, and forks a clean worker for each run.

Messages are length-prefixed JSON; file descriptors ride along with SCM_RIGHTS.
"""
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import inspect
import io
import json
import os
import resource
import signal
import socket
import struct
import sys
import time
import traceback

_HEADER = struct.Struct("!I")
# Modules that act when imported: preloading them in a zygote would hide that from the run.
_NEVER_PRELOAD = {"this", "antigravity", "__hello__", "__phello__", "__main__"}


class Channel:
    """Length-prefixed JSON messages over a Unix stream socket, with optional fds attached.

    Each side sends its next message only after the answer to its last one, so a read never
    holds two messages and the fds that arrive belong to the message being read.
    """

    def __init__(self, sock):
        self.sock = sock
        self._buffer = b""
        self._fds = []

    def send(self, message, fds=()):
        data = json.dumps(message).encode()
        frame = _HEADER.pack(len(data)) + data
        if fds:
            sent = socket.send_fds(self.sock, [frame], list(fds))
            frame = frame[sent:]
        if frame:
            self.sock.sendall(frame)

    def recv(self):
        """The next message and the fds sent with it; (None, []) when the peer has gone."""
        while True:
            if len(self._buffer) >= _HEADER.size:
                (size,) = _HEADER.unpack_from(self._buffer)
                if len(self._buffer) >= _HEADER.size + size:
                    data = self._buffer[_HEADER.size:_HEADER.size + size]
                    self._buffer = self._buffer[_HEADER.size + size:]
                    fds, self._fds = self._fds, []
                    return json.loads(data), fds
            try:
                chunk, fds, _flags, _addr = socket.recv_fds(self.sock, 1 << 16, 4)
            except (ConnectionResetError, OSError):
                chunk, fds = b"", []
            if not chunk:
                for fd in fds:
                    os.close(fd)
                return None, []
            self._buffer += chunk
            self._fds.extend(fds)

    def fileno(self):
        return self.sock.fileno()

    def close(self):
        self.sock.close()


# ---- the worker: one action, one or more runs -------------------------------------------


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
            if request is None or request.get("op") == "exit":
                return
            if request.get("op") == "preload":
                _preload(request["modules"])
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
        os.chdir(request["cwd"])
        sys.dont_write_bytecode = True  # leave no __pycache__ in the action's folder
        sys.path[:] = self.base_path
        _allow_helpers_from(request["helpers_root"])
        self.network = request.get("network", {})
        self.refused = set()
        _install_network_guard(self)
        if self.network.get("routes"):
            _routing(request["routing_module"]).install(self.network["routes"], request["event"]["callbackId"])

        before = set(sys.modules)
        started = time.perf_counter()
        outcome = self._call(request)
        outcome["duration_ms"] = (time.perf_counter() - started) * 1000
        sys.stdout.flush()
        sys.stderr.flush()
        outcome["memory"] = _memory_kb()
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


def _memory_kb():
    """Peak resident memory, and how much of the current resident memory is file-backed."""
    try:
        with open("/proc/self/status") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
        kb = {k: int(fields[k].split()[0]) for k in ("VmHWM", "RssFile", "RssShmem")}
        return {"peak": kb["VmHWM"], "file": kb["RssFile"] + kb["RssShmem"]}
    except (OSError, KeyError, ValueError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return {"peak": peak // 1024 if sys.platform == "darwin" else peak, "file": 0}


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


def _install_network_guard(worker):
    """Refuse connections the run does not allow, naming the host (audit hooks cannot be undone).

    network["allow"] holds hosts ("example.com", any port) and addresses ("127.0.0.1:8080",
    that port only: the local portal), or "*".
    """
    global _guard_installed
    if _guard_installed:
        return
    _guard_installed = True

    def allowed(host, port):
        allow = worker.network.get("allow", ())
        return "*" in allow or host in allow or "{}:{}".format(host, port) in allow

    def refuse(host):
        worker.refused.add(str(host))
        raise ConnectionRefusedError(
            "hs-actions: this run may not connect to {}. A local run reaches HubSpot's API "
            "(api.hubapi.com) through the local portal; other hosts need an explicit "
            "allow (--allow-host {}).".format(host, host))

    def hook(event, args):
        if event == "socket.getaddrinfo":
            host = args[0].decode() if isinstance(args[0], bytes) else args[0]
            if host and not allowed(host, args[1]):
                refuse(host)
        elif event == "socket.connect":
            address = args[1]
            if isinstance(address, tuple):
                if not allowed(address[0], address[1]):
                    refuse(address[0])
            elif not allowed(address, None):
                refuse(address)

    sys.addaudithook(hook)


_routing_module = None


def _routing(path):
    """The portal's routing module, loaded by path under a private name: it is harness code,
    not something the action could import."""
    global _routing_module
    if _routing_module is None:
        spec = importlib.util.spec_from_file_location("_hs_actions_routing", path)
        _routing_module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_routing_module)
    return _routing_module


# ---- the zygote: imports once, forks workers ----------------------------------------------


def _zygote(channel):
    while True:
        message, fds = channel.recv()
        if message is None:
            return
        op = message["op"]
        if op == "preload":
            _preload(message["modules"])
            _warm_metadata(message.get("distributions", []))
            channel.send({"ok": True})
        elif op == "fork":
            pid = os.fork()
            if pid == 0:
                channel.close()
                _worker_process(fds[0])
            os.close(fds[0])
            channel.send({"pid": pid})
        elif op == "wait":
            channel.send({"status": _wait(message["pid"])})


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


def _wait(pid):
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return {"exit_code": None, "signal": None}
    if os.WIFSIGNALED(status):
        return {"exit_code": None, "signal": os.WTERMSIG(status)}
    return {"exit_code": os.WEXITSTATUS(status), "signal": None}


def _worker_process(fd):
    try:
        os.setsid()  # its own process group, so whatever the action starts is ended with it
    except OSError:
        pass
    _linux_process_rules(adopt_orphans=True)
    channel = Channel(socket.socket(fileno=fd))
    _Worker(channel).serve()
    os._exit(0)


def _linux_process_rules(adopt_orphans):
    """Die with the parent process, so a toolkit that is killed leaves no runtime behind;
    and (a worker) adopt orphaned descendants, so processes an action detached with a
    double fork are still found and ended with the run. Linux only; elsewhere a no-op."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if adopt_orphans:
            libc.prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        pass


if __name__ == "__main__":
    role, fd = sys.argv[1], int(sys.argv[2])
    _linux_process_rules(adopt_orphans=role == "worker")
    if role == "zygote":
        _zygote(Channel(socket.socket(fileno=fd)))
    else:
        _Worker(Channel(socket.socket(fileno=fd))).serve()
