"""Rate-limit validation against limiters on a fake clock: figures and verdicts."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
from load_fakes import FakeLimiter, run_on

from faultdrill.clock import FakeClock
from faultdrill.errors import InvalidInput
from faultdrill.load.legit import LegitTraffic
from faultdrill.load.limit import DeclaredLimit
from faultdrill.load.validate import RateLimitTest, ValidationResult, validate
from faultdrill.slo.model import Request

URL = "http://127.0.0.1:9/login"
LOGIN = Request(method="POST", path="/login", json={"user": "demo", "password": "demo"})


def declared(**fields: Any) -> DeclaredLimit:
    return DeclaredLimit.model_validate({"rate": 20, "burst": 10, **fields})


def run(
    limiter: FakeLimiter,
    limit: DeclaredLimit,
    offered: float = 100,
    duration: float = 3.0,
    legit: LegitTraffic | None = None,
) -> ValidationResult:
    test = RateLimitTest(URL, LOGIN, limit, offered, duration, legit=legit)
    work = validate(
        test,
        clock=limiter.clock,
        connector=limiter.connect,
        legit_connector=limiter.connect,
        rng=random.Random(7),
    )
    result: ValidationResult = run_on(limiter.clock, work)
    return result


def checks(result: ValidationResult) -> dict[str, bool]:
    return {c.name: c.passed for c in result.report.checks}


def test_a_limiter_as_declared_passes_with_the_expected_figures() -> None:
    result = run(FakeLimiter(FakeClock(), 20, 10), declared())
    figures = result.report.schedule
    assert result.passed, result.to_json()["summary"]
    assert figures.offered == 300
    assert abs(figures.admitted - (1 + 10 + 20 * 3)) <= 1
    assert figures.admitted_rate_per_s == pytest.approx(20, rel=0.05)
    assert result.report.volley is not None and result.report.volley.burst == 10
    assert figures.onset_s == pytest.approx(0.13, abs=0.02)
    assert figures.retry_after_present == figures.rejected > 0


def test_a_limiter_twice_as_lenient_fails_on_rate_not_burst() -> None:
    result = run(FakeLimiter(FakeClock(), 40, 10), declared())
    assert not result.passed
    assert checks(result)["limiter rate"] is False
    assert checks(result)["burst"] is True
    assert result.report.schedule.admitted_rate_per_s == pytest.approx(40, rel=0.05)


def test_a_different_burst_is_reported_exactly() -> None:
    result = run(FakeLimiter(FakeClock(), 20, 7), declared())
    assert result.report.volley is not None and result.report.volley.burst == 7
    assert checks(result)["burst"] is False


def test_rejections_with_another_status_fail_the_status_check() -> None:
    result = run(FakeLimiter(FakeClock(), 20, 10, status=503), declared(status=429))
    assert checks(result)["rejection status"] is False
    assert result.report.schedule.statuses[503] > 0


def test_retry_after_is_checked_both_ways() -> None:
    missing = run(FakeLimiter(FakeClock(), 20, 10, retry_after=False), declared())
    assert checks(missing)["Retry-After"] is False
    unexpected = run(
        FakeLimiter(FakeClock(), 20, 10), declared(**{"retry-after": False})
    )
    assert checks(unexpected)["Retry-After"] is False


@pytest.mark.parametrize("nodelay", [True, False])
def test_held_bursts_are_told_apart_from_immediate_ones(nodelay: bool) -> None:
    limiter = FakeLimiter(FakeClock(), 20, 10, nodelay=nodelay)
    result = run(limiter, declared(nodelay=nodelay), duration=2.0)
    name = "burst answered at once" if nodelay else "burst delayed"
    assert checks(result)[name] is True
    wrong = run(
        FakeLimiter(FakeClock(), 20, 10, nodelay=not nodelay),
        declared(nodelay=nodelay),
        duration=2.0,
    )
    assert checks(wrong)[name] is False


def test_the_offered_rate_does_not_fall_when_the_limiter_holds_requests() -> None:
    limiter = FakeLimiter(FakeClock(), 20, 10, nodelay=False, service_s=0.5)
    result = run(limiter, declared(nodelay=False), duration=2.0)
    attack = [at for label, at in limiter.arrivals if label == "attack"]
    assert len(attack) == 200
    gaps = {round(b - a, 3) for a, b in itertools.pairwise(attack)}
    assert gaps <= {0.01, 0.008, 0.012}  # the 2 ms clock steps, never slower
    assert result.report.schedule.offered == 200


def test_legitimate_clients_with_their_own_keys_keep_their_slo() -> None:
    legit = LegitTraffic(slo="api-latency-p95", keys=5, **{"rate-per-key": 8})
    limiter = FakeLimiter(FakeClock(), 20, 10)
    result = run(limiter, declared(), legit=legit)
    assert result.legit is not None
    assert result.legit.rejected_by_limiter == 0
    assert result.legit.verdict.status.value == "held"
    assert result.legit.verdict.total == pytest.approx(5 * 8 * 3, abs=5)


def test_a_limiter_that_lumps_everyone_together_breaks_the_legitimate_slo() -> None:
    legit = LegitTraffic(slo="login-success", keys=5, **{"rate-per-key": 8})
    limiter = FakeLimiter(FakeClock(), 20, 10, shared=True)
    result = run(limiter, declared(), legit=legit)
    assert result.legit is not None and result.legit.rejected_by_limiter > 0
    assert result.legit.verdict.status.value == "deviated"
    assert not result.passed


def test_legitimate_clients_at_the_limit_are_refused_before_anything_is_sent() -> None:
    legit = LegitTraffic(slo="login-success", **{"rate-per-key": 20})
    limiter = FakeLimiter(FakeClock(), 20, 10)
    with pytest.raises(InvalidInput, match=r"legit\.rate-per-key"):
        run(limiter, declared(), legit=legit)
    assert limiter.arrivals == []


def test_a_per_minute_limit_is_judged_per_second() -> None:
    limit = declared(rate=600, per="minute", burst=2)
    result = run(FakeLimiter(FakeClock(), 10, 2), limit, offered=40, duration=3.0)
    assert result.passed, result.to_json()["summary"]


def test_a_user_keyed_limit_gets_one_user_name_per_key() -> None:
    limiter = FakeLimiter(FakeClock(), 20, 10)
    result = run(limiter, declared(key="user"), duration=2.0)
    assert result.passed, result.to_json()["summary"]
    # one user name for the volley and one for the schedule, not addresses
    assert len(limiter.buckets) == 2
    assert all(name.startswith("faultdrill-") for name in limiter.buckets)


def test_a_global_limit_waits_for_the_bucket_to_refill_after_the_volley() -> None:
    limiter = FakeLimiter(FakeClock(), 20, 10, shared=True)
    result = run(limiter, declared(key="global"), duration=2.0)
    assert result.passed, result.to_json()["summary"]
    volley_end = max(at for label, at in limiter.arrivals if label == "volley")
    first_attack = min(at for label, at in limiter.arrivals if label == "attack")
    assert first_attack - volley_end >= (1 + 10) / 20
