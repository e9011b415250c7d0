"""Judging achieved against target: tolerances, settling, ramps."""

from __future__ import annotations

import pytest

from faultdrill.stress.model import CpuTarget, MemoryTarget, Sample
from faultdrill.stress.verdict import Verdict, judge

CPU = CpuTarget(percent=50, cores=1, duration_s=10)


def cpu_samples(*achieved: float) -> list[Sample]:
    return [Sample(0.0, 1.0 + i, 50.0, a) for i, a in enumerate(achieved)]


@pytest.mark.parametrize(
    ("achieved", "verdict"),
    [
        ((50.0, 50.0), Verdict.ON_TARGET),
        ((46.0, 45.0), Verdict.ON_TARGET),
        ((44.0, 44.9), Verdict.SHORT),
        ((56.0, 55.1), Verdict.OVER),
        ((0.0, 100.0), Verdict.ON_TARGET),  # the mean only; see the series
    ],
)
def test_cpu_is_judged_within_five_points(
    achieved: tuple[float, ...], verdict: Verdict
) -> None:
    assert judge(CPU, cpu_samples(*achieved)).verdict is verdict


def test_no_settled_sample_is_pending_not_a_pass() -> None:
    early = [Sample(0.0, 0.2, 50.0, 50.0)]
    judgement = judge(CPU, early)
    assert judgement.verdict is Verdict.PENDING
    assert judgement.samples == 0


def test_memory_ramp_is_judged_only_once_complete() -> None:
    target = MemoryTarget(1000, duration_s=10, ramp_s=4)
    during = [Sample(0.0, t, target.at(t), 0.0) for t in (1.0, 2.0, 3.0)]
    after = [Sample(0.0, t, 1000.0, 960.0) for t in (5.0, 6.0)]

    judgement = judge(target, during + after)

    assert judgement.verdict is Verdict.ON_TARGET
    assert judgement.samples == 2


def test_memory_five_percent_short_is_short() -> None:
    target = MemoryTarget(1000, duration_s=10)
    assert judge(target, [Sample(0.0, 2.0, 1000.0, 940.0)]).verdict is Verdict.SHORT
