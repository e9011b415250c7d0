"""Most requests over a latency threshold is a major degradation."""

from __future__ import annotations

from faultdrill.incidents.model import Severity
from faultdrill.incidents.severity import classify
from faultdrill.slo.model import default_slo_file

LATENCY = default_slo_file().get("api-latency-p95")


def verdict(bad: int, total: int, p95_ms: float) -> dict[str, object]:
    return {"slo": LATENCY.name, "total": total, "bad": bad, "latency": {"objective_label": "p95", "objective_ms": p95_ms}}


def test_most_requests_slow_is_sev2_even_under_twice_the_threshold() -> None:
    severity, impact = classify(verdict(188, 200, 610.0), LATENCY)
    assert severity is Severity.SEV2
    assert "94% of requests over 500 ms" in impact.why


def test_a_minority_slow_stays_sev3() -> None:
    severity, _ = classify(verdict(30, 200, 610.0), LATENCY)
    assert severity is Severity.SEV3
