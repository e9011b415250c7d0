"""What a stressor is asked to do, and what was measured while it ran."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.StrEnum):
    CPU = "cpu"
    MEMORY = "memory"


class Engine(enum.StrEnum):
    """Who generates the load: our own workers, or stress-ng when installed."""

    BUILTIN = "builtin"
    STRESS_NG = "stress-ng"


class State(enum.StrEnum):
    RUNNING = "running"
    FINISHED = "finished"  # ran for its whole duration and stopped itself
    STOPPED = "stopped"  # stopped on request (rollback, abort)
    FAILED = "failed"  # ended early on its own: killed, crashed, parent gone


@dataclass(frozen=True)
class CpuTarget:
    """``percent`` of each of ``cores`` cores, for ``duration_s`` seconds."""

    percent: float
    cores: int
    duration_s: float

    @property
    def unit(self) -> str:
        return "percent of each core"


@dataclass(frozen=True)
class MemoryTarget:
    """``size_bytes`` resident, reached linearly over ``ramp_s``, held to the end."""

    size_bytes: int
    duration_s: float
    ramp_s: float = 0.0

    @property
    def unit(self) -> str:
        return "bytes resident"

    def at(self, elapsed_s: float) -> float:
        """The resident size wanted ``elapsed_s`` seconds after the start."""
        if self.ramp_s <= 0 or elapsed_s >= self.ramp_s:
            return float(self.size_bytes)
        return self.size_bytes * max(elapsed_s, 0.0) / self.ramp_s


Target = CpuTarget | MemoryTarget


def kind_of(target: Target) -> Kind:
    return Kind.CPU if isinstance(target, CpuTarget) else Kind.MEMORY


@dataclass(frozen=True)
class Sample:
    """One measurement: the target then, and what the stressor achieved.

    ``achieved`` is in the target's unit: percent of each core for CPU
    (averaged over the cores asked for), bytes resident for memory.
    """

    wall: float
    elapsed_s: float
    target: float
    achieved: float


@dataclass(frozen=True)
class Member:
    """One process of a stressor, identified beyond its pid by its start time."""

    pid: int
    create_time: float


@dataclass(frozen=True)
class Record:
    """What the registry keeps of a running stressor, enough to kill it later."""

    stressor_id: str
    kind: Kind
    engine: Engine
    pgid: int
    members: tuple[Member, ...]
    started_wall: float
    duration_s: float
    target: Target
    owner: Member | None = None  # the runner that started it
