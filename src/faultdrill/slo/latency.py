"""Latency percentiles of probe outcomes, read from an HDR histogram.

Only answered requests have a latency worth reporting; a request that got no
answer is counted as slower than every answered one when the percentile the
objective speaks of is read (``objective_ms``), so failures cannot make the
tail look faster than it was.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from hdrh.histogram import HdrHistogram
from pydantic import BaseModel, ConfigDict

from faultdrill.slo.outcome import Outcome

# HDR histogram range and precision: microsecond resolution up to one hour,
# 3 significant digits (values within 0.1% share a bucket), the precision
# HdrHistogram's own documentation uses for response times.
_LOWEST_US = 1
_HIGHEST_US = 3_600_000_000
_SIGNIFICANT_DIGITS = 3
_US_PER_MS = 1000.0
# q * n is rounded to this many places before taking the ceiling, so that
# 0.95 * 100 = 95.00000000000001 asks for the 95th value, not the 96th.
_RANK_DIGITS = 9


class LatencySummary(BaseModel):
    """Percentiles in milliseconds of answered requests, and of the objective."""

    model_config = ConfigDict(frozen=True)

    answered: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    objective_label: str  # "p95" for a 95% objective, "p99.9" for 99.9%
    objective_ms: float | None  # None: too many requests went unanswered


def summarise(outcomes: Sequence[Outcome], objective: float) -> LatencySummary:
    """Percentiles of the answered outcomes; ``objective`` in percent (95)."""
    histogram = _histogram(o for o in outcomes if o.status is not None)
    answered = histogram.get_total_count()
    label = f"p{objective:g}"
    if answered == 0:
        return LatencySummary(
            answered=0,
            p50_ms=None,
            p95_ms=None,
            p99_ms=None,
            max_ms=None,
            objective_label=label,
            objective_ms=None,
        )
    return LatencySummary(
        answered=answered,
        p50_ms=_at(histogram, 50.0),
        p95_ms=_at(histogram, 95.0),
        p99_ms=_at(histogram, 99.0),
        max_ms=histogram.get_max_value() / _US_PER_MS,
        objective_label=label,
        objective_ms=_objective_ms(histogram, objective / 100.0, len(outcomes)),
    )


def _histogram(answered: Iterable[Outcome]) -> HdrHistogram:
    histogram = HdrHistogram(_LOWEST_US, _HIGHEST_US, _SIGNIFICANT_DIGITS)
    for outcome in answered:
        micros = round(outcome.latency_s * 1_000_000)
        histogram.record_value(min(max(micros, _LOWEST_US), _HIGHEST_US))
    return histogram


def _at(histogram: HdrHistogram, percentile: float) -> float:
    return float(histogram.get_value_at_percentile(percentile)) / _US_PER_MS


def _objective_ms(histogram: HdrHistogram, ratio: float, total: int) -> float | None:
    # The value below which `ratio` of *all* requests fall, unanswered ones
    # ranked last: the rank'th smallest answered latency, if there is one.
    rank = max(1, math.ceil(round(ratio * total, _RANK_DIGITS)))
    answered = int(histogram.get_total_count())
    if rank > answered:
        return None
    return _at(histogram, 100.0 * rank / answered)
