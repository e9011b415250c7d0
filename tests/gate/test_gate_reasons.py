"""Every deployment-gate reason, alone and all together."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from faultdrill.budget.spend import Spend, SpendKind
from faultdrill.budget.status import BudgetStatus, status_from_spends
from faultdrill.gate.check import GateInputs, check_deployment
from faultdrill.gate.decision import ReasonCode
from faultdrill.gate.host import HostSample
from faultdrill.gate.security import SecuritySignals
from faultdrill.gate.thresholds import GateThresholds
from faultdrill.incidents.model import Incident, Severity
from faultdrill.slo.model import Slo, default_slo_file
from faultdrill.slo.reading import ReadingSource, SliReading

NOW = 1_710_504_000.0
HOUR = 3600.0
SLOS = default_slo_file().slos
CALM_HOST = HostSample(cpu_percent=20, memory_percent=40, load_per_core=0.3, cores=2)


def slo(name: str) -> Slo:
    return default_slo_file().get(name)


def budget(
    name: str, rate: float = 0.0, hours: float = 1.0, ended_ago_h: float = 0.0
) -> BudgetStatus:
    end = NOW - ended_ago_h * HOUR
    spends = [
        Spend(slo=name, kind=SpendKind.INCIDENT, ref="INC-0001",
              start=end - hours * HOUR, end=end, burn_rate=rate)
    ] if rate else []  # fmt: skip
    return status_from_spends(slo(name), spends, NOW)


def calm_budgets() -> list[BudgetStatus]:
    return [budget(s.name) for s in SLOS]


def reading(
    name: str, window_s: float, bad_ratio: float, total: float = 10_000
) -> SliReading:
    return SliReading(
        slo=name,
        source=ReadingSource.PROMETHEUS,
        window_s=window_s,
        good=total * (1 - bad_ratio),
        total=total,
    )


def latency_reading(p95_ms: float, window_s: float = 300.0) -> SliReading:
    return SliReading(
        slo="api-latency-p95", source=ReadingSource.PROMETHEUS, window_s=window_s,
        good=900, total=1000, percentile_label="p95", percentile_ms=p95_ms,
        bucket_ms=(500.0, 550.0), threshold_ms=500.0,
    )  # fmt: skip


def incident(severity: Severity = Severity.SEV2) -> Incident:
    return Incident(
        id="INC-0007", title="catalog slow", severity=severity,
        opened_at=datetime.fromtimestamp(NOW, UTC),
    )  # fmt: skip


def codes(inputs: GateInputs, thresholds: GateThresholds | None = None) -> list[str]:
    decision = check_deployment(SLOS, inputs, thresholds)
    assert decision.allowed == (not decision.reasons)
    return [r.code.value for r in decision.reasons]


def test_a_calm_service_is_allowed() -> None:
    inputs = GateInputs(
        budgets=calm_budgets(),
        readings=[reading("api-5xx-ratio", HOUR, 0.0001),
                  reading("api-5xx-ratio", 300, 0.0002), latency_reading(120.0)],
        host=CALM_HOST,
        security=SecuritySignals(window_s=HOUR, login_attempts=100, failed_logins=3,
                                 rate_limited=10, fail2ban_bans=1),
    )  # fmt: skip

    decision = check_deployment(SLOS, inputs)

    assert decision.allowed
    assert decision.figures["host"]["cpu_percent"] == 20
    assert decision.figures["budgets"]["api-5xx-ratio"]["budget_left_percent"] == 100


def test_exhausted_budget_blocks() -> None:
    # 30 days' budget in one day: burn 30 for 24 h.
    inputs = GateInputs(
        budgets=[budget("login-success", rate=30.0, hours=24, ended_ago_h=2)]
    )

    decision = check_deployment(SLOS, inputs)

    assert [r.code for r in decision.reasons] == [ReasonCode.BUDGET_EXHAUSTED]
    assert "login-success: 0.00%" in decision.reasons[0].message


def test_a_configured_reserve_blocks_before_the_budget_is_gone() -> None:
    inputs = GateInputs(
        budgets=[budget("login-success", rate=14.4, hours=30, ended_ago_h=2)]
    )

    assert codes(inputs) == []
    assert codes(inputs, GateThresholds(min_budget_left_percent=50)) == [
        "budget-exhausted"
    ]


def test_ledger_burn_over_both_spike_windows_blocks() -> None:
    # 20x for the last hour: 1h and 5m both over 14.4; spent 2.8%.
    inputs = GateInputs(budgets=[budget("api-5xx-ratio", rate=20.0)])

    assert codes(inputs) == ["error-rate-spike"]


@pytest.mark.parametrize(
    ("long_bad", "short_bad", "blocked"),
    [
        (0.02, 0.02, True),  # 20x over both
        (0.02, 0.001, False),  # recovered: the short window is calm
        (0.005, 0.05, False),  # a blip: the long window is calm
        (0.0144, 0.0144, False),  # exactly at the rate is not over it
    ],
)
def test_live_error_spike_needs_both_windows_over_the_rate(
    long_bad: float, short_bad: float, blocked: bool
) -> None:
    inputs = GateInputs(
        readings=[reading("api-5xx-ratio", HOUR, long_bad),
                  reading("api-5xx-ratio", 300, short_bad)]
    )  # fmt: skip

    assert codes(inputs) == (["error-rate-spike"] if blocked else [])


def test_a_window_with_no_traffic_is_no_spike() -> None:
    inputs = GateInputs(
        readings=[reading("api-5xx-ratio", HOUR, 0.5, total=0),
                  reading("api-5xx-ratio", 300, 0.5, total=0)]
    )  # fmt: skip

    assert codes(inputs) == []


def test_latency_over_its_slo_blocks_and_names_the_bucket() -> None:
    inputs = GateInputs(readings=[latency_reading(540.0)])

    decision = check_deployment(SLOS, inputs)

    assert [r.code for r in decision.reasons] == [ReasonCode.LATENCY_OVER_SLO]
    assert "p95 540 ms" in decision.reasons[0].message
    assert "(500, 550] ms histogram bucket" in decision.reasons[0].message


def test_latency_is_judged_on_the_shortest_window_read() -> None:
    inputs = GateInputs(
        readings=[latency_reading(900.0, window_s=HOUR), latency_reading(200.0)]
    )

    assert codes(inputs) == []


@pytest.mark.parametrize(
    ("host", "what"),
    [
        (HostSample(cpu_percent=97, memory_percent=40, load_per_core=0.3, cores=2),
         "CPU at 97%"),
        (HostSample(cpu_percent=20, memory_percent=95, load_per_core=0.3, cores=2),
         "memory at 95%"),
        (HostSample(cpu_percent=20, memory_percent=40, load_per_core=2.5, cores=2),
         "load per core at 2.5"),
    ],
)  # fmt: skip
def test_a_saturated_host_blocks(host: HostSample, what: str) -> None:
    decision = check_deployment(SLOS, GateInputs(host=host))

    assert [r.code for r in decision.reasons] == [ReasonCode.HOST_UNSTABLE]
    assert what in decision.reasons[0].message


def test_an_open_incident_blocks_and_says_how_to_close_it() -> None:
    decision = check_deployment(SLOS, GateInputs(incidents=[incident()]))

    assert [r.code for r in decision.reasons] == [ReasonCode.INCIDENT_OPEN]
    assert "faultdrill incident close INC-0007" in decision.reasons[0].message


def test_minor_incidents_can_be_let_through_by_threshold() -> None:
    inputs = GateInputs(incidents=[incident(Severity.SEV4)])
    sev1_to_3 = GateThresholds(block_on_severity=3)

    assert codes(inputs) == ["incident-open"]
    assert codes(inputs, sev1_to_3) == []


@pytest.mark.parametrize(
    ("signals", "code"),
    [
        (SecuritySignals(window_s=HOUR, login_attempts=100, failed_logins=40),
         "auth-anomaly"),
        (SecuritySignals(window_s=HOUR, rate_limited=7200), "rate-limit-rejections"),
        (SecuritySignals(window_s=HOUR, fail2ban_bans=4), "fail2ban-bans"),
    ],
)  # fmt: skip
def test_each_security_signal_blocks(signals: SecuritySignals, code: str) -> None:
    assert codes(GateInputs(security=signals)) == [code]


def test_every_reason_is_reported_together() -> None:
    inputs = GateInputs(
        budgets=[budget("login-success", rate=720.0)],  # gone, and spiking
        readings=[reading("api-5xx-ratio", HOUR, 0.5),
                  reading("api-5xx-ratio", 300, 0.5), latency_reading(2000.0)],
        host=HostSample(cpu_percent=99, memory_percent=99, load_per_core=4, cores=2),
        incidents=[incident()],
        security=SecuritySignals(window_s=HOUR, login_attempts=10, failed_logins=9,
                                 rate_limited=36000, fail2ban_bans=20),
    )  # fmt: skip

    assert codes(inputs) == [
        "budget-exhausted",
        "error-rate-spike",  # ledger, login-success
        "error-rate-spike",  # live, api-5xx-ratio
        "latency-over-slo",
        "host-unstable",
        "host-unstable",
        "host-unstable",
        "incident-open",
        "auth-anomaly",
        "rate-limit-rejections",
        "fail2ban-bans",
    ]


def test_decision_json_has_allowed_reasons_and_figures() -> None:
    decision = check_deployment(SLOS, GateInputs(incidents=[incident()]))

    data = decision.as_json()

    assert data["allowed"] is False
    assert data["reasons"][0]["code"] == "incident-open"
    assert data["figures"]["open_incidents"][0]["id"] == "INC-0007"
