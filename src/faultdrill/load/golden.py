"""The four golden signals of a load run: latency, traffic, errors, saturation.

Latency percentiles are nearest-rank over what was measured; traffic is
answers per second; errors are requests that got no answer or a 5xx (a
declared rejection is counted apart, since it is the limiter working);
saturation is the share of the host's CPU in use and the load generator's
own share, which says whether a figure is the service's or the generator's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import psutil

PERCENTILES = (50.0, 95.0, 99.0)

# A generator above this share of one core is close to being the bottleneck
# itself; Locust warns at 90% (locust.runners.CPU_WARNING_THRESHOLD).
GENERATOR_BUSY_PCT = 90.0


@dataclass(frozen=True)
class Latency:
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None


@dataclass(frozen=True)
class Saturation:
    host_cpu_pct: float | None  # of all cores together
    generator_cpu_pct: float | None  # of one core; above 100 with several
    cores: int

    @property
    def generator_busy(self) -> bool:
        per_core = self.generator_cpu_pct
        return per_core is not None and per_core >= GENERATOR_BUSY_PCT


@dataclass(frozen=True)
class GoldenSignals:
    latency: Latency
    traffic_rps: float
    requests: int
    errors: int
    error_ratio: float | None
    rejected: int  # by a rate limiter (429/503 where one is expected)
    saturation: Saturation

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["saturation"]["generator_busy"] = self.saturation.generator_busy
        return data


def latency_from_values(seconds: Iterable[float]) -> Latency:
    ordered = sorted(seconds)
    if not ordered:
        return Latency(None, None, None, None)
    picks = [1000 * _nearest_rank(ordered, p) for p in PERCENTILES]
    return Latency(picks[0], picks[1], picks[2], 1000 * ordered[-1])


def latency_from_counts(counts: Mapping[float, int]) -> Latency:
    """From a histogram of milliseconds (Locust's rounded response times)."""
    total = sum(counts.values())
    if total == 0:
        return Latency(None, None, None, None)
    ordered = sorted(counts.items())
    picks = [_rank_in_counts(ordered, total, p) for p in PERCENTILES]
    return Latency(picks[0], picks[1], picks[2], float(ordered[-1][0]))


def _nearest_rank(ordered: Sequence[float], percentile: float) -> float:
    rank = max(1, math.ceil(percentile / 100 * len(ordered)))
    return ordered[rank - 1]


def _rank_in_counts(
    ordered: Sequence[tuple[float, int]], total: int, percentile: float
) -> float:
    rank = max(1, math.ceil(percentile / 100 * total))
    seen = 0
    for value, count in ordered:
        seen += count
        if seen >= rank:
            return float(value)
    return float(ordered[-1][0])


class SaturationMeter:
    """CPU use of the host and of this process tree between start and stop."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self._started = 0.0
        self._cpu_before = 0.0

    def start(self) -> SaturationMeter:
        psutil.cpu_percent(interval=None)  # the first call only sets the baseline
        self._started = time.monotonic()
        self._cpu_before = self._tree_cpu()
        return self

    def stop(self) -> Saturation:
        host = psutil.cpu_percent(interval=None)
        elapsed = time.monotonic() - self._started
        used = self._tree_cpu() - self._cpu_before
        generator = 100 * used / elapsed if elapsed > 0 else None
        return Saturation(host, generator, psutil.cpu_count() or 1)

    def _tree_cpu(self) -> float:
        total = 0.0
        for proc in [self._process, *self._children()]:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total

    def _children(self) -> list[psutil.Process]:
        try:
            return self._process.children(recursive=True)
        except psutil.Error:
            return []
