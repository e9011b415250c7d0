"""The two gates: may a deployment go out, may an experiment start.

Both take what was measured (``GateInputs``) and answer with a
``GateDecision`` holding every reason to say no. Gathering the inputs
(reading the ledger, sampling the host, asking Prometheus) is kept apart in
``gather`` so the rules are tested on plain values.

The deployment gate blocks when an SLO's budget is exhausted, an error
rate spikes, a latency SLO is over its threshold, the host is saturated,
an incident is open, or a security signal is up. The experiment gate
blocks on the same conditions for the SLOs of its hypothesis, and also
when the budget left is below the experiment's ``gate.min-budget-left``,
when its environment is not in ``gate.environments``, or when another
experiment holds one of its targets.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faultdrill.budget.ledger import BudgetLedger
from faultdrill.budget.status import BudgetStatus, budget_status
from faultdrill.experiment.model import Experiment
from faultdrill.faults.ledger import FaultLedger
from faultdrill.gate import reasons
from faultdrill.gate.decision import GateDecision, GateReason
from faultdrill.gate.host import HostSample
from faultdrill.gate.locks import LockHolder, experiment_targets, holders
from faultdrill.gate.security import SecuritySignals
from faultdrill.gate.thresholds import GateThresholds
from faultdrill.incidents.model import Incident
from faultdrill.incidents.store import IncidentScan, IncidentStore
from faultdrill.slo.model import Slo
from faultdrill.slo.reading import SliReading

log = logging.getLogger(__name__)

ENVIRONMENT_ENV = "FAULTDRILL_ENVIRONMENT"


@dataclass(frozen=True)
class GateInputs:
    """Everything measured for one gate decision; absent parts are not checked."""

    budgets: Sequence[BudgetStatus] = ()
    incidents: Sequence[Incident] = ()
    unreadable_incidents: Sequence[str] = ()  # problems with incident files
    readings: Sequence[SliReading] = ()
    host: HostSample | None = None
    security: SecuritySignals | None = None
    holders: Sequence[LockHolder] = field(default=())
    faults_applied: Sequence[str] = ()  # pending entries of the fault ledger


def check_deployment(
    slos: Sequence[Slo],
    inputs: GateInputs,
    thresholds: GateThresholds | None = None,
) -> GateDecision:
    """May a deployment go out? Every reason to say no, and the figures."""
    t = thresholds or GateThresholds()
    return GateDecision(reasons=_common(slos, inputs, t), figures=_figures(inputs))


def check_experiment(
    experiment: Experiment,
    slos: Sequence[Slo],
    ledger: BudgetLedger,
    now: float,
    *,
    readings: Sequence[SliReading] = (),
    host: HostSample | None = None,
    security: SecuritySignals | None = None,
    incidents: IncidentStore | None = None,
    environment: str | None = None,
    thresholds: GateThresholds | None = None,
    lock_dir: Path | None = None,
) -> GateDecision:
    """May ``experiment`` start? ``slos`` are its hypothesis SLOs.

    ``environment`` defaults to ``$FAULTDRILL_ENVIRONMENT``. Targets held by
    another experiment are found without taking them; take them for the
    run with ``faultdrill.gate.locks.target_lock``.
    """
    t = thresholds or GateThresholds()
    gate = experiment.gate
    store = incidents or IncidentStore.default()
    scan = store.scan() if gate.no_open_incidents else IncidentScan((), ())
    inputs = GateInputs(
        budgets=[budget_status(slo, ledger, now) for slo in slos],
        incidents=scan.open_incidents,
        unreadable_incidents=[str(p) for p in scan.problems],
        readings=readings,
        host=host,
        security=security,
        holders=holders(experiment_targets(experiment), lock_dir),
        faults_applied=_faults_applied(),
    )
    found = _common(slos, inputs, t)
    found += reasons.budget_below_minimum(inputs.budgets, gate.min_budget_left)
    found += reasons.budget_below_allowance(
        inputs.budgets, experiment.blast_radius.max_budget_spend
    )
    env = environment if environment is not None else os.environ.get(ENVIRONMENT_ENV)
    found += reasons.environment_not_allowed(gate.environments, env, ENVIRONMENT_ENV)
    found += reasons.targets_held(inputs.holders)
    return GateDecision(reasons=found, figures=_figures(inputs))


def gather(
    slos: Sequence[Slo],
    ledger: BudgetLedger,
    now: float,
    *,
    incidents: IncidentStore,
    readings: Sequence[SliReading] = (),
    host: Callable[[], HostSample] | None = None,
    security: SecuritySignals | None = None,
) -> GateInputs:
    """Read the ledger and the incidents, and sample the host if asked."""
    scan = incidents.scan()
    return GateInputs(
        budgets=[budget_status(slo, ledger, now) for slo in slos],
        incidents=scan.open_incidents,
        unreadable_incidents=[str(p) for p in scan.problems],
        readings=readings,
        host=host() if host is not None else None,
        security=security,
        faults_applied=_faults_applied(),
    )


def _faults_applied() -> list[str]:
    # Faults of live runs are theirs to revert; their targets are locked.
    return [fault.description for fault in FaultLedger.default().orphans()]


def _common(
    slos: Sequence[Slo], inputs: GateInputs, t: GateThresholds
) -> list[GateReason]:
    by_name = {slo.name: slo for slo in slos}
    found = reasons.budget_exhausted(inputs.budgets, t)
    found += reasons.ledger_spikes(inputs.budgets, t)
    found += reasons.live_spikes(inputs.readings, by_name, t)
    found += reasons.latency_over(inputs.readings, by_name)
    found += reasons.load_test_breaches(inputs.readings, by_name)
    found += reasons.host_unstable(inputs.host, t)
    found += reasons.incidents_open(inputs.incidents, t)
    found += reasons.incidents_unreadable(inputs.unreadable_incidents)
    found += reasons.security(inputs.security, t)
    found += reasons.faults_applied(inputs.faults_applied)
    for reason in found:
        log.debug("gate: %s", reason)
    return found


def _figures(inputs: GateInputs) -> dict[str, Any]:
    return {
        "budgets": {
            b.slo: {
                "budget_left_percent": round(b.left_percent, 6),
                "burn_rates": b.burn_rates,
            }
            for b in inputs.budgets
        },
        "open_incidents": [
            {"id": i.id, "severity": i.severity.value, "title": i.title}
            for i in inputs.incidents
        ],
        "unreadable_incidents": list(inputs.unreadable_incidents),
        "readings": [r.model_dump(mode="json") for r in inputs.readings],
        "host": inputs.host.model_dump(mode="json") if inputs.host else None,
        "security": (
            inputs.security.model_dump(mode="json") if inputs.security else None
        ),
        "targets_held": [h.model_dump(mode="json") for h in inputs.holders],
    }
