"""The experiment gate in one call, gathering its inputs where they live.

    decision = gate_experiment(model, hypothesis_slos, slo_file=slo_file)
    if not decision.allowed:
        raise Refused(decision.messages)
    with target_lock(experiment_targets(model), model.title, run_id):
        ...  # the run

Reads the budget ledger and the incidents under FAULTDRILL_HOME, samples
the host, and, when a Prometheus URL is given (or FAULTDRILL_PROMETHEUS_URL
is set), the live SLIs and security signals.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from faultdrill.budget.ledger import BudgetLedger
from faultdrill.experiment.model import Experiment
from faultdrill.gate.check import check_experiment
from faultdrill.gate.decision import GateDecision
from faultdrill.gate.host import sample_host
from faultdrill.gate.live import live_readings, prometheus_client
from faultdrill.gate.security import read_security
from faultdrill.gate.thresholds import GateThresholds
from faultdrill.slo.model import Slo, SloFile


def gate_experiment(
    experiment: Experiment,
    slos: Sequence[Slo],
    *,
    slo_file: SloFile | None = None,
    prometheus_url: str | None = None,
    check_host: bool = True,
    environment: str | None = None,
    thresholds: GateThresholds | None = None,
    now: float | None = None,
) -> GateDecision:
    """May ``experiment`` start? ``slos`` are the SLOs of its hypothesis."""
    t = thresholds or GateThresholds()
    when = time.time() if now is None else now
    client = prometheus_client(prometheus_url)
    windows = (t.spike_long_window_s, t.spike_short_window_s)
    security = slo_file.security if slo_file is not None else None
    return check_experiment(
        experiment,
        slos,
        BudgetLedger.default(),
        when,
        readings=live_readings(slos, windows, client),
        host=sample_host() if check_host else None,
        security=read_security(security, client, t.security_window_s, when),
        environment=environment,
        thresholds=t,
    )
