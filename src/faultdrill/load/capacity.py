"""Capacity: the highest request rate at which every SLO still holds.

A stepped profile raises the rate step by step; each step's requests are
judged against the SLOs (latency counted from the time each was due, so a
service that falls behind shows it). The capacity is the steady rate the
service actually served in the last step that held, with every step below
it held too. When every step held, that figure is a lower bound: the
service may take more.

A step whose rate the load generator itself could not reach says nothing
about the service; it is marked, and the generator's CPU shows why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from faultdrill.load.run import LoadResult, LoadRun, run_load
from faultdrill.load.steps import StepFigures

log = logging.getLogger(__name__)

# A step that got less than this share of its rate was limited by something:
# the generator (see its CPU) or a service that stalls every connection.
REACHED_SHARE = 0.95


@dataclass(frozen=True)
class CapacityResult:
    load: LoadResult
    capacity_rps: float | None
    capacity_step: int | None
    lower_bound: bool  # every step held
    breach: str | None  # why the first step that did not hold did not

    def to_json(self) -> dict[str, Any]:
        return {
            "capacity_rps": self.capacity_rps,
            "capacity_step": self.capacity_step,
            "capacity_is_lower_bound": self.lower_bound,
            "breach": self.breach,
            "summary": summary(self),
            "steps": [table_row(s) for s in self.load.steps],
            "slos": [c.name for c in self.load.run.criteria],
            "load": self.load.to_json(),
        }


# TODO(early stop): every step runs, even above the first breach. The shape
# on the master could stop once a step breaks, but workers report every 3 s
# (locust.runners.WORKER_REPORT_INTERVAL), so a breach is known a step late;
# stopping in local mode only would make the two modes differ.
def find_capacity(run: LoadRun) -> CapacityResult:
    if not run.criteria:
        raise ValueError("a capacity run needs at least one SLO to judge steps by")
    result = judge(run_load(run))
    log.info("%s", summary(result))
    return result


def judge(load: LoadResult) -> CapacityResult:
    capacity: StepFigures | None = None
    for step in load.steps:
        if not step.held:
            return CapacityResult(
                load, _rate(capacity), _index(capacity), False, _why(step)
            )
        capacity = step
    return CapacityResult(load, _rate(capacity), _index(capacity), True, None)


def summary(result: CapacityResult) -> str:
    if result.capacity_rps is None:
        return f"no capacity found: the first step broke ({result.breach})"
    figure = f"{result.capacity_rps:.0f} requests/s"
    if result.lower_bound:
        return f"capacity at least {figure}: every step held"
    return f"capacity {figure}; above it {result.breach}"


def table_row(step: StepFigures) -> dict[str, Any]:
    """One row of the report's capacity table."""
    row: dict[str, Any] = {
        "step": step.index + 1,
        "target_rps": step.target_rps,
        "achieved_rps": _round(step.steady_rps),
        "p95_ms": _round(step.latency.p95_ms),
        "p99_ms": _round(step.latency.p99_ms),
        "errors": step.failures,
    }
    row |= {name: count.status.value for name, count in step.slo.items()}
    row["held"] = step.held
    row["generator_cpu_pct"] = _round(step.saturation.generator_cpu_pct)
    row["reached"] = reached(step)
    return row


def reached(step: StepFigures) -> bool:
    return (
        step.steady_rps is not None
        and step.steady_rps >= REACHED_SHARE * step.target_rps
    )


def _why(step: StepFigures) -> str:
    broken = [
        f"{name} {c.status.value} ({c.bad} of {c.good + c.bad} bad)"
        for name, c in step.slo.items()
        if c.status.value != "held"
    ]
    where = f"at {step.target_rps:g}/s"
    if not reached(step):
        where += f" (only {step.steady_rps or 0:.0f}/s reached)"
    return f"{', '.join(broken)} {where}"


def _rate(step: StepFigures | None) -> float | None:
    return None if step is None else step.steady_rps


def _index(step: StepFigures | None) -> int | None:
    return None if step is None else step.index


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
