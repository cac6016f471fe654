"""One action process as the toolkit watches it: its memory, its cgroup, and stopping it.

HubSpot counts an execution's memory from a cold start; a process forked from a supervisor
that has imported the libraries already starts lower, so its figure is adjusted to what a
cold start would hold (see Worker). Where a memory cgroup can be made, the kernel counts and
enforces; elsewhere the runner samples what is counted here.
"""
from __future__ import annotations

import os
import signal

from hs_actions.harness import sandbox
from hs_actions.harness.lazily import psutil
from hs_actions.harness.zygote import Zygote


class Worker:
    """One action process, forked by a zygote's supervisor, and what watches its memory.

    `floor` is the file-backed resident memory (shared libraries, mapped modules) of the
    supervisor it was forked from, and `baseline` all of its resident memory. A forked process
    maps those pages lazily (so its own figure starts low where a freshly started interpreter's
    would not) and is charged in its cgroup only for the pages it touches first. Memory is
    counted as what a cold start of the same action would hold: anonymous memory plus the
    larger of the two file-backed figures, or the baseline plus the cgroup's charge.
    """

    def __init__(self, zygote: Zygote, pid: int):
        self.zygote = zygote
        self.pid = pid
        self.cgroup: sandbox.Cgroup | None = None
        try:
            self.process = psutil.Process(pid)
        except psutil.Error:  # already gone: the run reports it
            self.process = None
        self.floor = self.baseline = 0

    def measure_baseline(self) -> None:
        """Read the floor and the baseline: once it is in its cgroup, before its run."""
        self.floor = sum(_status_kb(self.zygote.pid, "RssFile", "RssShmem")) * 1024
        self.baseline = sum(_status_kb(self.pid, "VmRSS")) * 1024

    def footprint(self, processes: list[psutil.Process]) -> int:
        """Resident bytes of the worker (adjusted as above) and of the given descendants."""
        if self.cgroup is not None:
            return self.baseline + self.cgroup.usage()
        total = 0
        for proc in processes:
            try:
                info = proc.memory_info()
            except psutil.Error:
                continue
            shared = getattr(info, "shared", 0)
            floor = self.floor if proc is self.process else 0
            total += info.rss - shared + max(shared, floor)
        return total

    def processes(self) -> list[psutil.Process]:
        """The worker and every process it started that is still running."""
        if self.cgroup is not None or self.process is None:
            return []
        try:
            children = self.process.children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        return [self.process, *(c for c in children if _running(c))]

    def stop(self) -> None:
        """SIGKILL it and everything it started (the supervisor reaps them)."""
        if self.cgroup is not None:
            self.cgroup.kill()
            return
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for proc in self.processes():
            try:
                proc.kill()
            except psutil.Error:
                pass

    def release(self) -> None:
        if self.cgroup is not None:
            self.cgroup.remove()


def _status_kb(pid: int, *names: str) -> list[int]:
    """Fields of /proc/PID/status, in kB (none when it cannot be read)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
        return [int(fields[name].split()[0]) for name in names]
    except (OSError, KeyError, ValueError):
        return []


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
