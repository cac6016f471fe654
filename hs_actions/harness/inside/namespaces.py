"""The system calls that build a run's sandbox, made from inside HubSpot's runtime interpreter.

Python 3.9 syntax, standard library only (ctypes for unshare, mount, pivot_root, prctl and
capset, which Python 3.9 does not wrap): boot.py imports it before it enters the sandbox. What
each step does and why is in the sandbox package's docstring (hs_actions/harness/sandbox/__init__.py).

    enter(paths)        the sandbox's first process: user, mount, network, pid, IPC, UTS and
                        cgroup namespaces, the read-only root built beside the host's, its own
                        host name, loopback up
    settle()            pid 1 of the new pid namespace: a fresh /proc whose host-wide files
                        are read-only, no more user namespaces, then the new root only
    private_tmp()       each run: its own empty /tmp and /dev/shm
    drop_privileges()   each run, last: a session keyring of its own, an unprivileged uid (when
                        the toolkit runs as root), no capabilities, now or after any exec, and
                        the system calls Lambda refuses refused (seccomp)
"""
import ctypes
import errno
import fcntl
import os
import re
import resource
import socket
import struct

CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
MNT_DETACH = 2
# statvfs flags -> the mount flags a read-only remount must keep (the kernel refuses to
# change the ones a user namespace inherits locked).
_KEPT_FLAGS = ((os.ST_NOSUID, MS_NOSUID), (os.ST_NODEV, MS_NODEV), (os.ST_NOEXEC, MS_NOEXEC),
               (os.ST_NOATIME, MS_NOATIME), (os.ST_NODIRATIME, MS_NODIRATIME), (os.ST_RELATIME, MS_RELATIME))

PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP = 1, 4, 24
PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 28, 38, 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
# keep-caps, no-setuid-fixup and no-root, each with its lock: uid 0 in the sandbox gains no
# capabilities by exec, and nothing can change that back.
SECUREBITS_LOCKED_NOROOT = 0x3f
_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
_SYS_CAPSET = {"x86_64": 126, "aarch64": 91}
_SYS_KEYCTL = {"x86_64": 250, "aarch64": 219}
KEYCTL_JOIN_SESSION_KEYRING = 1

HOSTNAME = "sandbox"           # the UTS namespace's own: never the developer's machine's name
# When the toolkit runs as root, the action's uid and gid inside (Lambda's sbx_user1051) map
# to the host's nobody: /proc/sys and every host file judge it as nobody, never as root.
ACTION_ID = 993
HOST_NOBODY = 65534
# Host-wide /proc files the sandbox's own /proc would still show writable to its root.
PROC_READ_ONLY = ("sys", "sysrq-trigger", "irq", "bus", "fs")
PROC_EMPTY = ("keys", "key-users")

# The host's programs and libraries (symlinks such as /bin -> usr/bin are copied as links).
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# Of /etc, what libraries read: the loader's cache, TLS roots, name-service and MIME tables.
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "ssl", "ca-certificates", "pki", "alternatives",
       "nsswitch.conf", "protocols", "services", "mime.types", "localtime")
DEVICES = ("null", "zero", "full", "random", "urandom")
STAGE = "/tmp"                 # mounted over in the sandbox's own mount namespace only
OLD = "/oldroot"               # the host's root, while the new one is built
NEW = "/newroot"

_libc = ctypes.CDLL(None, use_errno=True)


class Unavailable(Exception):
    """The kernel (or a security module) refused a step: runs fall back, saying why."""


def _check(result, what):
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, "{}: {}".format(what, os.strerror(code)))


def _machine():
    return os.uname().machine


def unshare(flags):
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def mount(source, target, fstype, flags, data=None):
    encode = lambda s: None if s is None else s.encode()
    _check(_libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)),
           "mount {}".format(target))


def prctl(option, arg=0):
    _check(_libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0), "prctl {}".format(option))


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def enter(paths):
    """Become the first process of a new sandbox and build its root under NEW, beside the
    host's (kept at OLD until settle()). `paths` are (path, real path) pairs of host files
    and folders shown read-only at `path`: the runtime's, the action's code, the repo's
    shared helpers (real paths resolved on the host: inside, an absolute symlink would
    resolve against the staging root).

    Raises Unavailable when the kernel refuses (no user namespaces, AppArmor's restriction,
    seccomp in a container); the process is then unusable for a sandbox, and should exit.
    The next fork() is pid 1 of the new pid namespace."""
    uid, gid = os.geteuid(), os.getegid()
    try:
        flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP
        if uid == 0:
            # Root may map a second id, the action's, to the host's nobody, and may let the
            # action process drop root's supplementary groups (setgroups stays allowed).
            # Only a process outside the new namespace may write such a map: a helper does.
            _unshare_mapped_by_helper(flags, "0 0 1\n{} {} 1".format(ACTION_ID, HOST_NOBODY),
                                      "0 {} 1\n{} {} 1".format(gid, ACTION_ID, HOST_NOBODY))
        else:
            unshare(flags)
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", "{0} {0} 1".format(uid))
            _write("/proc/self/gid_map", "{0} {0} 1".format(gid))
        name = HOSTNAME.encode()
        _check(_libc.sethostname(name, ctypes.c_size_t(len(name))), "sethostname")
        mount(None, "/", None, MS_REC | MS_PRIVATE)
        mount("tmpfs", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")
        os.mkdir(STAGE + NEW)
        os.mkdir(STAGE + OLD)
        _pivot_root(STAGE, STAGE + OLD)
        os.chdir("/")
        _build_root(paths)
        _loopback_up()
    except OSError as error:
        raise Unavailable(str(error)) from None


def _unshare_mapped_by_helper(flags, uid_map, gid_map):
    """unshare(flags), the new user namespace's maps written by a forked helper that stays in
    the parent namespace (the kernel takes a map of more than one's own id only from there)."""
    go_read, go_write = os.pipe()
    done_read, done_write = os.pipe()
    parent = os.getpid()
    helper = os.fork()
    if helper == 0:  # pragma: no cover - reports through the pipe
        os.close(go_write)
        os.close(done_read)
        problem = b""
        try:
            if os.read(go_read, 1):
                _write("/proc/{}/uid_map".format(parent), uid_map)
                _write("/proc/{}/gid_map".format(parent), gid_map)
            else:
                problem = b"-"
        except OSError as error:
            problem = "writing the user namespace's maps: {}".format(error.strerror).encode()
        os.write(done_write, problem or b"+")
        os._exit(0)
    os.close(go_read)
    os.close(done_write)
    try:
        unshare(flags)  # on failure the helper reads nothing, and ends
        os.write(go_write, b"x")
        answer = os.read(done_read, 4096)
    finally:
        os.close(go_write)
        os.close(done_read)
        os.waitpid(helper, 0)
    if answer != b"+":
        raise OSError(errno.EPERM, answer.decode() or "the helper that maps the user namespace ended")


def _build_root(paths):
    mount("tmpfs", NEW, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")
    for path in SYSTEM:
        _show(path)
    os.makedirs(NEW + "/etc")
    for name in ETC:
        _show("/etc/" + name)
    uid, gid = action_ids()
    _write(NEW + "/etc/passwd", "root:x:0:0:root:/tmp:/bin/sh\nsbx_user1051:x:{0}:{1}::/tmp:/bin/sh\n".format(
        uid, gid) if uid else "root:x:0:0:root:/tmp:/bin/sh\n")
    _write(NEW + "/etc/group", "root:x:0:\n")
    _write(NEW + "/etc/hostname", HOSTNAME + "\n")
    _write(NEW + "/etc/hosts", "127.0.0.1 localhost {0}\n::1 localhost {0}\n".format(HOSTNAME))
    for path, real in paths:
        _bind(OLD + real, NEW + path, read_only=True)
    for name in ("proc", "tmp", "dev"):
        os.makedirs(NEW + "/" + name, exist_ok=True)
    mount("tmpfs", NEW + "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755")
    for name in DEVICES:
        _bind(OLD + "/dev/" + name, NEW + "/dev/" + name, read_only=False)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, NEW + "/dev/" + name)
    os.mkdir(NEW + "/dev/shm")
    _remount_read_only(NEW + "/dev")


def _show(path):
    """The host's `path` at the same place in the new root: a symlink as the same symlink
    (its target is shown too, or dangles), a folder or file bound read-only."""
    source = OLD + path
    if os.path.islink(source):
        os.symlink(os.readlink(source), NEW + path)
    elif os.path.exists(source):
        _bind(source, NEW + path, read_only=True)


def _bind(source, target, read_only):
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            open(target, "a").close()
    mount(source, target, None, MS_BIND)
    if read_only:
        _remount_read_only(target)


def _remount_read_only(target):
    kept = os.statvfs(target).f_flag
    flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV
    for st_flag, ms_flag in _KEPT_FLAGS:
        if kept & st_flag:
            flags |= ms_flag
    mount(None, target, None, flags)


def _pivot_root(new, old):
    number = _SYS_PIVOT_ROOT.get(_machine())
    if number is None:
        raise OSError(errno.ENOSYS, "pivot_root: no syscall number known for " + _machine())
    _check(_libc.syscall(number, new.encode(), old.encode()), "pivot_root")


def _loopback_up():
    """The new network namespace has only `lo`, and it starts down."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(sock, 0x8913, request))[1]          # SIOCGIFFLAGS
        fcntl.ioctl(sock, 0x8914, struct.pack("16sh", b"lo", flags | 0x1 | 0x40))     # SIOCSIFFLAGS: UP|RUNNING


def settle():
    """In pid 1 of the new pid namespace: mount its own /proc (the kernel allows it while
    the host's /proc is still mounted in this namespace), then make the new root the only
    one, detaching the host's and the staging tmpfs. Not dumpable: the action, in a child,
    can neither trace it nor read its /proc files."""
    try:
        mount("proc", NEW + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        # No user namespaces of its own for the action: in one it would hold capabilities
        # again, enough to mount a cgroup v2 hierarchy and lift its memory limit.
        _write(NEW + "/proc/sys/user/max_user_namespaces", "0")
        # Its root maps to the host's root when the toolkit runs as root, and /proc/sys judges
        # by uid: the kernel's settings (core_pattern, hostname, drop_caches) read-only here.
        for name in PROC_READ_ONLY:
            path = NEW + "/proc/" + name
            if os.path.exists(path):
                _bind(path, path, read_only=True)
        # /proc/keys lists every key the uid may view, the developer's session's included
        # (the same uid, when the toolkit is not root): shown empty.
        for name in PROC_EMPTY:
            if os.path.exists(NEW + "/proc/" + name):
                _bind(NEW + "/dev/null", NEW + "/proc/" + name, read_only=True)
        _remount_read_only(NEW)
        os.chdir(NEW)
        _pivot_root(".", ".")
        _check(_libc.umount2(b".", ctypes.c_int(MNT_DETACH)), "umount2 old root")
        os.chdir("/")
        prctl(PR_SET_DUMPABLE, 0)
    except OSError as error:
        raise Unavailable(str(error)) from None


def private_tmp(shown):
    """Each run's own mount namespace, with an empty /tmp and /dev/shm, and its own IPC
    namespace (System V segments and queues), all gone with the run: one run leaves another
    nothing there. Of the `shown` paths (the action's code, the helpers), those under /tmp
    are shown again on top, read-only: a test's action folder is often there."""
    unshare(CLONE_NEWNS | CLONE_NEWIPC)
    kept = [(path, os.open(path, os.O_PATH)) for path in shown if path.startswith("/tmp/")]
    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
    for path, fd in kept:
        _bind("/proc/self/fd/{}".format(fd), path, read_only=True)
        os.close(fd)
    mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def action_ids():
    """The (uid, gid) the action process runs as inside: the developer's own ids, or, when
    the toolkit runs as root, ACTION_ID (the host's nobody)."""
    if os.geteuid() == 0 and _outside_uid() == 0:
        return ACTION_ID, ACTION_ID
    return os.getuid(), os.getgid()


def _outside_uid():
    """The host uid this process's uid maps to (its own uid outside any user namespace)."""
    try:
        with open("/proc/self/uid_map") as f:
            for line in f:
                inside, outside, count = (int(n) for n in line.split())
                if inside <= os.geteuid() < inside + count:
                    return outside + os.geteuid() - inside
    except (OSError, ValueError):
        pass
    return os.geteuid()


def drop_privileges():
    """A new session keyring (the developer's is not the action's to read); the unprivileged
    ids of action_ids(); no capabilities in any set, none regained by exec (even of a setuid
    file or as uid 0), no way to raise them again; then the seccomp filter."""
    uid, gid = action_ids()
    _libc.syscall(_SYS_KEYCTL[_machine()], KEYCTL_JOIN_SESSION_KEYRING, None)  # refused later anyway
    try:
        with open("/proc/sys/kernel/cap_last_cap") as f:
            last = int(f.read())
    except (OSError, ValueError):
        last = 63
    for cap in range(last + 1):
        _libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), 0, 0, 0)
    prctl(PR_SET_SECUREBITS, SECUREBITS_LOCKED_NOROOT)
    if uid != os.getuid():
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    _libc.prctl(PR_CAP_AMBIENT, ctypes.c_ulong(PR_CAP_AMBIENT_CLEAR_ALL), 0, 0, 0)
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    _check(_libc.syscall(_SYS_CAPSET[_machine()], ctypes.byref(header), data), "capset")
    prctl(PR_SET_NO_NEW_PRIVS, 1)
    refuse_system_calls()


def limit_processes(limit):
    """At most `limit` processes and threads of the action's uid at once (RLIMIT_NPROC; the
    action has no capability to pass it), where process_limit_holds()."""
    if limit and process_limit_holds():
        resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))


def process_limit_holds():
    """Whether RLIMIT_NPROC counts the action's processes alone: the kernel counts them per user
    namespace since Linux 5.14; earlier, a developer's own processes would count too, so it is
    used only when the action's uid is its own (the toolkit runs as root). The same answer on
    the host and inside."""
    return _NPROC_PER_NAMESPACE or action_ids()[0] == ACTION_ID


# Worked out once, when this module is imported (before the supervisor forks): each run only
# makes the calls (a regular expression compiled per run cost 0.4 ms).
_NPROC_PER_NAMESPACE = tuple(int(n) for n in re.findall(r"\d+", os.uname().release)[:2]) >= (5, 14)


def die_with_parent():
    try:
        prctl(PR_SET_PDEATHSIG, 9)
    except OSError:
        pass


# ---- seccomp: the system calls Lambda refuses -------------------------------------------
# A filter written here rather than a binding from PyPI: this file runs in HubSpot's runtime,
# standard library only, and libseccomp's bindings need the C library installed besides. The
# filter is twenty BPF instructions built once per action process (microseconds).

# Keyrings, tracing, mounts, BPF, perf events, userfaultfd and io_uring: none is needed by
# an action, each is a way past the sandbox or into the kernel.
REFUSED_CALLS = ("keyctl", "add_key", "request_key", "ptrace", "mount", "umount2", "pivot_root", "bpf",
                 "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
                 "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr")
_CALL_NUMBERS = {
    "x86_64": dict(keyctl=250, add_key=248, request_key=249, ptrace=101, mount=165, umount2=166, pivot_root=155,
                   bpf=321, perf_event_open=298, userfaultfd=323),
    "aarch64": dict(keyctl=219, add_key=217, request_key=218, ptrace=117, mount=40, umount2=39, pivot_root=41,
                    bpf=280, perf_event_open=241, userfaultfd=282),
}
_SHARED_NUMBERS = dict(io_uring_setup=425, io_uring_enter=426, io_uring_register=427, open_tree=428, move_mount=429,
                       fsopen=430, fsconfig=431, fsmount=432, fspick=433, mount_setattr=442)
_AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
_X32_BIT = 0x40000000          # x86_64's x32 calls: the same calls under other numbers
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_SockFilter))]


def seccomp_program(machine):
    """The filter's instructions as (code, jt, jf, k): every call of REFUSED_CALLS (and any
    call of another ABI) fails with EPERM, as Lambda's filter answers; the rest are allowed."""
    numbers = dict(_CALL_NUMBERS[machine], **_SHARED_NUMBERS)
    refused = sorted(numbers[name] for name in REFUSED_CALLS)
    deny = [(_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EPERM)]
    checks = [(_JEQ_K, len(refused) - i, 0, nr) for i, nr in enumerate(refused)]  # jump to deny
    checks.append((_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    body = [(_LD_W_ABS, 0, 0, 0)]          # the call's number
    if machine == "x86_64":
        body.append((_JGE_K, len(checks), 0, _X32_BIT))
    body += checks
    # The architecture first: a call of another ABI (int 0x80) has other numbers.
    return [(_LD_W_ABS, 0, 0, 4), (_JEQ_K, 1, 0, _AUDIT_ARCH[machine]), (_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno.EPERM)] \
        + body + deny


def _filter(machine):
    """The filter as the kernel takes it, built once per supervisor (each run only installs
    it); None where the architecture has no table here."""
    if machine not in _CALL_NUMBERS:
        return None
    program = seccomp_program(machine)
    filters = (_SockFilter * len(program))(*[_SockFilter(*instruction) for instruction in program])
    return _SockFprog(len(program), filters), filters


_FILTER = _filter(_machine())


def refuse_system_calls():
    """Install the filter (needs no_new_privs, which drop_privileges set). Where the
    architecture has no table here, nothing is filtered: the namespaces still hold."""
    if _FILTER is not None:
        _check(_libc.prctl(PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER), ctypes.byref(_FILTER[0]), 0, 0),
               "seccomp")
