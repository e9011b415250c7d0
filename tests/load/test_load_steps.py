"""Per-step figures from per-slot output, without running Locust."""

from __future__ import annotations

import pytest

from faultdrill.load.plan import (
    CpuSample,
    Criterion,
    CriterionKind,
    LoadOutput,
    PlannedStep,
)
from faultdrill.load.recorder import Recorder
from faultdrill.load.steps import step_figures

START = 1_700_000_000.0  # a whole number of slots
LATENCY = Criterion(
    name="p95", kind=CriterionKind.LATENCY, objective=95, threshold_ms=100
)
AVAILABLE = Criterion(
    name="up", kind=CriterionKind.AVAILABILITY, objective=98
)  # 149 samples


def output_of(recorder: Recorder, cpu: list[CpuSample] | None = None) -> LoadOutput:
    return LoadOutput(
        started_at=START,
        stopped_at=START + 10,
        slot_s=0.25,
        slots=recorder.figures(),
        cpu=cpu or [],
    )


def steps() -> list[PlannedStep]:
    return [
        PlannedStep(index=0, rate=50, start_s=0, end_s=4, users=5),
        PlannedStep(index=1, rate=100, start_s=4, end_s=8, users=10),
    ]


def record(
    recorder: Recorder,
    rate: float,
    start: float,
    end: float,
    latency_ms: float,
    status: int = 200,
) -> None:
    n = round((end - start) * rate)
    for i in range(n):
        recorder.record(START + start + i / rate, latency_ms, status, status >= 400)


def test_each_step_gets_its_own_rate_latency_and_verdicts() -> None:
    recorder = Recorder([LATENCY, AVAILABLE], 0.25)
    record(recorder, 50, 0, 4, latency_ms=20)
    record(recorder, 100, 4, 8, latency_ms=300)
    first, second = step_figures(
        output_of(recorder), steps(), [LATENCY, AVAILABLE], cores=2
    )
    assert first.steady_rps == pytest.approx(50) and second.steady_rps == pytest.approx(
        100
    )
    assert first.latency.p95_ms == pytest.approx(20, rel=0.01)
    assert second.latency.p50_ms == pytest.approx(300, rel=0.01)
    assert first.held and first.slo["p95"].bad == 0
    assert not second.held and second.slo["p95"].status.value == "deviated"
    assert second.slo["up"].status.value == "held"


def test_the_warm_up_is_left_out_of_the_steady_rate() -> None:
    recorder = Recorder([], 0.25)
    record(recorder, 10, 0, 1, latency_ms=5)  # spawning: a tenth of the rate
    record(recorder, 100, 1, 4, latency_ms=5)
    (first,) = step_figures(output_of(recorder), steps()[:1], [], cores=2)
    assert first.steady_rps == pytest.approx(100)
    assert first.achieved_rps == pytest.approx((10 + 300) / 4)


def test_failures_and_statuses_are_counted_per_step() -> None:
    recorder = Recorder([AVAILABLE], 0.25)
    record(recorder, 50, 0, 2, latency_ms=5)
    record(recorder, 50, 2, 4, latency_ms=5, status=503)
    (first,) = step_figures(output_of(recorder), steps()[:1], [AVAILABLE], cores=2)
    assert first.statuses == {"200": 100, "503": 100}
    assert first.failures == 100 and first.slo["up"].status.value == "deviated"


def test_saturation_comes_from_the_samples_inside_the_step() -> None:
    cpu = [
        CpuSample(at=START + t, host_pct=40, generator_cpu_s=0.2 * t)
        for t in (1.5, 2.5, 3.5, 5.5)
    ]
    (first,) = step_figures(
        output_of(Recorder([], 0.25), cpu), steps()[:1], [], cores=2
    )
    assert first.saturation.host_cpu_pct == 40
    assert first.saturation.generator_cpu_pct == pytest.approx(20)


def test_slots_merged_from_workers_add_up() -> None:
    master, one, two = (
        Recorder([AVAILABLE], 0.25),
        Recorder([AVAILABLE], 0.25),
        Recorder([AVAILABLE], 0.25),
    )
    record(one, 25, 0, 4, latency_ms=10)
    record(two, 25, 0, 4, latency_ms=30)
    master.merge(one.drain())
    master.merge(two.drain())
    (first,) = step_figures(output_of(master), steps()[:1], [AVAILABLE], cores=2)
    assert first.requests == 200 and first.slo["up"].good == 200
    assert first.latency.p50_ms == pytest.approx(10, rel=0.01)
    assert first.latency.max_ms == pytest.approx(30, rel=0.01)
    assert one.drain() == {}
