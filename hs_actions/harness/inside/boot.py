"""Start-up of the runtime process that serves one action: `zygote FD CONFIG`.

    python -I -c BOOT INSIDE zygote FD CONFIG

(harness/zygote.py's BOOT loads this folder as a package and calls main(["zygote", FD,
CONFIG]); loaded as modules rather than run as a script, the files keep their bytecode.) It
serves one action's runs over the socket FD. On Linux, unless the sandbox is turned off, it
builds the sandbox (namespaces.py: user, mount, network and pid namespaces, a read-only root)
and forks its pid 1, the supervisor (supervisor.py); where the kernel refuses, it is the
supervisor itself, with no sandbox, and says why.
"""
import json
import os
import signal
import socket
import sys

from . import protocol
from .channel import Channel
from .supervisor import Supervisor, linux_process_rules


def _start(channel_fd, config):
    """Build the sandbox and serve from its pid 1; where the kernel refuses (or it is turned
    off), serve from this process and say why. This process then only waits: it is the one
    the toolkit started, and ends with the sandbox."""
    linux_process_rules(subreaper=True)
    sock = socket.socket(fileno=channel_fd)
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
    isolation = {"sandbox": protocol.UNSANDBOXED, "reason": reason}
    Supervisor(Channel(sock), isolation).serve()


def _sandbox_refused(config):
    """Why there will be no sandbox, or None when it is worth trying."""
    if config.get("sandbox") == "off":
        return "turned off (HS_ACTIONS_SANDBOX=off or the sandbox setting)"
    if not sys.platform.startswith("linux"):
        return "kernel namespaces are Linux's; this is " + sys.platform
    return None


# The sandbox's API and egress listeners, on its own loopback. Fixed ports below the kernel's
# ephemeral range (32768-60999 by default): a port the toolkit took on the host with bind(0),
# the portal's, can then never be one of them, so a raw connect to the host's port from inside
# is always refused (with random ports it reached the API listener about once in 14,000 runs).
LISTENER_PORTS = (20080, 20081)


def _sandbox_first_process(sock, config, problem_write):
    """Enter the namespaces, build the root, fork pid 1 and wait for it. Any refusal is
    written to `problem_write` (closed empty by pid 1 once it is settled)."""
    try:
        from . import namespaces  # only here: a run without a sandbox never needs it

        namespaces.die_with_parent()
        shown = [tuple(p) for p in config["paths"]] + _runtime_paths()
        namespaces.enter(shown)
        pid = os.fork()
        if pid == 0:
            namespaces.die_with_parent()
            namespaces.settle()
            listeners = []
            for port in LISTENER_PORTS:
                listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                listener.bind(("127.0.0.1", port))
                listener.listen(64)
                listeners.append(listener)
            signal.signal(signal.SIGINT, signal.SIG_DFL)  # pid 1 keeps no handler: nothing inside can signal it
            os.close(problem_write)
            isolation = {"sandbox": protocol.SANDBOXED, "reason": None}
            Supervisor(Channel(sock), isolation, listeners, [path for path, _ in shown]).serve()
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


def _exit_code(status):
    return 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def main(argv):
    """`zygote FD CONFIG`: see the module's docstring."""
    _start(int(argv[1]), json.loads(argv[2]))
