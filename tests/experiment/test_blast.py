"""The blast radius refuses what it does not allow."""

from __future__ import annotations

from typing import Any

import pytest

from faultdrill.experiment.blast import faults_of, planned_duration, violations
from faultdrill.experiment.model import BlastRadius


def latency(
    proxy: str = "catalog", ms: int = 100, jitter: int = 0, after: Any = None
) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "type": "action",
        "name": "slow",
        "provider": {
            "type": "python",
            "module": "chaosfaultdrill.network",
            "func": "add_latency",
            "arguments": {"proxy": proxy, "latency_ms": ms, "jitter_ms": jitter},
        },
    }
    if after is not None:
        activity["pauses"] = {"after": after}
    return activity


RADIUS = BlastRadius.model_validate(
    {
        "targets": {"proxies": ["catalog"]},
        "max-duration": 30,
        "max-intensity": {"latency-ms": 500},
    }
)


def test_a_fault_inside_the_radius_passes() -> None:
    assert violations(RADIUS, [latency(ms=400, jitter=100, after=10)]) == []


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (
            [latency(proxy="payments")],
            "targets proxy 'payments', not in blast-radius.targets.proxies",
        ),
        (
            [latency(ms=450, jitter=60)],
            "exceeds blast-radius.max-intensity.latency-ms 500",
        ),
        (
            [latency(after=20), latency(after="15s")],
            "pauses for 35 s in all, longer than",
        ),
        (
            [
                {
                    "type": "action",
                    "name": "sh",
                    "provider": {"type": "process", "path": "true"},
                }
            ],
            "allow-process-providers",
        ),
    ],
)
def test_each_breach_is_refused_with_its_reason(
    method: list[dict[str, Any]], expected: str
) -> None:
    reasons = violations(RADIUS, method)
    assert len(reasons) == 1
    assert expected in reasons[0]


def test_faults_are_read_from_known_actions_only() -> None:
    unknown = {
        "type": "action",
        "name": "x",
        "provider": {"type": "python", "module": "m", "func": "f"},
    }
    faults = faults_of([latency(ms=100, jitter=5), unknown])
    assert [(f.kind, f.target, f.intensity) for f in faults] == [
        ("latency", "catalog", 105.0)
    ]


def test_planned_duration_adds_pauses_before_and_after() -> None:
    activity = latency()
    activity["pauses"] = {"before": "500ms", "after": 2}
    assert planned_duration([activity, latency(after="1m")]) == 62.5
