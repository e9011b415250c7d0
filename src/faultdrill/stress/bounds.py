"""What a stressor may ask for: the host's capacity and the blast radius.

Every check runs before anything is started, and all problems of one request
are reported together, each naming the argument, its value and what is
allowed.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import psutil

from faultdrill.errors import InvalidInput, Problem
from faultdrill.stress.model import CpuTarget, MemoryTarget

SOURCE = "stress"

MIB = 1024 * 1024

# Memory left untouched by a memory stressor: the runner, the service under
# test and the kernel need room, and the OOM killer picks its victim by size,
# not by who asked. 10% of RAM, and never less than 256 MiB on small hosts;
# our own choice, erring on the side of the service.
MARGIN_SHARE = 0.10
MARGIN_MIN_BYTES = 256 * MIB

CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class Capacity:
    """What this host (and our cgroup) can give."""

    cores: int
    total_memory: int
    available_memory: int

    @property
    def memory_margin(self) -> int:
        return max(int(self.total_memory * MARGIN_SHARE), MARGIN_MIN_BYTES)

    @property
    def memory_allowed(self) -> int:
        return max(self.available_memory - self.memory_margin, 0)


@dataclass(frozen=True)
class Limits:
    """The blast radius for stress, from the experiment; None means no limit."""

    max_percent: float | None = None
    max_cores: int | None = None
    max_memory_bytes: int | None = None
    max_duration_s: float | None = None


def host_capacity() -> Capacity:
    """Cores we may run on and memory we may take, cgroup v2 limits included."""
    cores = len(os.sched_getaffinity(0))
    quota = _cgroup_cpu_cores()
    if quota is not None:
        cores = max(1, min(cores, quota))
    memory = psutil.virtual_memory()
    total, available = memory.total, memory.available
    limit = _cgroup_memory_room()
    if limit is not None:
        total, available = min(total, limit[0]), min(available, limit[1])
    return Capacity(cores, total, available)


def check_cpu(
    percent: float,
    cores: int | None,
    duration_s: float,
    capacity: Capacity,
    limits: Limits | None = None,
) -> CpuTarget:
    """A valid CPU target, or InvalidInput listing every problem."""
    lim = limits or Limits()
    problems = _duration_problems(duration_s, lim)
    if not 0 < percent <= 100:
        problems.append(_problem("percent", percent, "must be in (0, 100]"))
    elif lim.max_percent is not None and percent > lim.max_percent:
        allowed = f"the blast radius allows at most {lim.max_percent}"
        problems.append(_problem("percent", percent, allowed))
    used = capacity.cores if cores is None else cores
    problems += _cores_problems(used, capacity, lim)
    if problems:
        raise InvalidInput(problems)
    return CpuTarget(float(percent), used, float(duration_s))


def check_memory(
    megabytes: float,
    duration_s: float,
    ramp_s: float,
    capacity: Capacity,
    limits: Limits | None = None,
) -> MemoryTarget:
    """A valid memory target (``megabytes`` in MiB), or InvalidInput."""
    lim = limits or Limits()
    problems = _duration_problems(duration_s, lim)
    size = int(megabytes * MIB)
    if megabytes <= 0:
        problems.append(_problem("megabytes", megabytes, "must be more than 0"))
    elif size > capacity.memory_allowed:
        room = (
            f"only {capacity.memory_allowed // MIB} MiB may be taken: "
            f"{capacity.available_memory // MIB} MiB available less a safety "
            f"margin of {capacity.memory_margin // MIB} MiB"
        )
        problems.append(_problem("megabytes", megabytes, room))
    elif lim.max_memory_bytes is not None and size > lim.max_memory_bytes:
        allowed = f"the blast radius allows at most {lim.max_memory_bytes // MIB} MiB"
        problems.append(_problem("megabytes", megabytes, allowed))
    if not 0 <= ramp_s <= max(duration_s, 0):
        ramp = f"must be between 0 and duration_s ({duration_s})"
        problems.append(_problem("ramp_s", ramp_s, ramp))
    if problems:
        raise InvalidInput(problems)
    return MemoryTarget(size, float(duration_s), float(ramp_s))


def _duration_problems(duration_s: float, lim: Limits) -> list[Problem]:
    if not (duration_s > 0 and math.isfinite(duration_s)):
        return [_problem("duration_s", duration_s, "must be a number above 0")]
    if lim.max_duration_s is not None and duration_s > lim.max_duration_s:
        allowed = f"the blast radius allows at most {lim.max_duration_s} s"
        return [_problem("duration_s", duration_s, allowed)]
    return []


def _cores_problems(cores: int, capacity: Capacity, lim: Limits) -> list[Problem]:
    if cores < 1:
        return [_problem("cores", cores, "must be at least 1, or omitted for all")]
    if cores > capacity.cores:
        return [_problem("cores", cores, f"this host has {capacity.cores}")]
    if lim.max_cores is not None and cores > lim.max_cores:
        allowed = f"the blast radius allows at most {lim.max_cores}"
        return [_problem("cores", cores, allowed)]
    return []


def _problem(name: str, value: object, allowed: str) -> Problem:
    return Problem(SOURCE, name, f"{value!r} is out of bounds: {allowed}")


# TODO(cgroup ancestors): only our own cgroup's cpu.max and memory.max are
# read; a tighter limit set on a parent cgroup is missed, and the stressor
# then reports itself short instead of being refused up front.
def _own_cgroup() -> Path | None:
    """Our cgroup v2 directory, from the ``0::/path`` line of /proc/self/cgroup."""
    try:
        lines = Path("/proc/self/cgroup").read_text(encoding="ascii").splitlines()
    except OSError:
        return None
    for line in lines:
        if line.startswith("0::"):
            return CGROUP_ROOT / line[3:].lstrip("/")
    return None


def _cgroup_cpu_cores() -> int | None:
    """Cores granted by ``cpu.max`` (quota / period, rounded up), if limited."""
    group = _own_cgroup()
    text = _read(group / "cpu.max") if group else None
    if not text or text.split()[0] == "max":
        return None
    quota, period = (int(v) for v in text.split()[:2])
    return math.ceil(quota / period)


def _cgroup_memory_room() -> tuple[int, int] | None:
    """(limit, limit - usage) from ``memory.max``, if the cgroup is limited."""
    group = _own_cgroup()
    limit = _read(group / "memory.max") if group else None
    usage = _read(group / "memory.current") if group else None
    if not limit or limit == "max" or not usage:
        return None
    return int(limit), max(int(limit) - int(usage), 0)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip()
    except OSError:
        return None
