"""The experiment gate: the deployment conditions plus its own minimum, its
environment and its targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultdrill.budget.ledger import BudgetLedger
from faultdrill.budget.spend import Spend, SpendKind
from faultdrill.experiment.loader import load_experiment
from faultdrill.experiment.model import Experiment, Gate
from faultdrill.gate.check import check_experiment
from faultdrill.gate.experiment import gate_experiment
from faultdrill.gate.host import HostSample
from faultdrill.gate.locks import experiment_targets, target_lock
from faultdrill.incidents.manage import open_incident
from faultdrill.incidents.model import Severity
from faultdrill.incidents.store import IncidentStore
from faultdrill.slo.model import Slo, default_slo_file

EXPERIMENT = (
    Path(__file__).resolve().parents[2] / "experiments/api-latency-absorbed.yaml"
)
NOW = 1_710_504_000.0
DAY = 86_400.0


@pytest.fixture
def experiment() -> Experiment:
    return load_experiment(EXPERIMENT).model


@pytest.fixture
def ledger(tmp_path: Path) -> BudgetLedger:
    return BudgetLedger(tmp_path / "budget.sqlite")


def hypothesis(experiment: Experiment) -> list[Slo]:
    return [default_slo_file().get(n) for n in experiment.slo.hypothesis]


def with_gate(experiment: Experiment, **gate: object) -> Experiment:
    return experiment.model_copy(update={"gate": Gate.model_validate(gate)})


def spend_percent(ledger: BudgetLedger, slo: str, percent: float) -> None:
    # burn b for one day of a 30-day window spends b/30 of the budget; it
    # ended a day ago, so no burn-rate window sees it as a spike.
    rate = percent / 100 * 30
    ledger.record(Spend(slo=slo, kind=SpendKind.EXPERIMENT, ref=f"earlier-{percent}",
                        start=NOW - 2 * DAY, end=NOW - DAY, burn_rate=rate))  # fmt: skip


def codes(experiment: Experiment, ledger: BudgetLedger, **kwargs: object) -> list[str]:
    decision = check_experiment(
        experiment,
        hypothesis(experiment),
        ledger,
        NOW,
        **kwargs,  # type: ignore[arg-type]
    )
    return [r.code.value for r in decision.reasons]


def test_a_calm_service_lets_the_experiment_start(
    experiment: Experiment, ledger: BudgetLedger
) -> None:
    assert codes(experiment, ledger) == []


def test_budget_below_the_experiments_minimum_refuses(
    experiment: Experiment, ledger: BudgetLedger
) -> None:
    spend_percent(ledger, "api-latency-p95", 60)  # 40% left
    strict = with_gate(experiment, **{"min-budget-left": 50})

    assert codes(experiment, ledger) == []
    decision = check_experiment(strict, hypothesis(strict), ledger, NOW)
    assert [r.code.value for r in decision.reasons] == ["budget-below-minimum"]
    assert "40.00% of the error budget left, below" in decision.reasons[0].message


def test_less_budget_left_than_the_experiment_may_spend_refuses(
    experiment: Experiment, ledger: BudgetLedger
) -> None:
    spend_percent(ledger, "api-latency-p95", 95)  # 5% left
    radius = experiment.blast_radius.model_copy(update={"max_budget_spend": 10.0})
    greedy = experiment.model_copy(update={"blast_radius": radius})
    decision = check_experiment(greedy, hypothesis(greedy), ledger, NOW)
    assert [r.code.value for r in decision.reasons] == ["budget-below-allowance"]
    assert "5.00% of the error budget left" in decision.reasons[0].message
    assert "max-budget-spend 10%" in decision.reasons[0].message

    radius = experiment.blast_radius.model_copy(update={"max_budget_spend": 2.0})
    modest = experiment.model_copy(update={"blast_radius": radius})
    assert codes(modest, ledger) == []


def test_an_exhausted_budget_of_an_slo_outside_the_hypothesis_does_not_refuse(
    experiment: Experiment, ledger: BudgetLedger
) -> None:
    spend_percent(ledger, "login-success", 150)

    assert codes(experiment, ledger) == []
    spend_percent(ledger, "api-latency-p95", 150)
    assert codes(experiment, ledger) == ["budget-exhausted"]


def test_an_open_incident_refuses_unless_the_experiment_allows_it(
    experiment: Experiment, ledger: BudgetLedger
) -> None:
    open_incident(IncidentStore.default(), "slow", Severity.SEV3, NOW)
    lenient = with_gate(experiment, **{"no-open-incidents": False})

    assert codes(experiment, ledger) == ["incident-open"]
    assert codes(lenient, ledger) == []


@pytest.mark.parametrize(
    ("environment", "refused"), [("staging", False), ("production", True), (None, True)]
)
def test_environment_must_be_one_the_experiment_allows(
    experiment: Experiment,
    ledger: BudgetLedger,
    environment: str | None,
    refused: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FAULTDRILL_ENVIRONMENT", raising=False)
    staging_only = with_gate(experiment, environments=["staging"])

    got = codes(staging_only, ledger, environment=environment)

    assert got == (["environment-not-allowed"] if refused else [])


def test_environment_comes_from_the_variable_by_default(
    experiment: Experiment, ledger: BudgetLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAULTDRILL_ENVIRONMENT", "staging")

    assert codes(with_gate(experiment, environments=["staging"]), ledger) == []


def test_a_target_held_by_another_experiment_refuses_naming_it(
    experiment: Experiment, ledger: BudgetLedger
) -> None:
    assert experiment_targets(experiment) == ["proxy:catalog"]

    with target_lock(["proxy:catalog"], "catalog outage drill", "run-9"):
        decision = check_experiment(experiment, hypothesis(experiment), ledger, NOW)

    assert [r.code.value for r in decision.reasons] == ["target-held"]
    assert "catalog outage drill" in decision.reasons[0].message


def test_host_saturation_refuses_the_experiment_too(
    experiment: Experiment, ledger: BudgetLedger
) -> None:
    busy = HostSample(cpu_percent=99, memory_percent=10, load_per_core=0.1, cores=2)

    assert codes(experiment, ledger, host=busy) == ["host-unstable"]


def test_gate_experiment_gathers_ledger_and_incidents_from_home(
    experiment: Experiment,
) -> None:
    spend_percent(BudgetLedger.default(), "api-latency-p95", 150)
    open_incident(IncidentStore.default(), "slow", Severity.SEV3, NOW)

    decision = gate_experiment(
        experiment, hypothesis(experiment), check_host=False, now=NOW
    )

    assert [r.code.value for r in decision.reasons] == [
        "budget-exhausted",
        "incident-open",
    ]
    assert decision.figures["host"] is None
