"""The severity rule: which SLO broke and how badly."""

from __future__ import annotations

from typing import Any

import pytest

from faultdrill.incidents.model import Severity
from faultdrill.incidents.severity import classify, worst
from faultdrill.slo.model import Slo, default_slo_file


def slo(name: str) -> Slo:
    return default_slo_file().get(name)


def broken(
    name: str, bad: int, total: int = 1000, objective_ms: float | None = None
) -> dict[str, Any]:
    verdict: dict[str, Any] = {
        "slo": name, "status": "deviated", "bad": bad, "total": total,
    }  # fmt: skip
    if objective_ms is not None or name == "api-latency-p95":
        verdict["latency"] = {"objective_label": "p95", "objective_ms": objective_ms}
    return verdict


@pytest.mark.parametrize(
    ("verdict", "slo_name", "severity", "why"),
    [
        (broken("login-success", 500), "login-success", Severity.SEV1, "auth"),
        (broken("homepage-availability", 900), "homepage-availability",
         Severity.SEV1, "outage"),
        (broken("api-5xx-ratio", 499), "api-5xx-ratio", Severity.SEV2, "49.9%"),
        (broken("api-5xx-ratio", 50), "api-5xx-ratio", Severity.SEV2, "5%"),
        (broken("api-5xx-ratio", 49), "api-5xx-ratio", Severity.SEV3, "partial"),
        (broken("api-5xx-ratio", 2), "api-5xx-ratio", Severity.SEV3, "partial"),
        (broken("api-5xx-ratio", 1), "api-5xx-ratio", Severity.SEV4, "under twice"),
        (broken("api-latency-p95", 400, objective_ms=1001), "api-latency-p95",
         Severity.SEV2, "over twice"),
        (broken("api-latency-p95", 600, objective_ms=None), "api-latency-p95",
         Severity.SEV2, "unanswered"),
        (broken("api-latency-p95", 200, objective_ms=999), "api-latency-p95",
         Severity.SEV3, "partial"),
        (broken("api-latency-p95", 60, objective_ms=520), "api-latency-p95",
         Severity.SEV4, "under twice"),
    ],
)  # fmt: skip
def test_severity_follows_the_documented_rule(
    verdict: dict[str, Any], slo_name: str, severity: Severity, why: str
) -> None:
    got, impact = classify(verdict, slo(slo_name))

    assert got is severity
    assert why in impact.why
    assert impact.bad_ratio == verdict["bad"] / verdict["total"]


def test_an_slo_unknown_to_the_file_is_a_partial_breach() -> None:
    severity, _ = classify(broken("mystery", 1), None)

    assert severity is Severity.SEV3


def test_the_worst_severity_wins() -> None:
    assert worst([Severity.SEV3, Severity.SEV1, Severity.SEV4]) is Severity.SEV1


@pytest.mark.parametrize("text", ["SEV-2", "sev2", "2", "Sev 2"])
def test_severity_is_parsed_from_what_people_type(text: str) -> None:
    assert Severity.parse(text) is Severity.SEV2


def test_an_unknown_severity_lists_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="SEV-1, SEV-2, SEV-3 or SEV-4"):
        Severity.parse("SEV-5")


def test_only_sev1_and_sev2_need_a_postmortem() -> None:
    assert [s.needs_postmortem for s in Severity] == [True, True, False, False]
