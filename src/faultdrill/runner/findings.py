"""What a finished run leaves in the journal besides its verdicts.

Its error-budget cost (recorded in the budget ledger too), the incident a
broken SLO opened, the capacity and rate-limit figures of load actions, and
each SLI per second for the report's plots.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from faultdrill.budget import BudgetLedger, record_run_costs
from faultdrill.experiment.model import Experiment
from faultdrill.incidents.open import open_for_verdicts
from faultdrill.probe.sample import ProbeSample
from faultdrill.report.series import series_from_samples
from faultdrill.runner.journal import Journal
from faultdrill.runner.outcome import Phase
from faultdrill.slo.model import Slo


def record_cost_and_incident(
    journal: Journal,
    experiment: Experiment,
    slos: Sequence[Slo],
    judged: Sequence[dict[str, Any]],
) -> list[str]:
    """Charge the budget and open an incident if an SLO broke; lines to show."""
    phases = {p.phase.value: p.as_json() for p in journal.phases}
    if Phase.DURING.value not in phases:
        return []  # nothing was injected: no cost, no finding
    title, run_id = experiment.title, journal.run_id
    costs = record_run_costs(BudgetLedger.default(), run_id, title, slos, phases)
    journal.budget = [cost.model_dump(mode="json") for cost in costs]
    lines = [
        f"error budget: {cost.slo} spent {100 * cost.budget_spent:.4f}% of its "
        f"window's budget (burn rate {cost.burn_rate:.1f}x over the whole fault "
        "window, above the before-baseline)"
        for cost in costs
    ]
    incident = open_for_verdicts(
        run_id, title, experiment.runbook, judged, slos, journal.events
    )
    if incident is not None:
        journal.incident = incident.model_dump(mode="json")
        lines.append(
            f"incident opened: {incident.id} {incident.severity.value} {incident.title}"
        )
    return lines


def record_load_figures(journal: Journal) -> None:
    """Capacity and rate-limit figures of load actions, at the journal's top."""
    for run in journal.runs:
        output = run.get("output")
        if not isinstance(output, dict):
            continue
        if "capacity_rps" in output:
            journal.capacity = output
        if isinstance(output.get("rate_limit"), dict):
            journal.rate_limit = output["rate_limit"]


def record_series(
    journal: Journal, slos: Sequence[Slo], samples: Sequence[ProbeSample]
) -> None:
    """Each SLI per second over the whole run, for the report's plots."""
    series = series_from_samples(slos, samples, t0=journal.start)
    journal.series = series.model_dump(mode="json")
