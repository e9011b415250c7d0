"""An experiment's cost: its fault window against its own before-baseline."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from faultdrill.budget.cost import experiment_cost, record_run_costs
from faultdrill.budget.ledger import BudgetLedger
from faultdrill.budget.spend import SpendKind
from faultdrill.errors import InvalidInput
from faultdrill.slo.model import default_slo_file
from faultdrill.slo.verdict import SloVerdict, VerdictStatus

from .budget_helpers import at, slo

START = at(2024, 3, 15, 12)


def verdict(bad: int, total: int, name: str = "api-5xx-ratio") -> dict[str, Any]:
    return {"slo": name, "status": "held", "bad": bad, "total": total}


def stamp(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).isoformat()


def test_cost_charges_only_the_excess_over_the_baseline() -> None:
    cost = experiment_cost(
        slo(), "run-1", verdict(2, 1000), verdict(52, 1000), START, START + 60
    )

    # excess 5% / budget 0.1% = burn 50; 50 * 60 s / 30 days = 1/864
    assert cost.excess_bad_ratio == pytest.approx(0.05)
    assert cost.burn_rate == pytest.approx(50.0)
    assert cost.budget_spent == pytest.approx(1 / 864)
    assert (cost.bad_events, cost.total_events) == (52, 1000)


def test_a_fault_window_no_worse_than_the_baseline_costs_nothing() -> None:
    cost = experiment_cost(
        slo(), "run-1", verdict(30, 1000), verdict(10, 1000), START, START + 60
    )

    assert (cost.excess_bad_ratio, cost.budget_spent) == (0.0, 0.0)


def test_without_a_baseline_everything_bad_is_charged() -> None:
    cost = experiment_cost(slo(), "run-1", None, verdict(10, 100), START, START + 60)

    assert cost.baseline_bad_ratio is None
    assert cost.burn_rate == pytest.approx(100.0)


def test_without_during_samples_nothing_is_charged() -> None:
    cost = experiment_cost(slo(), "r", verdict(0, 10), verdict(0, 0), START, START + 1)

    assert cost.during_bad_ratio is None
    assert cost.budget_spent == 0.0


def test_verdict_objects_and_their_json_cost_the_same() -> None:
    model = SloVerdict(
        slo="api-5xx-ratio", sli_type="error-ratio", status=VerdictStatus.DEVIATED,
        objective=99.9, confidence=0.95, total=1000, good=948, bad=52,
        observed_ratio=0.948, samples_needed=1, statuses={}, errors={},
        latency=None, summary="",
    )  # fmt: skip

    as_model = experiment_cost(slo(), "r", None, model, START, START + 60)
    as_json = experiment_cost(
        slo(), "r", None, model.model_dump(mode="json"), START, START + 60
    )

    assert as_model == as_json


def test_something_that_is_not_a_verdict_says_what_is_expected() -> None:
    with pytest.raises(InvalidInput, match="'bad' and 'total'"):
        experiment_cost(slo(), "r", None, {"slo": "x"}, START, START + 1)


def test_run_costs_from_journal_phases_are_recorded_in_the_ledger(
    tmp_path: Path,
) -> None:
    ledger = BudgetLedger(tmp_path / "budget.sqlite")
    slos = default_slo_file()
    phases: dict[str, dict[str, Any]] = {
        "before": {"verdicts": [verdict(0, 500), verdict(0, 500, "api-latency-p95")]},
        "during": {
            "start": stamp(START),
            "end": stamp(START + 120),
            "verdicts": [verdict(25, 500), verdict(0, 500, "api-latency-p95")],
        },
    }
    hypothesis = [slos.get("api-5xx-ratio"), slos.get("api-latency-p95")]

    costs = record_run_costs(ledger, "run-7", "latency test", hypothesis, phases)

    assert [c.slo for c in costs] == ["api-5xx-ratio", "api-latency-p95"]
    # 5% excess / 0.1% = burn 50 for 120 s of 30 days
    assert costs[0].budget_spent == pytest.approx(50 * 120 / (30 * 86400))
    recorded = {s.slo: s for s in ledger.by_ref(SpendKind.EXPERIMENT, "run-7")}
    assert recorded["api-5xx-ratio"].burn_rate == pytest.approx(50.0)
    assert recorded["api-5xx-ratio"].note == "latency test"
    assert recorded["api-latency-p95"].burn_rate == 0.0


def test_a_run_that_never_reached_its_faults_cost_nothing(tmp_path: Path) -> None:
    ledger = BudgetLedger(tmp_path / "budget.sqlite")
    phases = {"before": {"verdicts": [verdict(50, 100)]}}

    assert record_run_costs(ledger, "r", "t", [slo()], phases) == []
    assert ledger.spends("api-5xx-ratio") == []
