"""How much of an SLO's error budget is left, and how fast it is burning.

Both answers come from the ledger's spends (see ``faultdrill.budget.spend``):

- budget spent in the period = sum over spends of
  ``burn_rate * seconds inside the period / period length``;
  budget left = 1 - spent, below zero when overspent;
- burn rate over the last ``w`` seconds = the time-weighted mean of the
  spends' burn rates over that stretch, ``sum(burn_rate * overlap) / w``;
  a stretch with no spend burns at 0.

TODO(background burn from Prometheus): errors outside incidents and
experiments (seen by Prometheus over the whole window) are not charged;
charging them needs the experiments' and incidents' own share subtracted,
or the same bad events are counted twice.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from faultdrill.budget.burn import burn_windows, duration_label
from faultdrill.budget.ledger import BudgetLedger
from faultdrill.budget.spend import Spend, SpendKind
from faultdrill.budget.window import BudgetPeriod, period_at
from faultdrill.slo.model import RollingWindow, Slo


class BudgetStatus(BaseModel):
    """One SLO's budget at ``now``; fractions of the period's budget (1 = all)."""

    model_config = ConfigDict(frozen=True)

    slo: str
    objective: float
    window: str  # "rolling 30d" or "calendar month"
    now: float
    period_start: float
    period_length_s: float
    spent: float
    spent_by: dict[SpendKind, float]
    left: float
    burn_rates: dict[str, float]  # window label ("5m", "1h", "3d") -> rate

    @property
    def exhausted(self) -> bool:
        return self.left <= 0.0

    @property
    def left_percent(self) -> float:
        return self.left * 100.0


def budget_status(slo: Slo, ledger: BudgetLedger, now: float) -> BudgetStatus:
    """The budget of ``slo`` at ``now`` (epoch seconds), from ``ledger``."""
    period = period_at(slo.window, now)
    longest = max(burn_windows())
    since = min(period.start, now - longest)
    spends = ledger.spends(slo.name, since=since, until=now)
    return status_from_spends(slo, spends, now)


def status_from_spends(slo: Slo, spends: list[Spend], now: float) -> BudgetStatus:
    """The same answer from spends already read; pure, for tests and reports."""
    period = period_at(slo.window, now)
    spent_by = {kind: _spent(spends, period, kind) for kind in SpendKind}
    spent = sum(spent_by.values())
    return BudgetStatus(
        slo=slo.name,
        objective=slo.objective,
        window=window_label(slo),
        now=now,
        period_start=period.start,
        period_length_s=period.length_s,
        spent=spent,
        spent_by=spent_by,
        left=1.0 - spent,
        burn_rates={
            duration_label(w): mean_burn_rate(spends, now - w, now)
            for w in burn_windows()
        },
    )


def mean_burn_rate(spends: list[Spend], start: float, end: float) -> float:
    """Time-weighted mean burn rate over ``[start, end]``."""
    if end <= start:
        raise ValueError(f"burn-rate window [{start}, {end}] is empty")
    burned = sum(s.burn_rate * s.seconds_within(start, end) for s in spends)
    return burned / (end - start)


def window_label(slo: Slo) -> str:
    if isinstance(slo.window, RollingWindow):
        return f"rolling {slo.window.days}d"
    return "calendar month"


def _spent(spends: list[Spend], period: BudgetPeriod, kind: SpendKind) -> float:
    inside = (
        s.burn_rate * s.seconds_within(period.start, period.now)
        for s in spends
        if s.kind is kind
    )
    return sum(inside) / period.length_s
