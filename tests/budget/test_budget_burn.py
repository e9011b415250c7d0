"""Burn-rate arithmetic and the multiwindow table, against hand-worked figures."""

from __future__ import annotations

import pytest

from faultdrill.budget.burn import (
    ALERT_WINDOWS,
    burn_rate,
    burn_windows,
    consumed,
    duration_label,
)
from faultdrill.budget.window import month_bounds, period_at
from faultdrill.slo.model import CalendarMonthWindow, RollingWindow

from .budget_helpers import DAY, HOUR, MONTH_30D, at


@pytest.mark.parametrize(
    ("bad_ratio", "budget", "rate"),
    [(0.001, 0.001, 1.0), (0.0144, 0.001, 14.4), (0.0, 0.001, 0.0), (0.3, 0.05, 6.0)],
)
def test_burn_rate_is_bad_ratio_over_budget(
    bad_ratio: float, budget: float, rate: float
) -> None:
    assert burn_rate(bad_ratio, budget) == pytest.approx(rate)


def test_burn_rate_rejects_a_budget_outside_zero_to_one() -> None:
    with pytest.raises(ValueError, match="must be in"):
        burn_rate(0.1, 0.0)


@pytest.mark.parametrize(
    ("rate", "seconds", "share"),
    [(14.4, 1 * HOUR, 0.02), (6.0, 6 * HOUR, 0.05), (1.0, 3 * DAY, 0.1)],
)
def test_workbook_rates_consume_two_five_and_ten_percent(
    rate: float, seconds: float, share: float
) -> None:
    assert consumed(rate, seconds, MONTH_30D) == pytest.approx(share)


def test_alert_table_is_the_workbooks_with_short_window_a_twelfth() -> None:
    rows = [(w.name, w.rate, round(w.budget_consumed, 4)) for w in ALERT_WINDOWS]

    assert rows == [("1h/5m", 14.4, 0.02), ("6h/30m", 6.0, 0.05), ("3d/6h", 1.0, 0.1)]
    assert all(w.short_s * 12 == w.long_s for w in ALERT_WINDOWS)


def test_burn_windows_are_each_window_once_shortest_first() -> None:
    labels = [duration_label(w) for w in burn_windows()]

    assert labels == ["5m", "30m", "1h", "6h", "3d"]


def test_rolling_period_is_the_last_n_days() -> None:
    now = at(2024, 3, 15, 12)

    period = period_at(RollingWindow(type="rolling", days=28), now)

    assert (period.start, period.length_s) == (now - 28 * DAY, 28 * DAY)


@pytest.mark.parametrize(
    ("now", "first", "days"),
    [
        (at(2024, 2, 29, 23, 59), at(2024, 2, 1), 29),  # leap February
        (at(2023, 2, 1), at(2023, 2, 1), 28),  # on the boundary itself
        (at(2024, 12, 31, 12), at(2024, 12, 1), 31),  # year end
        (at(2024, 4, 30, 23, 59), at(2024, 4, 1), 30),
    ],
)
def test_calendar_period_starts_on_the_first_and_lasts_the_month(
    now: float, first: float, days: int
) -> None:
    period = period_at(CalendarMonthWindow(type="calendar-month"), now)

    assert (period.start, period.length_s) == (first, days * DAY)


def test_month_after_december_is_next_january() -> None:
    assert month_bounds(at(2024, 12, 5))[1] == at(2025, 1, 1)
