"""A live reading of an SLI over a recent window, from any SLI source.

Sources (the built-in prober, Prometheus, the load generator's statistics)
each turn what they measure into readings; the gate and ``faultdrill
budget`` only ever see readings. Counts are floats because Prometheus'
``increase()`` extrapolates to the window's edges.
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict


class ReadingSource(enum.StrEnum):
    PROBE = "probe"
    PROMETHEUS = "prometheus"
    LOAD = "load-generator"


class SliReading(BaseModel):
    model_config = ConfigDict(frozen=True)

    slo: str
    source: ReadingSource
    window_s: float
    good: float
    total: float
    # Latency SLIs: the objective's percentile (p95 for a 95% objective),
    # and for Prometheus the histogram bucket it was interpolated inside.
    percentile_label: str | None = None
    percentile_ms: float | None = None
    bucket_ms: tuple[float, float] | None = None
    threshold_ms: float | None = None
    note: str = ""

    @property
    def bad_ratio(self) -> float | None:
        """Share of bad events; None when nothing happened in the window."""
        if self.total <= 0:
            return None
        return max(0.0, min(1.0, 1.0 - self.good / self.total))

    @property
    def good_ratio(self) -> float | None:
        bad = self.bad_ratio
        return None if bad is None else 1.0 - bad
