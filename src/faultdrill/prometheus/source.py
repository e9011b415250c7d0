"""SLI readings from Prometheus: ratio queries and histogram percentiles.

A percentile from ``histogram_quantile`` is interpolated linearly inside
the bucket it falls in, so a spike at 220 ms in a (200, 300] bucket reads
as p95 = 295 ms (reference/slo-and-load.md). Every latency reading
therefore carries the bucket bounds behind its percentile, and counts a
request as good only up to the highest bucket bound not above the
threshold, never by interpolation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from faultdrill.errors import InvalidInput
from faultdrill.prometheus import queries
from faultdrill.prometheus.client import PrometheusClient, Sample
from faultdrill.slo.model import LatencySli, PrometheusQueries, SliSource, Slo
from faultdrill.slo.reading import ReadingSource, SliReading

_MS_PER_S = 1000.0
Bucket = tuple[float, float]  # (upper bound in seconds, cumulative count)


class PrometheusSource:
    """Reads the SLIs whose ``source`` is ``prometheus``."""

    def __init__(self, client: PrometheusClient) -> None:
        self.client = client

    def readings(
        self, slos: Iterable[Slo], windows_s: Iterable[float]
    ) -> list[SliReading]:
        """One reading per Prometheus-sourced SLO and window."""
        mine = [s for s in slos if s.sli.source is SliSource.PROMETHEUS]
        return [self.read(slo, w) for slo in mine for w in windows_s]

    def read(self, slo: Slo, window_s: float) -> SliReading:
        promql = _queries(slo)
        if isinstance(slo.sli, LatencySli) and promql.histogram:
            return self._latency(slo, slo.sli, promql.histogram, window_s)
        good, total = self._ratio(promql, window_s)
        return SliReading(
            slo=slo.name,
            source=ReadingSource.PROMETHEUS,
            window_s=window_s,
            good=good,
            total=total,
        )

    def _ratio(self, promql: PrometheusQueries, window_s: float) -> tuple[float, float]:
        assert promql.total is not None
        total = self.client.scalar(queries.events(promql.total, window_s)) or 0.0
        if promql.good:
            good = self.client.scalar(queries.events(promql.good, window_s)) or 0.0
        else:
            assert promql.bad is not None
            bad = self.client.scalar(queries.events(promql.bad, window_s)) or 0.0
            good = total - bad
        return min(max(good, 0.0), total), total

    def _latency(
        self, slo: Slo, sli: LatencySli, histogram: str, window_s: float
    ) -> SliReading:
        counts = _buckets(self.client.query(queries.buckets(histogram, window_s)))
        total = counts[-1][1] if counts else 0.0
        threshold_s = sli.threshold_ms / _MS_PER_S
        bound, good = good_up_to(counts, threshold_s)
        q = slo.target_ratio
        percentile = self.client.scalar(queries.quantile(histogram, q, window_s))
        around = bucket_around(counts, q)
        return SliReading(
            slo=slo.name,
            source=ReadingSource.PROMETHEUS,
            window_s=window_s,
            good=good,
            total=total,
            percentile_label=f"p{slo.objective:g}",
            percentile_ms=_ms(percentile),
            bucket_ms=(around[0] * _MS_PER_S, around[1] * _MS_PER_S)
            if around
            else None,
            threshold_ms=sli.threshold_ms,
            note=_bound_note(bound, threshold_s),
        )


def good_up_to(counts: Sequence[Bucket], threshold_s: float) -> tuple[float, float]:
    """The highest bucket bound at or under the threshold, and its count."""
    under = [(le, count) for le, count in counts if le <= threshold_s]
    return under[-1] if under else (0.0, 0.0)


def bucket_around(counts: Sequence[Bucket], q: float) -> tuple[float, float] | None:
    """The (lower, upper] bounds of the bucket where quantile ``q`` lies."""
    if not counts or counts[-1][1] <= 0:
        return None
    rank = q * counts[-1][1]
    lower = 0.0
    for le, count in counts:
        if count >= rank:
            return lower, le
        lower = le
    return None


def _buckets(samples: Sequence[Sample]) -> list[Bucket]:
    counts = []
    for sample in samples:
        le = sample.labels.get("le")
        if le is None:
            raise InvalidInput.single(
                "prometheus", "histogram", "series have no 'le' label; give the "
                "selector of the histogram's _bucket series"
            )  # fmt: skip
        counts.append((float(le), sample.value))
    return sorted(counts)


def _queries(slo: Slo) -> PrometheusQueries:
    if slo.sli.prometheus is None:
        raise InvalidInput.single(
            "SLO file", f"{slo.name}.sli.prometheus", "has no PromQL; add queries"
        )
    return slo.sli.prometheus


def _ms(seconds: float | None) -> float | None:
    if seconds is None or math.isinf(seconds):
        return None
    return seconds * _MS_PER_S


def _bound_note(bound: float, threshold_s: float) -> str:
    if math.isclose(bound, threshold_s):
        return ""
    return (
        f"threshold {threshold_s * _MS_PER_S:g} ms is no bucket bound; requests "
        f"counted good up to {bound * _MS_PER_S:g} ms only"
    )
