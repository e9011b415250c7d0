"""What the launcher hands to the Locust processes, and what they hand back.

The plan travels inside the generated locustfile as JSON, so a worker that
fetches the locustfile from the master (``locust -f - --worker``) gets it
too. The result is written by the master (or the only process) when it
quits: raw per-slot figures, which ``faultdrill.load.steps`` turns into
per-step figures in the runner's process.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from faultdrill.load.profile import Schedule
from faultdrill.slo.model import (
    AvailabilitySli,
    ErrorRatioSli,
    LatencySli,
    Request,
    Slo,
)

# Figures are kept per quarter second: fine enough to split steps cleanly,
# coarse enough that a ten-minute run keeps 2,400 slots.
SLOT_S = 0.25
# Each step's first second is spawning and settling; the steady rate is
# counted after it.
DEFAULT_WARMUP_S = 1.0


class CriterionKind(enum.StrEnum):
    AVAILABILITY = "availability"
    LATENCY = "latency"
    ERROR_RATIO = "error-ratio"


class Criterion(BaseModel):
    """One SLO as the load generator judges each request against it."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: CriterionKind
    objective: float
    threshold_ms: float | None = None

    @classmethod
    def of(cls, slo: Slo) -> Criterion:
        sli = slo.sli
        if isinstance(sli, LatencySli):
            kind, threshold = CriterionKind.LATENCY, sli.threshold_ms
        elif isinstance(sli, ErrorRatioSli):
            kind, threshold = CriterionKind.ERROR_RATIO, None
        else:
            assert isinstance(sli, AvailabilitySli)
            kind, threshold = CriterionKind.AVAILABILITY, None
        return cls(
            name=slo.name, kind=kind, objective=slo.objective, threshold_ms=threshold
        )

    def is_good(self, status: int | None, latency_ms: float) -> bool:
        """As ``faultdrill.slo.model`` defines good; status None: no answer."""
        if self.kind is CriterionKind.AVAILABILITY:
            return status is not None and 200 <= status < 300
        if self.kind is CriterionKind.ERROR_RATIO:
            return status is not None and status < 500
        assert self.threshold_ms is not None
        return status is not None and latency_ms <= self.threshold_ms


class PlannedStep(BaseModel):
    model_config = ConfigDict(frozen=True)

    index: int
    rate: float
    start_s: float
    end_s: float
    users: int


class LoadPlan(BaseModel):
    model_config = ConfigDict(frozen=True)

    target: str
    request: Request | None = None  # the default user's; None with a locustfile
    locustfile: str | None = None
    steps: list[PlannedStep] = Field(min_length=1)
    user_rate: float
    criteria: list[Criterion] = Field(default_factory=list)
    parent_pid: int
    result_path: str
    slot_s: float = SLOT_S

    @classmethod
    def build(
        cls,
        target: str,
        schedule: Schedule,
        parent_pid: int,
        result_path: Path,
        request: Request | None = None,
        locustfile: Path | None = None,
        criteria: list[Criterion] | None = None,
    ) -> LoadPlan:
        steps = [
            PlannedStep(
                index=s.index,
                rate=s.rate,
                start_s=s.start_s,
                end_s=s.end_s,
                users=s.users,
            )
            for s in schedule.steps
        ]
        return cls(
            target=target,
            request=request,
            locustfile=None if locustfile is None else str(locustfile),
            steps=steps,
            user_rate=schedule.user_rate,
            criteria=criteria or [],
            parent_pid=parent_pid,
            result_path=str(result_path),
        )

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True)

    @property
    def duration_s(self) -> float:
        return self.steps[-1].end_s


class SlotFigures(BaseModel):
    """What happened in one slot (requests that started in it), merged."""

    requests: int = 0
    failures: int = 0
    statuses: dict[str, int] = Field(default_factory=dict)  # "0": no answer
    hdr: str | None = None  # HdrHistogram of latency (microseconds), encoded
    slo: dict[str, list[int]] = Field(default_factory=dict)  # name -> [good, bad]


class CpuSample(BaseModel):
    at: float  # epoch seconds
    host_pct: float  # all cores together, since the previous sample
    generator_cpu_s: float  # CPU seconds used by the Locust processes so far


class LoadOutput(BaseModel):
    """The raw result the Locust master writes when it quits."""

    started_at: float  # epoch of the shape's first tick
    stopped_at: float
    slot_s: float
    slots: dict[str, SlotFigures]  # key: int(epoch / slot_s)
    cpu: list[CpuSample] = Field(default_factory=list)
    workers: int = 0
    locust_totals: dict[str, Any] = Field(default_factory=dict)
