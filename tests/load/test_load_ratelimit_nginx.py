"""Validating real nginx ``limit_req`` configurations on loopback.

For each configuration, the admitted and rejected counts must be those the
leaky-bucket rule gives for the same schedule, the burst exact, and the
rejection status the configured one.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import pytest
from nginx_limits import NGINX, LimitConf, nginx_serving

from faultdrill.load.limit import DeclaredLimit
from faultdrill.load.validate import RateLimitTest, ValidationResult, validate
from faultdrill.slo.model import Request

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not os.access(NGINX, os.X_OK), reason=f"nginx is not installed at {NGINX}"
    ),
]

RATE = 20  # r/s: one admission per 50 ms, far above loopback's timing noise
# 3.5 times the rate: not a whole multiple, so at burst 0 the first arrival
# after each 1/rate comes 7 ms after it, far from the timing noise of a busy
# loop (at 80/s it would come exactly on time, and noise would decide).
OFFERED, DURATION = 70.0, 2.0

CONFIGS = [
    LimitConf("no_burst_429", RATE, 0, nodelay=False, status=429),
    LimitConf("burst_nodelay_429", RATE, 5, nodelay=True, status=429),
    LimitConf("burst_delay_429", RATE, 5, nodelay=False, status=429),
    LimitConf("burst_nodelay_503", RATE, 8, nodelay=True, status=503),
    LimitConf("no_burst_503", RATE, 0, nodelay=True, status=503),
]


@pytest.fixture(scope="module")
def nginx_url() -> Iterator[str]:
    with nginx_serving(CONFIGS) as url:
        yield url


def declared(conf: LimitConf) -> DeclaredLimit:
    return DeclaredLimit(
        rate=conf.rate,
        burst=conf.burst,
        status=conf.status,  # type: ignore[arg-type]
        nodelay=conf.nodelay,
        retry_after=False,  # limit_req sends no Retry-After
    )


def validated(url: str, limit: DeclaredLimit, path: str) -> ValidationResult:
    test = RateLimitTest(f"{url}{path}", Request(path=path), limit, OFFERED, DURATION)
    return asyncio.run(validate(test))


@pytest.mark.parametrize("conf", CONFIGS, ids=lambda c: c.name)
def test_nginx_limit_req_admits_what_the_leaky_bucket_rule_expects(
    nginx_url: str, conf: LimitConf
) -> None:
    result = validated(nginx_url, declared(conf), f"/{conf.name}")
    report = result.report
    summary = result.to_json()["summary"]
    figures, expected = report.schedule, report.expected

    assert abs(figures.admitted - expected.admitted) <= 1, summary
    assert figures.rejected == figures.offered - figures.admitted, summary
    assert figures.statuses == {200: figures.admitted, conf.status: figures.rejected}
    assert report.volley is not None and report.volley.burst == conf.burst, summary
    assert report.rate.low is not None and report.rate.high is not None
    assert report.rate.low <= RATE <= report.rate.high, summary
    if conf.burst:  # at burst 0 the plain count rounds to arrival intervals
        assert figures.admitted_rate_per_s == pytest.approx(RATE, rel=0.05), summary
    assert figures.retry_after_present == 0
    assert result.passed, summary


def test_a_limit_declared_looser_than_nginx_enforces_fails(nginx_url: str) -> None:
    conf = CONFIGS[1]
    looser = declared(conf).model_copy(update={"rate": 40, "burst": 10})
    result = validated(nginx_url, looser, f"/{conf.name}")
    failed = {c.name for c in result.report.checks if not c.passed}
    assert {"limiter rate", "burst", "admitted total"} <= failed
    assert not result.passed
