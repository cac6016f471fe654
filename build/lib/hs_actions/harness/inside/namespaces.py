"""The system calls that build a run's sandbox, made from inside HubSpot's runtime interpreter.

Python 3.9 syntax, standard library only (ctypes for unshare, mount, pivot_root, prctl and
capset, which Python 3.9 does not wrap): boot.py imports it before it enters the sandbox. What
each step does and why is in the sandbox package's docstring (hs_actions/harness/sandbox/__init__.py).

    enter(paths)        the sandbox's first process: user, mount, network and pid namespaces,
                        the read-only root built beside the host's, loopback up
    settle()            pid 1 of the new pid namespace: a fresh /proc, no more user namespaces,
                        then the new root only
    private_tmp()       each run: its own empty /tmp and /dev/shm
    drop_privileges()   each run, last: no capabilities, now or after any exec
"""
import ctypes
import errno
import fcntl
import os
import socket
import struct

CLONE_NEWNS = 0x00020000
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
        unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID)
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", "{0} {0} 1".format(uid))
        _write("/proc/self/gid_map", "{0} {0} 1".format(gid))
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


def _build_root(paths):
    mount("tmpfs", NEW, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")
    for path in SYSTEM:
        _show(path)
    os.makedirs(NEW + "/etc")
    for name in ETC:
        _show("/etc/" + name)
    _write(NEW + "/etc/passwd", "root:x:0:0:root:/tmp:/bin/sh\nsbx_user:x:{0}:{1}::/tmp:/bin/sh\n".format(
        os.getuid(), os.getgid()) if os.getuid() else "root:x:0:0:root:/tmp:/bin/sh\n")
    _write(NEW + "/etc/group", "root:x:0:\n")
    _write(NEW + "/etc/hosts", "127.0.0.1 localhost\n::1 localhost\n")
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
        _remount_read_only(NEW)
        os.chdir(NEW)
        _pivot_root(".", ".")
        _check(_libc.umount2(b".", ctypes.c_int(MNT_DETACH)), "umount2 old root")
        os.chdir("/")
        prctl(PR_SET_DUMPABLE, 0)
    except OSError as error:
        raise Unavailable(str(error)) from None


def private_tmp(shown):
    """Each run's own mount namespace, with an empty /tmp and /dev/shm (gone with the run).
    Of the `shown` paths (the action's code, the helpers), those under /tmp are shown again
    on top, read-only: a test's action folder is often there."""
    unshare(CLONE_NEWNS)
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


def drop_privileges():
    """No capabilities in any set, none regained by exec (even of a setuid file or as uid 0),
    and no way to raise them again."""
    try:
        with open("/proc/sys/kernel/cap_last_cap") as f:
            last = int(f.read())
    except (OSError, ValueError):
        last = 63
    for cap in range(last + 1):
        _libc.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), 0, 0, 0)
    prctl(PR_SET_SECUREBITS, SECUREBITS_LOCKED_NOROOT)
    _libc.prctl(PR_CAP_AMBIENT, ctypes.c_ulong(PR_CAP_AMBIENT_CLEAR_ALL), 0, 0, 0)
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    _check(_libc.syscall(_SYS_CAPSET[_machine()], ctypes.byref(header), data), "capset")
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def die_with_parent():
    try:
        prctl(PR_SET_PDEATHSIG, 9)
    except OSError:
        pass
