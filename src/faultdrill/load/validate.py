"""A rate-limit validation from start to report.

    1. volley: ``1 + burst + extra`` requests at once from a fresh key;
    2. over-limit schedule: ``offered_rate`` for ``duration_s`` from another
       fresh key, with the legitimate clients running alongside;
    3. figures, checks against the declared limit, the legitimate SLO's
       verdict and the golden signals, in one report.

With a global key no key is fresh: after the volley it waits for the bucket
to fill again before the schedule starts.
"""

from __future__ import annotations

import logging
import math
import random
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from faultdrill.clock import Clock, MonotonicClock
from faultdrill.errors import InvalidInput
from faultdrill.load import golden
from faultdrill.load.keys import SOURCE, KeyPlan, can_bind
from faultdrill.load.legit import LegitResult, LegitStreams, LegitTraffic
from faultdrill.load.limit import DeclaredLimit, KeyKind
from faultdrill.load.openloop import Connector, Pace, Shot, fire, volley
from faultdrill.load.ratemeasure import RateLimitReport, volley_figures
from faultdrill.load.ratemeasure import judge as judge_limit
from faultdrill.load.rawhttp import RawHttpClient
from faultdrill.slo.model import Request
from faultdrill.slo.verdict import VerdictStatus

log = logging.getLogger(__name__)

# Beyond 1 + burst, this many more requests in the volley prove the limiter
# rejects; a quarter of the burst, at least five, keeps a small one obvious.
MIN_VOLLEY_EXTRA = 5
VOLLEY_EXTRA_SHARE = 0.25
# A request gets at least this long; longer when a limiter without nodelay
# may hold it (burst / rate), so a held request is not counted as lost.
MIN_TIMEOUT_S = 5.0
# Margin on top of the refill time before a global bucket is assumed full.
REFILL_MARGIN = 1.2


@dataclass(frozen=True)
class RateLimitTest:
    """What to validate; ``request.path`` is the path of ``url``."""

    url: str
    request: Request
    limit: DeclaredLimit
    offered_rate: float
    duration_s: float
    tolerance_pct: float = 5.0
    legit: LegitTraffic | None = None
    volley_size: int | None = None

    def check(self) -> None:
        problems = []
        if self.offered_rate <= 0 or self.duration_s <= 0:
            problems.append("offered_rate and duration_s must be above 0")
        if not 0 < self.tolerance_pct < 100:
            problems.append(
                f"tolerance_pct must be in (0, 100), got {self.tolerance_pct}"
            )
        if problems:
            raise InvalidInput.single(SOURCE, "arguments", "; ".join(problems))

    @property
    def timeout_s(self) -> float:
        return max(MIN_TIMEOUT_S, 2 * (1 + self.limit.burst) / self.limit.rate_per_s)

    @property
    def volley_count(self) -> int:
        if self.volley_size is not None:
            return self.volley_size
        extra = max(MIN_VOLLEY_EXTRA, math.ceil(self.limit.burst * VOLLEY_EXTRA_SHARE))
        return 1 + self.limit.burst + extra


@dataclass(frozen=True)
class ValidationResult:
    test: RateLimitTest
    report: RateLimitReport
    legit: LegitResult | None
    signals: golden.GoldenSignals

    @property
    def passed(self) -> bool:
        legit_held = (
            self.legit is None or self.legit.verdict.status is VerdictStatus.HELD
        )
        return self.report.passed and legit_held

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.test.url,
            "method": self.test.request.method.value,
            "passed": self.passed,
            "rate_limit": self.report.to_json(),
            "legit": None if self.legit is None else self.legit.to_json(),
            "golden_signals": self.signals.to_json(),
            "summary": summary(self),
        }


def summary(result: ValidationResult) -> str:
    report = result.report
    verdict = "passed" if result.passed else "FAILED"
    lines = [f"rate limit {report.limit.describe()}: {verdict}"]
    lines += [f"  {c.line()}" for c in report.checks]
    if result.legit is not None:
        lines.append(f"  legitimate traffic: {result.legit.verdict.summary}")
    lines += [f"  note: {n}" for n in report.notes]
    return "\n".join(lines)


async def validate(
    test: RateLimitTest,
    clock: Clock | None = None,
    connector: Connector | None = None,
    legit_connector: Connector | None = None,
    rng: random.Random | None = None,
) -> ValidationResult:
    """Run the whole validation; ``connector``s replace HTTP in tests."""
    test.check()
    clock = clock or MonotonicClock()
    keys = KeyPlan.for_run(test.limit, test.url, rng)
    _check_keys(test, keys)
    connect = connector or RawHttpClient(_origin(test.url), test.request).connect
    legit = _legit_streams(test, keys, legit_connector, clock)
    meter = golden.SaturationMeter().start()

    volley_shots = await _volley(test, keys, connect, clock)
    if legit is not None:
        legit.start()
    pace = Pace(test.offered_rate, test.duration_s, test.timeout_s)
    try:
        shots = await fire(pace, keys.attack(), connect, clock)
    finally:
        legit_result = await legit.stop() if legit is not None else None
    saturation = meter.stop()
    return _result(test, shots, volley_shots, legit, legit_result, saturation)


async def _volley(
    test: RateLimitTest, keys: KeyPlan, connect: Connector, clock: Clock
) -> list[Shot]:
    shots = await volley(
        test.volley_count, keys.volley(), connect, clock, test.timeout_s
    )
    if not keys.fresh_keys:
        wait = REFILL_MARGIN * test.limit.refill_s
        log.info("shared bucket: waiting %.1f s for it to fill after the volley", wait)
        await clock.sleep_until(clock.now() + wait)
    return shots


def _legit_streams(
    test: RateLimitTest, keys: KeyPlan, connector: Connector | None, clock: Clock
) -> LegitStreams | None:
    if test.legit is None:
        return None
    slo = test.legit.resolve_slo()
    rate = test.legit.per_key_rate(test.limit.rate_per_s)
    connect = connector or RawHttpClient(_origin(test.url), slo.sli.request).connect
    clients = [keys.legit(i) for i in range(test.legit.keys)]
    return LegitStreams(slo, clients, rate, connect, clock, test.timeout_s)


def _check_keys(test: RateLimitTest, keys: KeyPlan) -> None:
    if test.legit is not None and test.limit.key is KeyKind.IP and not keys.fresh_keys:
        raise InvalidInput.single(
            SOURCE,
            "legit",
            f"a per-IP limit on {test.url} can only be told apart from legitimate "
            "clients on a loopback target (each client gets its own 127.x address); "
            "drop 'legit' or key the limit by header",
        )
    sample = keys.attack().source
    if sample is not None and not can_bind(sample):
        raise InvalidInput.single(
            SOURCE,
            "limit.key",
            f"cannot bind the client address {sample}; per-IP keys need Linux, "
            "which routes all of 127.0.0.0/8 to loopback",
        )


def _result(
    test: RateLimitTest,
    shots: list[Shot],
    volley_shots: list[Shot],
    legit: LegitStreams | None,
    legit_result: LegitResult | None,
    saturation: golden.Saturation,
) -> ValidationResult:
    report = judge_limit(
        test.limit,
        test.tolerance_pct,
        shots,
        volley_figures(volley_shots),
        test.duration_s,
        test.offered_rate,
    )
    signals = _signals(test, shots, legit, saturation)
    return ValidationResult(test, report, legit_result, signals)


def _signals(
    test: RateLimitTest,
    shots: list[Shot],
    legit: LegitStreams | None,
    saturation: golden.Saturation,
) -> golden.GoldenSignals:
    legit_samples = legit.samples if legit is not None else []
    statuses = [s.status for s in shots] + [s.status for s in legit_samples]
    latencies = [s.latency_s for s in shots if s.status is not None]
    latencies += [s.latency_s for s in legit_samples if s.status is not None]
    rejected = sum(1 for status in statuses if status == test.limit.status)
    errors = sum(
        1
        for status in statuses
        if status is None or (status >= 500 and status != test.limit.status)
    )
    total = len(statuses)
    answered = sum(1 for status in statuses if status is not None)
    return golden.GoldenSignals(
        latency=golden.latency_from_values(latencies),
        traffic_rps=answered / test.duration_s,
        requests=total,
        errors=errors,
        error_ratio=errors / total if total else None,
        rejected=rejected,
        saturation=saturation,
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
