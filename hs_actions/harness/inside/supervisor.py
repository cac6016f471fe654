"""The supervisor: serves the toolkit's requests for one action, forking an action process per run.

It imports the libraries actions use (never an action), so that a hundred runs do not pay a
hundred interpreter start-ups, and forks one action process per run (kept between warm runs,
as a reused HubSpot container keeps its module). It hands the run over, keeps its own clock,
waits for the action process to say it has answered (its answer goes to the toolkit through a
pipe this process never reads) with a deadline, and ends whatever the run left. The action
process has no capabilities and holds no descriptor of the toolkit's but its own channel to the
supervisor and, during a run, the run's log, request and answer pipes; the supervisor says
everything else to the toolkit.
"""
import os
import resource
import signal
import socket
import sys
import time

from . import loader, protocol
from .channel import Channel, ChannelError, close_all
from .worker import Worker


class _ActionProcess:
    def __init__(self, pid, channel):
        self.pid = pid
        self.channel = channel
        self.status = None        # how it ended, once reaped


class Supervisor:
    """Serves the toolkit's requests (preload, fork, run, end) for one action.

    In a sandbox it is pid 1 of the action's pid namespace: the kernel delivers it no signal
    from inside (it installs no handler), and when it ends every process of the namespace
    ends. Without one (`isolation["sandbox"] == protocol.UNSANDBOXED`) it is an ordinary process the action
    could reach; the toolkit then checks times and memory itself as well.
    """

    def __init__(self, channel, isolation, listeners=(), shown=()):
        """`shown`: the host paths shown in the sandbox (each run's own /tmp shows those under
        /tmp again)."""
        self.channel = channel
        self.isolation = isolation
        self.sandboxed = isolation["sandbox"] == protocol.SANDBOXED
        self.shown = list(shown)
        self.listeners = list(listeners)
        self.action = None
        self.children_peak = 0

    def serve(self):
        addresses = ["{}:{}".format(*s.getsockname()[:2]) for s in self.listeners]
        self.channel.send({protocol.READY: dict(self.isolation, channels=addresses)}, [s.fileno() for s in self.listeners])
        for listener in self.listeners:  # the toolkit holds them now; the action never does
            listener.close()
        while True:
            message, fds = self.channel.recv()
            if message is None:
                break
            op = message.get("op")
            if op == protocol.PRELOAD and message.get("into") == protocol.INTO_ACTION:
                self.channel.send({protocol.OK: self._preload_action(message)})
            elif op == protocol.PRELOAD:
                loader.preload(message["modules"])
                loader.warm_metadata(message.get("distributions", []))
                self.channel.send({protocol.OK: True})
            elif op == protocol.FORK:
                pid = self._fork()
                self.channel.send({protocol.FORKED: pid}, pid=pid if self.sandboxed else None)
            elif op == protocol.RUN:
                self.channel.send(self._run(message, fds))
            elif op == protocol.END:
                self.channel.send({protocol.ENDED: self._end(message.get("keep", False))})
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
                action_process(theirs, self.sandboxed, self.shown)
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
        return reply is not None and reply.get(protocol.OK) is True

    def _run(self, message, fds):
        """Hand the run to the action process and time it by this process's clock."""
        action = self.action
        # The run's log, request and answer pipes, passed on unread: the request holds the
        # run's secrets and the answer may, which no later fork of this process may find in
        # its memory.
        handed = fds[:3] if len(fds) >= 3 else [os.open(os.devnull, os.O_WRONLY), os.open(os.devnull, os.O_RDONLY),
                                                 os.open(os.devnull, os.O_WRONLY)]
        close_all(fds[3:] if len(fds) >= 3 else fds)
        timeout = float(message["timeout"])
        started = time.monotonic()
        try:
            action.channel.send({"op": protocol.RUN, "processes": message.get("processes")}, handed)
        except OSError:
            pass  # already gone: reported as died below
        finally:
            close_all(handed)
        outcome = {"kind": None}
        try:
            reply, stray = self._answer(action, started + timeout)
            close_all(stray)
        except TimeoutError:
            outcome["kind"] = protocol.TIMEOUT
        except ChannelError as error:
            outcome.update(kind=protocol.MALFORMED, problem="the action process sent the toolkit {}".format(error))
        else:
            if reply is None and self._ends_soon(action):
                outcome["kind"] = protocol.DIED
            elif reply is None:
                outcome.update(kind=protocol.MALFORMED, problem="the action process closed its channel to the toolkit")
            elif reply != {protocol.ANSWER: True}:
                outcome.update(kind=protocol.MALFORMED, problem="the action process sent the toolkit a message "
                                                                "where it was to say it had answered")
            else:
                outcome["kind"] = protocol.ANSWER
        elapsed = time.monotonic() - started
        outcome["duration_ms"] = elapsed * 1000
        if outcome["kind"] == protocol.ANSWER:
            outcome["memory_kb"] = _memory_kb(action.pid)
            outcome["stray"] = action.channel.pending()  # wrote more than its answer: never reused
            if elapsed > timeout:  # an answer after the limit does not undo the limit
                outcome["kind"] = protocol.TIMEOUT
        if outcome["kind"] != protocol.ANSWER:
            self._kill(everything=True)
            outcome["exit"] = action.status
        return {protocol.OUTCOME: outcome, protocol.LEFTOVER: self._leftover()}

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


def action_process(sock, sandboxed, shown):
    """The forked action process: set up, then serve runs until the supervisor lets go."""
    signal.signal(signal.SIGINT, signal.default_int_handler)  # a Python process's own default
    try:
        os.setsid()  # its own process group, so whatever the action starts is ended with it
    except OSError:
        pass
    if sandboxed:
        from . import namespaces  # loaded by boot before it entered the sandbox: not read again

        namespaces.die_with_parent()
        namespaces.private_tmp(shown)
        namespaces.drop_privileges()
        limit_processes = namespaces.limit_processes
    else:
        linux_process_rules(subreaper=False)
        limit_processes = None
    close_all(fd for fd in _open_fds() if fd > 2 and fd != sock.fileno())
    # The action's module table holds none of the toolkit's modules (whose code it is running
    # already), as a HubSpot execution's holds none of this toolkit.
    for name in [n for n in sys.modules if n == __package__ or n.startswith(__package__ + ".")]:
        del sys.modules[name]
    Worker(Channel(sock), limit_processes).serve()
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
    if hasattr(os, "pidfd_open"):   # Python 3.9 on Linux: no ctypes library loaded for each run
        try:
            return os.pidfd_open(pid)
        except OSError:
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


def linux_process_rules(subreaper):
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
