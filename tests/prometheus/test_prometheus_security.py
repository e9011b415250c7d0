"""Security signals read through PromQL from the sandbox's login counters."""

from __future__ import annotations

import time

import pytest

from faultdrill.gate.check import GateInputs, check_deployment
from faultdrill.gate.security import read_security
from faultdrill.gate.thresholds import GateThresholds

from .conftest import LOGINS_OK, LOGINS_WRONG, World, requires_prometheus

pytestmark = [pytest.mark.e2e, requires_prometheus]


def test_failed_logins_and_rate_limit_rejections_are_counted(world: World) -> None:
    signals = read_security(world.slos.security, world.client, 60.0, time.time())

    assert signals is not None
    ratio = signals.failed_login_ratio
    assert ratio is not None
    # 10 wrong of 30 good + 11 admitted of a burst (+ a few warm-up logins)
    assert ratio == pytest.approx(
        LOGINS_WRONG / (LOGINS_WRONG + LOGINS_OK + 11), abs=0.05
    )
    # 15 at once from one client, 1 + burst 10 admitted: about 4 rejected.
    assert signals.rate_limited is not None
    assert 2 <= signals.rate_limited <= 8
    assert signals.sources == [f"prometheus:{world.prometheus.url}"]


def test_the_gate_blocks_on_them_once_the_thresholds_are_tighter(world: World) -> None:
    signals = read_security(world.slos.security, world.client, 60.0, time.time())
    tight = GateThresholds(max_failed_login_ratio=0.1, max_rate_limited_per_s=0.01)

    decision = check_deployment([], GateInputs(security=signals), tight)

    assert [r.code.value for r in decision.reasons] == [
        "auth-anomaly",
        "rate-limit-rejections",
    ]
