"""Validating the sandbox's login limiter over real sockets on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from faultdrill.load.legit import LegitTraffic
from faultdrill.load.limit import DeclaredLimit
from faultdrill.load.validate import RateLimitTest, ValidationResult, validate
from faultdrill.sandbox.config import LimitKey, SandboxConfig
from faultdrill.sandbox.control import running_sandbox
from faultdrill.sandbox.state import SandboxState
from faultdrill.slo.model import Request

pytestmark = pytest.mark.e2e

LOGIN = Request(method="POST", path="/login", json={"user": "demo", "password": "demo"})


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxState]:
    with running_sandbox() as state:  # login limit: 20/s, burst 10, per IP
        yield state


def validated(
    url: str,
    limit: DeclaredLimit,
    legit: LegitTraffic | None = None,
    duration: float = 2.5,
) -> ValidationResult:
    test = RateLimitTest(f"{url}/login", LOGIN, limit, 100.0, duration, legit=legit)
    return asyncio.run(validate(test))


def test_the_login_limit_is_what_the_sandbox_declares_and_legit_users_pass(
    sandbox: SandboxState,
) -> None:
    legit = LegitTraffic(slo="login-success", keys=10)
    result = validated(sandbox.web_url, DeclaredLimit(rate=20, burst=10), legit)
    summary = result.to_json()["summary"]
    assert result.report.passed, summary
    assert result.report.volley is not None and result.report.volley.burst == 10
    assert result.report.schedule.retry_after_values == ["1"]
    assert result.legit is not None and result.legit.rejected_by_limiter == 0
    assert result.legit.verdict.statuses == {200: result.legit.verdict.total}
    signals = result.signals
    assert signals.rejected == result.report.schedule.rejected
    assert signals.errors == 0 and signals.traffic_rps > 100


def test_a_limit_keyed_by_header_gives_each_client_its_own_id() -> None:
    config = SandboxConfig.ephemeral(login_key=LimitKey.HEADER, login_burst=4)
    with running_sandbox(config) as state:
        limit = DeclaredLimit(rate=20, burst=4, key="header")  # type: ignore[arg-type]
        legit = LegitTraffic(slo="login-success", keys=5)
        result = validated(state.web_url, limit, legit, duration=2.0)
    assert result.report.passed, result.to_json()["summary"]
    assert result.legit is not None and result.legit.rejected_by_limiter == 0
