"""Burn rates: how fast an SLO spends its error budget.

The facts (Google SRE Workbook, "Alerting on SLOs"; see
reference/slo-and-load.md):

- error budget = 1 - objective;
- burn rate = observed bad ratio / error budget; at burn rate 1 the budget
  lasts exactly one SLO period;
- a burn rate ``b`` kept for ``w`` seconds of a period ``P`` consumes
  ``b * w / P`` of the period's budget.

``ALERT_WINDOWS`` is the Workbook's multiwindow, multi-burn-rate table for
a 30-day SLO: an alert fires only when both its long and its short window
burn faster than its rate.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

MINUTE = 60.0
HOUR = 3600.0
DAY = 86_400.0


class AlertSeverity(enum.StrEnum):
    PAGE = "page"
    TICKET = "ticket"


@dataclass(frozen=True)
class AlertWindow:
    """One row of the multiwindow table: both windows must burn past ``rate``."""

    severity: AlertSeverity
    long_s: float
    short_s: float
    rate: float

    @property
    def budget_consumed(self) -> float:
        """Share of a 30-day budget the long window spends at ``rate``."""
        return consumed(self.rate, self.long_s, 30 * DAY)

    @property
    def name(self) -> str:
        return f"{duration_label(self.long_s)}/{duration_label(self.short_s)}"


# SRE Workbook, "Alerting on SLOs", recommended parameters for a 30-day SLO
# (2%, 5% and 10% of the budget consumed).
ALERT_WINDOWS = (
    AlertWindow(AlertSeverity.PAGE, long_s=1 * HOUR, short_s=5 * MINUTE, rate=14.4),
    AlertWindow(AlertSeverity.PAGE, long_s=6 * HOUR, short_s=30 * MINUTE, rate=6.0),
    AlertWindow(AlertSeverity.TICKET, long_s=3 * DAY, short_s=6 * HOUR, rate=1.0),
)


def burn_windows() -> tuple[float, ...]:
    """Every window of the table, shortest first, each once."""
    lengths = {w.long_s for w in ALERT_WINDOWS} | {w.short_s for w in ALERT_WINDOWS}
    return tuple(sorted(lengths))


def burn_rate(bad_ratio: float, error_budget: float) -> float:
    """How many times faster than sustainable a bad ratio spends the budget."""
    if not 0 < error_budget <= 1:
        raise ValueError(f"error budget {error_budget!r} must be in (0, 1]")
    return bad_ratio / error_budget


def consumed(rate: float, seconds: float, period_s: float) -> float:
    """Share of a period's budget spent burning at ``rate`` for ``seconds``."""
    return rate * seconds / period_s


def duration_label(seconds: float) -> str:
    """``300`` -> ``5m``, ``3600`` -> ``1h``, ``259200`` -> ``3d``: PromQL style."""
    for unit, size in (("d", DAY), ("h", HOUR), ("m", MINUTE)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
