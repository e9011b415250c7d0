"""A load run from start to result: profile in, per-step figures out.

    result = run_load(LoadRun(target="http://127.0.0.1:8780",
                              profile=ConstantProfile(type="constant", rate=200,
                                                      duration_s=30)))

The figures are faultdrill's own, recorded inside Locust: rates per step
(and after each step's warm-up), latency counted from the time each request
was due, statuses, per-SLO good and bad counts, and the golden signals;
Locust's own totals come along for comparison.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from faultdrill.errors import InvalidInput
from faultdrill.load import golden
from faultdrill.load.launch import SOURCE, Topology, run_locust
from faultdrill.load.plan import Criterion, LoadOutput, LoadPlan
from faultdrill.load.profile import ConstantProfile, Schedule, StepsProfile, schedule_of
from faultdrill.load.steps import (
    StepFigures,
    latency_of,
    run_window,
    saturation_in,
    step_figures,
)
from faultdrill.slo.model import Request

log = logging.getLogger(__name__)

DEFAULT_REQUEST = Request(path="/")


@dataclass(frozen=True)
class LoadRun:
    target: str
    profile: ConstantProfile | StepsProfile
    request: Request = DEFAULT_REQUEST  # the default user's, without a locustfile
    locustfile: Path | None = None
    topology: Topology = field(default_factory=Topology)
    criteria: list[Criterion] = field(default_factory=list)

    def check(self) -> None:
        if self.locustfile is not None and not self.locustfile.is_file():
            raise InvalidInput.single(
                SOURCE,
                "locustfile",
                f"{self.locustfile} is not a file; give the path of a locustfile",
            )


@dataclass(frozen=True)
class LoadResult:
    run: LoadRun
    schedule: Schedule
    steps: list[StepFigures]
    signals: golden.GoldenSignals
    workers: int
    locust_totals: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.run.target,
            "profile": self.run.profile.model_dump(mode="json"),
            "locustfile": None
            if self.run.locustfile is None
            else str(self.run.locustfile),
            "user_rate": self.schedule.user_rate,
            "workers": self.workers,
            "steps": [s.to_json() for s in self.steps],
            "golden_signals": self.signals.to_json(),
            "locust_totals": self.locust_totals,
        }


def run_load(run: LoadRun) -> LoadResult:
    run.check()
    schedule = schedule_of(run.profile)
    log.info(
        "load on %s: %s, %d users at %g/s each at most",
        run.target,
        ", ".join(f"{s.rate:g}/s" for s in schedule.steps),
        schedule.max_users,
        schedule.user_rate,
    )

    def plan_for(result_path: Path) -> LoadPlan:
        return LoadPlan.build(
            target=run.target,
            schedule=schedule,
            parent_pid=os.getpid(),
            result_path=result_path,
            request=run.request if run.locustfile is None else None,
            locustfile=run.locustfile,
            criteria=run.criteria,
        )

    output = run_locust(plan_for, run.target, run.topology)
    return _result(run, schedule, output)


def _result(run: LoadRun, schedule: Schedule, output: LoadOutput) -> LoadResult:
    cores = psutil.cpu_count() or 1
    planned = LoadPlan.build(run.target, schedule, 0, Path("-")).steps
    steps = step_figures(output, planned, run.criteria, cores)
    return LoadResult(
        run=run,
        schedule=schedule,
        steps=steps,
        signals=_signals(output, planned, cores),
        workers=output.workers,
        locust_totals=output.locust_totals,
    )


def _signals(output: LoadOutput, planned: Any, cores: int) -> golden.GoldenSignals:
    window = run_window(output, planned)
    slots, seconds = window.slots(output)
    requests = sum(s.requests for s in slots)
    failures = sum(s.failures for s in slots)
    return golden.GoldenSignals(
        latency=latency_of(slots),
        traffic_rps=requests / seconds if seconds else 0.0,
        requests=requests,
        errors=failures,
        error_ratio=failures / requests if requests else None,
        rejected=sum(
            s.statuses.get("429", 0) + s.statuses.get("503", 0) for s in slots
        ),
        saturation=saturation_in(output, window, cores),
    )
