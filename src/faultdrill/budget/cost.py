"""What an experiment cost each SLO: its fault window against its own baseline.

The before phase measures how the service was doing on its own (its
baseline bad ratio); the during phase measures it with the faults in place.
Only the difference is the experiment's doing:

    excess ratio = max(0, during bad ratio - before bad ratio)
    burn rate    = excess ratio / error budget
    budget spent = burn rate * fault window seconds / SLO period

With no before samples the baseline is taken as 0, so everything bad during
the faults is charged to the experiment; with no during samples nothing is
known and nothing is charged (the verdict says "inconclusive" already).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from faultdrill.budget.burn import burn_rate, consumed
from faultdrill.budget.ledger import BudgetLedger
from faultdrill.budget.spend import Spend, SpendKind
from faultdrill.budget.window import period_at
from faultdrill.errors import InvalidInput
from faultdrill.slo.model import Slo
from faultdrill.slo.verdict import SloVerdict

log = logging.getLogger(__name__)

Verdict = SloVerdict | Mapping[str, Any]


class ExperimentCost(BaseModel):
    """One SLO's share of an experiment's cost; goes into the journal as is."""

    model_config = ConfigDict(frozen=True)

    slo: str
    run_id: str
    start: float
    end: float
    baseline_bad_ratio: float | None  # None: no before samples (0 was used)
    during_bad_ratio: float | None  # None: no during samples (nothing charged)
    excess_bad_ratio: float
    burn_rate: float
    budget_spent: float  # fraction of the period's budget; 0.01 = 1%
    bad_events: int
    total_events: int

    @property
    def budget_spent_percent(self) -> float:
        return self.budget_spent * 100.0


def experiment_cost(
    slo: Slo,
    run_id: str,
    before: Verdict | None,
    during: Verdict,
    start: float,
    end: float,
) -> ExperimentCost:
    """The cost of the fault window ``[start, end]`` (epoch seconds) to ``slo``."""
    baseline = _bad_ratio(before) if before is not None else None
    bad, total = _counts(during)
    observed = bad / total if total else None
    excess = max(0.0, (observed or 0.0) - (baseline or 0.0))
    rate = burn_rate(excess, slo.error_budget)
    period = period_at(slo.window, end)
    return ExperimentCost(
        slo=slo.name,
        run_id=run_id,
        start=start,
        end=end,
        baseline_bad_ratio=baseline,
        during_bad_ratio=observed,
        excess_bad_ratio=excess,
        burn_rate=rate,
        budget_spent=consumed(rate, end - start, period.length_s),
        bad_events=bad,
        total_events=total,
    )


def record_experiment_cost(
    ledger: BudgetLedger, cost: ExperimentCost, title: str = ""
) -> None:
    """Write one cost to the ledger; writing it again replaces it."""
    ledger.record(
        Spend(
            slo=cost.slo,
            kind=SpendKind.EXPERIMENT,
            ref=cost.run_id,
            start=cost.start,
            end=cost.end,
            burn_rate=cost.burn_rate,
            bad_events=cost.bad_events,
            total_events=cost.total_events,
            note=title,
        )
    )
    if cost.budget_spent > 0:
        log.info(
            "experiment %s spent %.3g%% of the %s error budget",
            cost.run_id,
            cost.budget_spent_percent,
            cost.slo,
        )


def record_run_costs(
    ledger: BudgetLedger,
    run_id: str,
    title: str,
    slos: Iterable[Slo],
    phases: Mapping[str, Mapping[str, Any]],
) -> list[ExperimentCost]:
    """Cost of every hypothesis SLO from a journal's ``faultdrill.phases``.

    ``phases`` is the journal's dict: ``before`` and ``during`` each with
    ``start``/``end`` (ISO 8601) and ``verdicts`` (``SloVerdict`` dumps).
    A run that never reached the during phase cost nothing: returns [].
    """
    during = phases.get("during")
    if not during or not during.get("end"):
        return []
    start, end = _stamp(during["start"]), _stamp(during["end"])
    before = _by_slo(phases.get("before", {}).get("verdicts", []))
    measured = _by_slo(during.get("verdicts", []))
    costs = []
    for slo in slos:
        if slo.name not in measured:
            continue
        cost = experiment_cost(
            slo, run_id, before.get(slo.name), measured[slo.name], start, end
        )
        record_experiment_cost(ledger, cost, title)
        costs.append(cost)
    return costs


def _counts(verdict: Verdict) -> tuple[int, int]:
    if isinstance(verdict, SloVerdict):
        return verdict.bad, verdict.total
    try:
        return int(verdict["bad"]), int(verdict["total"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput.single(
            "experiment cost",
            "verdict",
            f"{verdict!r} is not an SLO verdict; give SloVerdict or its "
            "model_dump(mode='json') with 'bad' and 'total'",
        ) from exc


def _bad_ratio(verdict: Verdict) -> float | None:
    bad, total = _counts(verdict)
    return bad / total if total else None


def _by_slo(verdicts: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {str(v["slo"]): v for v in verdicts}


def _stamp(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    return datetime.fromisoformat(str(value)).timestamp()
