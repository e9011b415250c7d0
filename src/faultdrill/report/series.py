"""Each SLI over time: probe samples aggregated per second, for the journal.

A run at 25 requests/s for a minute takes 1,500 samples per stream; the
journal keeps one point per SLO and second instead (count, good, p95), which
is what a plot of the SLI over time needs and keeps journals small.

    series = series_from_samples(slos, prober.samples(), t0=journal.start)
    journal["faultdrill"]["series"] = series.model_dump(mode="json")
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from faultdrill.probe.sample import ProbeSample
from faultdrill.slo.model import LatencySli, Slo

# One point per second: fine enough to see a fault start and end (phases
# last seconds), coarse enough that an hour-long game day stays ~3,600 points.
INTERVAL_S = 1.0
# The percentile drawn for latency SLIs per second: the one the shipped
# latency SLO speaks of (p95 under 500 ms, src/faultdrill/data/slos.yaml).
POINT_PERCENTILE = 95.0


class SeriesPoint(BaseModel):
    """One SLO's events intended within one interval."""

    model_config = ConfigDict(frozen=True)

    t: float  # seconds from run start to the start of the interval
    phase: str | None  # the phase most of its samples belong to
    count: int
    good: int
    p95_ms: float | None  # of the answered requests; None if none was answered

    @property
    def good_ratio(self) -> float | None:
        return self.good / self.count if self.count else None


class SloSeries(BaseModel):
    model_config = ConfigDict(frozen=True)

    slo: str
    sli_type: str
    objective: float  # percent, as in the SLO file
    threshold_ms: float | None  # latency SLIs only
    points: list[SeriesPoint]


class Series(BaseModel):
    """The journal's ``faultdrill.series`` key."""

    model_config = ConfigDict(frozen=True)

    interval_s: float = INTERVAL_S
    slos: list[SloSeries]

    def of(self, slo: str) -> SloSeries | None:
        return next((s for s in self.slos if s.slo == slo), None)


def series_from_samples(
    slos: Sequence[Slo],
    samples: Iterable[ProbeSample],
    t0: float,
    interval_s: float = INTERVAL_S,
) -> Series:
    """Per-interval figures of each SLO; ``t0`` is the run start, epoch seconds."""
    samples = list(samples)
    return Series(
        interval_s=interval_s,
        slos=[_slo_series(slo, samples, t0, interval_s) for slo in slos],
    )


def _slo_series(
    slo: Slo, samples: Sequence[ProbeSample], t0: float, interval_s: float
) -> SloSeries:
    key = slo.sli.request.key
    buckets: dict[int, list[ProbeSample]] = defaultdict(list)
    for sample in samples:
        if sample.request == key:
            buckets[math.floor((sample.wall - t0) / interval_s)].append(sample)
    threshold = slo.sli.threshold_ms if isinstance(slo.sli, LatencySli) else None
    return SloSeries(
        slo=slo.name,
        sli_type=slo.sli.type,
        objective=slo.objective,
        threshold_ms=threshold,
        points=[
            _point(slo, index * interval_s, buckets[index]) for index in sorted(buckets)
        ],
    )


def _point(slo: Slo, t: float, samples: Sequence[ProbeSample]) -> SeriesPoint:
    phases = Counter(sample.phase for sample in samples)
    answered = sorted(s.latency_s * 1000.0 for s in samples if s.status is not None)
    return SeriesPoint(
        t=round(t, 3),
        phase=phases.most_common(1)[0][0],
        count=len(samples),
        good=sum(1 for sample in samples if slo.sli.is_good(sample)),
        p95_ms=_nearest_rank(answered, POINT_PERCENTILE),
    )


def _nearest_rank(ordered: Sequence[float], percentile: float) -> float | None:
    if not ordered:
        return None
    rank = max(1, math.ceil(percentile / 100.0 * len(ordered)))
    return round(ordered[rank - 1], 3)
