"""The verdict rule at its boundaries, and verdicts on measured events."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from faultdrill.slo.model import Slo, default_slo_file
from faultdrill.slo.verdict import VerdictStatus, decide, evaluate

API = "GET /api/videos/42"
HOME = "GET /"


@dataclass(frozen=True)
class Event:
    request: str
    latency_s: float
    status: int | None
    error: str | None = None


def slo(name: str) -> Slo:
    return default_slo_file().get(name)


def events(
    count: int,
    latency_s: float = 0.01,
    status: int | None = 200,
    error: str | None = None,
    request: str = API,
) -> list[Event]:
    return [Event(request, latency_s, status, error) for _ in range(count)]


@pytest.mark.parametrize(
    ("target", "total", "bad", "status"),
    [
        (0.95, 0, 0, VerdictStatus.INCONCLUSIVE),
        (0.95, 58, 0, VerdictStatus.INCONCLUSIVE),
        (0.95, 59, 0, VerdictStatus.HELD),
        (0.95, 92, 1, VerdictStatus.INCONCLUSIVE),
        (0.95, 93, 1, VerdictStatus.HELD),
        (0.95, 207, 5, VerdictStatus.INCONCLUSIVE),
        (0.95, 208, 5, VerdictStatus.HELD),
        (0.999, 2994, 0, VerdictStatus.INCONCLUSIVE),
        (0.999, 2995, 0, VerdictStatus.HELD),
        # 100 events at 95%: P[>= 9 bad] = 0.063, P[>= 10 bad] = 0.028.
        (0.95, 100, 9, VerdictStatus.INCONCLUSIVE),
        (0.95, 100, 10, VerdictStatus.DEVIATED),
        # Below target but one bad event in few is no evidence of a breach.
        # 99.85% good over 2000 events at 99.9%: P[>= 3 bad] = 0.32.
        (0.999, 2000, 3, VerdictStatus.INCONCLUSIVE),
        (0.999, 20, 1, VerdictStatus.DEVIATED),
        (0.999, 10, 10, VerdictStatus.DEVIATED),
        (0.5, 1, 1, VerdictStatus.INCONCLUSIVE),
    ],
)
def test_verdict_rule_at_its_boundaries(
    target: float, total: int, bad: int, status: VerdictStatus
) -> None:
    assert decide(target, total, bad) is status


def test_lower_confidence_decides_with_fewer_events() -> None:
    assert decide(0.95, 45, 0, confidence=0.9) is VerdictStatus.HELD
    assert decide(0.95, 45, 0, confidence=0.95) is VerdictStatus.INCONCLUSIVE


def test_latency_verdict_reads_like_the_claim() -> None:
    samples = events(138, latency_s=0.2) + events(2, latency_s=0.6)

    verdict = evaluate(slo("api-latency-p95"), samples)

    assert verdict.status is VerdictStatus.HELD
    assert (verdict.total, verdict.good, verdict.bad) == (140, 138, 2)
    assert verdict.samples_needed == 124
    assert verdict.summary == "p95 200 ms <= 500 ms over 140 samples (124 needed)"


def test_latency_percentiles_come_from_the_histogram() -> None:
    samples = [Event(API, i / 1000, 200) for i in range(1, 1001)]

    latency = evaluate(slo("api-latency-p95"), samples).latency

    assert latency is not None
    assert latency.p50_ms == pytest.approx(500, rel=1e-3)
    assert latency.p95_ms == pytest.approx(950, rel=1e-3)
    assert latency.p99_ms == pytest.approx(990, rel=1e-3)
    assert latency.max_ms == pytest.approx(1000, rel=1e-3)
    assert latency.objective_label == "p95"
    assert latency.objective_ms == pytest.approx(950, rel=1e-3)


def test_unanswered_requests_rank_slowest_in_the_objective_percentile() -> None:
    samples = events(90, latency_s=0.1) + events(10, 0.001, None, "refused")

    verdict = evaluate(slo("api-latency-p95"), samples)

    assert verdict.latency is not None
    assert verdict.latency.p95_ms == pytest.approx(100, rel=1e-3)
    assert verdict.latency.objective_ms is None
    assert verdict.status is VerdictStatus.DEVIATED
    assert verdict.summary.startswith("p95 not answered > 500 ms over 100 samples")


def test_fast_failures_are_bad_latency_events() -> None:
    verdict = evaluate(slo("api-latency-p95"), events(100, 0.001, None, "refused"))

    assert verdict.bad == 100
    assert verdict.status is VerdictStatus.DEVIATED


def test_statuses_and_errors_are_counted_by_code() -> None:
    samples = (
        events(5, status=200)
        + events(2, status=503)
        + events(1, status=None, error="timeout")
    )

    verdict = evaluate(slo("api-5xx-ratio"), samples)

    assert verdict.statuses == {200: 5, 503: 2}
    assert verdict.errors == {"timeout": 1}
    assert verdict.bad == 3


def test_only_the_slos_own_request_is_judged() -> None:
    samples = events(3000, request=HOME) + events(10, status=500)

    verdict = evaluate(slo("homepage-availability"), samples)

    assert verdict.total == 3000
    assert verdict.status is VerdictStatus.HELD
    assert verdict.summary == "2xx 100% >= 99.9% over 3000 samples (2995 needed)"


def test_too_few_events_are_inconclusive_never_held() -> None:
    verdict = evaluate(slo("api-5xx-ratio"), events(500))

    assert verdict.status is VerdictStatus.INCONCLUSIVE
    assert verdict.summary == (
        "error ratio 0% <= 0.1% over 500 samples: inconclusive, 2995 needed"
    )


def test_no_events_say_so() -> None:
    verdict = evaluate(slo("login-success"), [])

    assert verdict.observed_ratio is None
    assert verdict.summary.startswith("no samples of POST /login")


def test_verdict_round_trips_through_json() -> None:
    verdict = evaluate(slo("api-latency-p95"), events(60) + events(1, 9.0))

    data = json.loads(verdict.model_dump_json())

    assert data["status"] == "inconclusive"
    assert data["statuses"] == {"200": 61}
    assert data["latency"]["objective_label"] == "p95"
    assert type(verdict).model_validate(data) == verdict
