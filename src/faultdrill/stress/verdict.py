"""Did a stressor hold its target? Judged from its samples, never assumed."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from faultdrill.stress.model import CpuTarget, MemoryTarget, Sample, Target

# Tolerances of the acceptance criteria: CPU within ±5 percentage points of
# the target share, resident memory within ±5% of the target size.
CPU_TOLERANCE_PP = 5.0
MEMORY_TOLERANCE = 0.05

# Samples this soon after the start are left out: Python workers need about
# 0.1 s to start, and the first interval mixes start-up with load.
SETTLE_S = 0.5


class Verdict(enum.StrEnum):
    ON_TARGET = "on-target"
    SHORT = "short"  # achieved less than the target: busy host, memory limit
    OVER = "over"  # achieved more: e.g. a stressor with large overhead
    PENDING = "pending"  # no settled sample yet


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    target: float  # mean target over the settled samples
    achieved: float  # mean achieved over the settled samples
    samples: int  # how many samples the means stand on

    def describe(self, unit: str) -> str:
        if self.verdict is Verdict.PENDING:
            return "no measurement yet"
        return (
            f"{self.verdict.value}: achieved {self.achieved:.1f} against "
            f"{self.target:.1f} {unit} over {self.samples} samples"
        )


def judge(target: Target, samples: Sequence[Sample]) -> Judgement:
    """Compare the mean achieved with the mean target, after settling.

    A memory ramp is judged only once it is complete: a ramp is a target
    moving on purpose, and a resident size lags behind it by design.
    """
    settled = [s for s in samples if s.elapsed_s >= _settle_time(target)]
    if not settled:
        return Judgement(Verdict.PENDING, 0.0, 0.0, 0)
    wanted = sum(s.target for s in settled) / len(settled)
    achieved = sum(s.achieved for s in settled) / len(settled)
    tolerance = _tolerance(target, wanted)
    verdict = Verdict.ON_TARGET
    if achieved < wanted - tolerance:
        verdict = Verdict.SHORT
    elif achieved > wanted + tolerance:
        verdict = Verdict.OVER
    return Judgement(verdict, wanted, achieved, len(settled))


def _settle_time(target: Target) -> float:
    if isinstance(target, MemoryTarget):
        return target.ramp_s + SETTLE_S
    return SETTLE_S


def _tolerance(target: CpuTarget | MemoryTarget, wanted: float) -> float:
    if isinstance(target, CpuTarget):
        return CPU_TOLERANCE_PP
    return MEMORY_TOLERANCE * wanted
