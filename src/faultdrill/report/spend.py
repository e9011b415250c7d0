"""Error budget spent by a run, as a report shows it.

The budget ledger writes each SLO's cost into the journal
(``faultdrill.budget``: a list of faultdrill.budget.cost.ExperimentCost).
Journals without it (older runs, runs stopped before the method) still get
figures: the burn rate of the fault window from the phase verdicts, with the
budget share estimated for a 30-day window and marked as an estimate.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from faultdrill.budget.burn import DAY, burn_rate, consumed
from faultdrill.report.record import RunRecord
from faultdrill.runner.outcome import Phase
from faultdrill.slo.verdict import SloVerdict

log = logging.getLogger(__name__)

# Without the ledger's figures the SLO window is unknown; 30 days is the
# window of every shipped SLO (src/faultdrill/data/slos.yaml).
ESTIMATE_WINDOW_S = 30 * DAY


class SpendRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    slo: str
    baseline_bad_ratio: float | None
    during_bad_ratio: float | None
    burn_rate: float
    budget_spent_percent: float
    bad_events: int
    total_events: int
    estimated: bool  # True: from verdicts, 30-day window assumed


def spend_rows(record: RunRecord) -> list[SpendRow]:
    """The ledger's figures when the journal has them, else estimates."""
    recorded = _recorded(record.budget)
    if recorded is not None:
        return recorded
    return _estimated(record)


def _recorded(raw: Any) -> list[SpendRow] | None:
    if not isinstance(raw, list) or not raw:
        return None
    try:
        return [_row(item) for item in raw]
    except (KeyError, TypeError, ValidationError) as exc:
        log.warning("journal budget figures unreadable (%s); estimating instead", exc)
        return None


def _row(item: dict[str, Any]) -> SpendRow:
    return SpendRow(
        slo=item["slo"],
        baseline_bad_ratio=item.get("baseline_bad_ratio"),
        during_bad_ratio=item.get("during_bad_ratio"),
        burn_rate=item["burn_rate"],
        budget_spent_percent=float(item["budget_spent"]) * 100.0,
        bad_events=item.get("bad_events", 0),
        total_events=item.get("total_events", 0),
        estimated=False,
    )


def _estimated(record: RunRecord) -> list[SpendRow]:
    during = record.phase(Phase.DURING)
    if during is None or during.duration is None:
        return []
    before = record.phase(Phase.BEFORE)
    baselines = {v.slo: v for v in before.verdicts} if before else {}
    return [
        _estimate(verdict, baselines.get(verdict.slo), during.duration)
        for verdict in during.verdicts
    ]


def _estimate(
    during: SloVerdict, before: SloVerdict | None, seconds: float
) -> SpendRow:
    budget = round(1.0 - during.objective / 100.0, 12)
    baseline = _bad_ratio(before) if before else None
    observed = _bad_ratio(during)
    excess = max(0.0, (observed or 0.0) - (baseline or 0.0))
    rate = burn_rate(excess, budget)
    return SpendRow(
        slo=during.slo,
        baseline_bad_ratio=baseline,
        during_bad_ratio=observed,
        burn_rate=rate,
        budget_spent_percent=consumed(rate, seconds, ESTIMATE_WINDOW_S) * 100.0,
        bad_events=during.bad,
        total_events=during.total,
        estimated=True,
    )


def _bad_ratio(verdict: SloVerdict) -> float | None:
    return verdict.bad / verdict.total if verdict.total else None
