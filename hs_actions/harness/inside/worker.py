"""The action process: one action, one or more runs, as HubSpot's container runs them.

Forked by the supervisor, it takes each run's request, log and answer pipes, sets up what the
execution sees (environment, working folder, imports, network), calls main with the event
and answers with what main returned or raised (protocol.py's action answer), through the
answer pipe straight to the toolkit: the supervisor only hears that it has answered. Between
runs it holds no descriptor of the toolkit's but its channel to the supervisor.
"""
import io
import json
import os
import sys
import time
import traceback

from . import loader, network, protocol, routing
from .channel import ChannelError, close_all, read_pipe, write_pipe

_HERE = os.path.dirname(os.path.abspath(__file__))


class Worker:
    """Serves the runs (and a preload before the first) the supervisor hands over, until it
    lets go."""

    def __init__(self, channel, limit_processes=None):
        """`limit_processes(count)`: limits the processes and threads of a run where no
        cgroup does (the RUN message says so)."""
        self.channel = channel
        self.limit_processes = limit_processes
        self.module = None          # kept between runs only when warm
        self.base_path = [os.path.abspath(p) for p in sys.path if p]
        self.network = {}
        self.refused = set()

    def serve(self):
        while True:
            request, fds = self.channel.recv()
            if request is None or request.get("op") not in (protocol.RUN, protocol.PRELOAD):
                return
            if request["op"] == protocol.PRELOAD:  # before its first run: a spawned run's libraries
                loader.preload(request["modules"])
                loader.warm_metadata(request.get("distributions", []))
                self.channel.send({protocol.OK: True})
                continue
            if len(fds) != 3:
                close_all(fds)
                return
            log_fd, request_fd, answer_fd = fds
            if request.get("processes") and self.limit_processes:
                self.limit_processes(request["processes"])
            try:
                request = read_pipe(request_fd)
            except (ChannelError, OSError):
                close_all([log_fd, answer_fd])
                return
            # Its answer may hold secrets (an output of main's): written where only the toolkit
            # reads it, so that the supervisor, which later runs fork from, never holds it.
            write_pipe(answer_fd, self.run(request, log_fd))
            self.channel.send({protocol.ANSWER: True})

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
        loader.allow_helpers_from(request["helpers_root"])
        self.network = request.get("network", {})
        self.refused = set()
        network.install_guard(self)
        if self.network.get("routes"):
            routing.install(self.network["routes"], request["event"]["callbackId"])

        before = set(sys.modules)
        started = time.perf_counter()
        outcome = self._call(request)
        outcome["duration_ms"] = (time.perf_counter() - started) * 1000
        sys.stdout.flush()
        sys.stderr.flush()
        outcome["refused"] = sorted(self.refused)  # reported even when the action caught the error
        outcome["imported"] = loader.library_modules(set(sys.modules) - before, self.base_path)
        outcome["threads"] = _threads_left()
        # Let go of the run's log pipe, so the parent sees it close once the run's processes end.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.close(devnull)
        return outcome

    def _call(self, request):
        try:
            if self.module is None or not request.get("warm"):
                self.module = loader.import_action(request["action"], request["module_name"])
            main = loader.find_main(self.module, request["action"])
        except BaseException as error:
            self.module = None
            return {protocol.RAISED: _describe(error, request["action"])}
        kind = loader.main_kind(main)
        if kind:  # calling it would run none of main's code: HubSpot gets the object, not a dict
            return {protocol.RAISED: _marshal_error("Object of type {} is not JSON serializable".format(
                kind.replace(" ", "_")), main_kind=kind)}
        try:
            returned = main(request["event"])
        except BaseException as error:
            return {protocol.RAISED: _describe(error, request["action"])}
        try:
            return {protocol.RETURNED: _jsonable(returned)}
        except Exception as error:  # e.g. a dict that contains itself, or keys that are not strings
            return {protocol.RAISED: _marshal_error(error)}


def _threads_left():
    """How many threads the process runs besides this one (main's): those the action left."""
    try:
        return len(os.listdir("/proc/self/task")) - 1
    except OSError:  # no /proc (macOS): the threads Python knows of
        import threading
        return threading.active_count() - 1


def _describe(error, action_path):
    """What the parent needs to know of an exception raised while loading or running."""
    cls = type(error)
    status = getattr(error, "status", None)
    if not isinstance(status, int):
        response = getattr(error, "response", None)
        status = getattr(response, "status_code", None)
    if isinstance(error, loader.LoadError):
        text = str(error) + "\n"
    else:
        # Drop the toolkit's frames: the traceback starts in the user's code, as in HubSpot's log.
        exc = traceback.TracebackException.from_exception(error)
        exc.stack = traceback.StackSummary.from_list(
            [f for f in exc.stack if not _is_harness_frame(f.filename)])
        text = "".join(exc.format())
    return {
        "type": cls.__name__ if not isinstance(error, loader.LoadError) else "ActionLoadError",
        "module": cls.__module__,
        "message": str(error),
        "traceback": text,
        "http_status": status if isinstance(status, int) else None,
        "exit_code": error.code if isinstance(error, SystemExit) else None,
        "memory": isinstance(error, MemoryError),
        "file": error.filename if isinstance(error, SyntaxError) else None,
        "refused": network.refused_host(error),
    }


def _is_harness_frame(filename):
    """Whether a traceback's frame is the toolkit's (any file of this folder) or the import
    machinery's, rather than the action's."""
    return filename.startswith("<frozen importlib") or os.path.dirname(os.path.abspath(filename)) == _HERE


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
