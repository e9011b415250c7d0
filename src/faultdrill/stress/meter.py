"""Measuring what a stressor achieves, from outside, with psutil.

CPU is the CPU time (user + system) its processes used between two samples,
divided by the wall time between them: psutil's ``cpu_percent`` does the
same sum, but its first call per process returns a meaningless 0.0, and a
stress-ng group gains processes as it forks. We keep our own per-process
baseline instead, keyed by pid and start time so that a reused pid is never
taken for the old process. Time of reaped children is left out: it would
count a finished worker twice.

Memory is the sum of the resident set sizes of the group's processes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psutil

from faultdrill.stress.procgroup import members

ProcessKey = tuple[int, float]

# Shortest interval a CPU reading may span. /proc reports CPU time in 10 ms
# ticks, so a reading over 0.25 s errs by at most 4% of one core per process;
# a shorter call (a stop right after a sample) is left to the next reading.
MIN_INTERVAL_S = 0.25


@dataclass(frozen=True)
class CpuReading:
    cpu_s: float  # CPU seconds the group used since the previous reading
    wall_s: float  # wall seconds since the previous reading


@dataclass
class GroupMeter:
    """CPU and resident memory of one process group, between successive calls."""

    pgid: int
    now: Callable[[], float] = time.monotonic
    _cpu: dict[ProcessKey, float] = field(default_factory=dict)
    _last: float | None = None

    def cpu(self) -> CpuReading | None:
        """CPU used since the last reading; None for the first (a baseline).

        Also None when called sooner than ``MIN_INTERVAL_S`` after the last
        reading; that time then counts towards the next one.
        """
        now, wall = self.now(), time.time()
        if self._last is not None and now - self._last < MIN_INTERVAL_S:
            return None
        current = _cpu_by_process(self.pgid)
        previous, self._last = self._last, now
        if previous is None:
            self._cpu = current
            return None
        interval = now - previous
        used = sum(
            self._used(key, seconds, wall, interval) for key, seconds in current.items()
        )
        self._cpu = current
        return CpuReading(max(used, 0.0), interval)

    def rss(self) -> int:
        return sum(_rss(p) for p in members(self.pgid))

    def _used(
        self, key: ProcessKey, seconds: float, wall: float, interval: float
    ) -> float:
        """CPU seconds of one process inside the last interval.

        A process first seen now counts in full if it started inside the
        interval (a worker forked late); otherwise we cannot tell, and it
        counts from now on.
        """
        if key in self._cpu:
            return seconds - self._cpu[key]
        started_inside = wall - key[1] <= interval
        return seconds if started_inside else 0.0


@dataclass
class HostMeter:
    """Share of the whole host's CPU that was busy between successive calls."""

    _last: tuple[float, float] | None = None  # (busy, total) CPU seconds

    def busy_percent(self) -> float | None:
        times = psutil.cpu_times()
        idle = times.idle + getattr(times, "iowait", 0.0)
        total = sum(times)
        previous, self._last = self._last, (total - idle, total)
        if previous is None or total <= previous[1]:
            return None
        return 100.0 * (total - idle - previous[0]) / (total - previous[1])


def _cpu_by_process(pgid: int) -> dict[ProcessKey, float]:
    found = {}
    for proc in members(pgid):
        try:
            with proc.oneshot():
                times = proc.cpu_times()
                found[(proc.pid, proc.create_time())] = times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return found


def _rss(proc: psutil.Process) -> int:
    try:
        return int(proc.memory_info().rss)
    except psutil.NoSuchProcess:
        return 0
