"""The verdict on one SLO from a set of measured events.

    HELD          enough evidence that the good ratio is at least the objective
    DEVIATED      the observed good ratio is below the objective, and by more
                  than chance would explain
    INCONCLUSIVE  neither: too few events to tell; never reported as held

Both tests are one-sided binomial tests at ``confidence`` against a service
sitting exactly on its objective (see faultdrill.slo.stats).
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TypeVar

from pydantic import BaseModel, ConfigDict

from faultdrill.slo import stats
from faultdrill.slo.latency import LatencySummary, summarise
from faultdrill.slo.model import AvailabilitySli, ErrorRatioSli, LatencySli, Slo
from faultdrill.slo.outcome import Outcome

# DESIGN.md: a verdict says whether its samples "are enough to claim the
# percentile at 95% confidence".
DEFAULT_CONFIDENCE = 0.95


class VerdictStatus(enum.StrEnum):
    HELD = "held"
    DEVIATED = "deviated"
    INCONCLUSIVE = "inconclusive"


class SloVerdict(BaseModel):
    """What the events say about one SLO; ``model_dump(mode="json")`` for files."""

    model_config = ConfigDict(frozen=True)

    slo: str
    sli_type: str
    status: VerdictStatus
    objective: float
    confidence: float
    total: int
    good: int
    bad: int
    observed_ratio: float | None  # good / total; None without events
    samples_needed: int  # to claim the objective with this many bad events
    statuses: dict[int, int]  # HTTP status -> count
    errors: dict[str, int]  # transport error -> count, for unanswered requests
    latency: LatencySummary | None  # latency SLIs only
    summary: str


def decide(
    target_ratio: float, total: int, bad: int, confidence: float = DEFAULT_CONFIDENCE
) -> VerdictStatus:
    """The verdict rule alone, on counts."""
    if stats.shows_at_least(target_ratio, total, bad, confidence):
        return VerdictStatus.HELD
    if stats.shows_below(target_ratio, total, bad, confidence):
        return VerdictStatus.DEVIATED
    return VerdictStatus.INCONCLUSIVE


def evaluate(
    slo: Slo, samples: Iterable[Outcome], confidence: float = DEFAULT_CONFIDENCE
) -> SloVerdict:
    """Judge ``slo`` on the samples of its own request; others are ignored."""
    key = slo.sli.request.key
    mine = [sample for sample in samples if sample.request == key]
    good = sum(1 for sample in mine if slo.sli.is_good(sample))
    total, bad = len(mine), len(mine) - good
    status = decide(slo.target_ratio, total, bad, confidence)
    needed = stats.samples_needed(slo.target_ratio, confidence, bad)
    latency = _latency(slo, mine)
    return SloVerdict(
        slo=slo.name,
        sli_type=slo.sli.type,
        status=status,
        objective=slo.objective,
        confidence=confidence,
        total=total,
        good=good,
        bad=bad,
        observed_ratio=good / total if total else None,
        samples_needed=needed,
        statuses=_count(s.status for s in mine if s.status is not None),
        errors=_count(s.error for s in mine if s.error is not None),
        latency=latency,
        summary=_summary(slo, status, total, bad, needed, latency),
    )


def _latency(slo: Slo, samples: Sequence[Outcome]) -> LatencySummary | None:
    if not isinstance(slo.sli, LatencySli):
        return None
    return summarise(samples, slo.objective)


_Key = TypeVar("_Key", int, str)


def _count(values: Iterable[_Key]) -> dict[_Key, int]:
    return dict(sorted(Counter(values).items()))


def _summary(
    slo: Slo,
    status: VerdictStatus,
    total: int,
    bad: int,
    needed: int,
    latency: LatencySummary | None,
) -> str:
    if total == 0:
        return f"no samples of {slo.sli.request.key}: inconclusive, {needed} needed"
    claim = _claim(slo, total, bad, latency)
    if status is VerdictStatus.HELD:
        return f"{claim} over {total} samples ({needed} needed)"
    if status is VerdictStatus.DEVIATED:
        return f"{claim} over {total} samples: breached beyond chance"
    return f"{claim} over {total} samples: inconclusive, {needed} needed"


def _claim(slo: Slo, total: int, bad: int, latency: LatencySummary | None) -> str:
    sli = slo.sli
    if isinstance(sli, LatencySli) and latency is not None:
        return _latency_claim(sli, latency)
    bad_ratio = bad / total
    if isinstance(sli, ErrorRatioSli):
        op = "<=" if bad_ratio <= slo.error_budget else ">"
        return f"error ratio {_percent(bad_ratio)} {op} {_percent(slo.error_budget)}"
    assert isinstance(sli, AvailabilitySli)
    op = ">=" if 1 - bad_ratio >= slo.target_ratio else "<"
    return f"2xx {_percent(1 - bad_ratio)} {op} {_percent(slo.target_ratio)}"


def _latency_claim(sli: LatencySli, latency: LatencySummary) -> str:
    threshold = f"{_ms(sli.threshold_ms)} ms"
    if latency.objective_ms is None:
        return f"{latency.objective_label} not answered > {threshold}"
    op = "<=" if latency.objective_ms <= sli.threshold_ms else ">"
    return f"{latency.objective_label} {_ms(latency.objective_ms)} ms {op} {threshold}"


def _ms(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.3g}"


def _percent(ratio: float) -> str:
    text = f"{ratio * 100:.4f}".rstrip("0").rstrip(".")
    return f"{text}%"
