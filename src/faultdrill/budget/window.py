"""The stretch of time an error budget covers, and when it resets.

A rolling window of N days always covers the last N days: budget spent
N days ago comes back one spend at a time. A calendar-month window covers
the current month (UTC) from its first second: everything spent before
that is forgotten at once when the month turns, and the budget of the
month is sized by the month's own length (28 to 31 days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from faultdrill.slo.model import CalendarMonthWindow, RollingWindow

SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class BudgetPeriod:
    """Where the budget counted ``now`` begins, and the period it is sized by.

    ``start`` and ``now`` are epoch seconds; ``length_s`` is the length of
    the SLO period (30 days, or the whole calendar month), which is longer
    than ``now - start`` part-way through a month.
    """

    start: float
    now: float
    length_s: float


def period_at(window: RollingWindow | CalendarMonthWindow, now: float) -> BudgetPeriod:
    """The budget period that ``now`` (epoch seconds) falls in."""
    if isinstance(window, RollingWindow):
        length = window.days * SECONDS_PER_DAY
        return BudgetPeriod(start=now - length, now=now, length_s=length)
    start, end = month_bounds(now)
    return BudgetPeriod(start=start, now=now, length_s=end - start)


def month_bounds(now: float) -> tuple[float, float]:
    """First second of the UTC month holding ``now``, and of the next month."""
    moment = datetime.fromtimestamp(now, UTC)
    first = datetime(moment.year, moment.month, 1, tzinfo=UTC)
    if moment.month == 12:
        following = datetime(moment.year + 1, 1, 1, tzinfo=UTC)
    else:
        following = datetime(moment.year, moment.month + 1, 1, tzinfo=UTC)
    return first.timestamp(), following.timestamp()
