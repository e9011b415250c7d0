"""Budget left and burn rates from spends, at window boundaries and resets."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultdrill.budget.ledger import BudgetLedger
from faultdrill.budget.spend import Spend, SpendKind
from faultdrill.budget.status import budget_status, mean_burn_rate, status_from_spends
from faultdrill.clock import FakeClock

from .budget_helpers import DAY, HOUR, at, calendar_slo, slo

NOW = at(2024, 3, 15, 12)


def spend(
    start: float,
    end: float,
    rate: float,
    kind: SpendKind = SpendKind.EXPERIMENT,
    ref: str = "run-1",
    name: str = "api-5xx-ratio",
) -> Spend:
    return Spend(slo=name, kind=kind, ref=ref, start=start, end=end, burn_rate=rate)


def test_an_hour_at_fast_burn_spends_two_percent_of_thirty_days() -> None:
    status = status_from_spends(slo(), [spend(NOW - HOUR, NOW, 14.4)], NOW)

    assert status.spent == pytest.approx(0.02)
    assert status.left_percent == pytest.approx(98.0)
    assert status.burn_rates == pytest.approx(
        {"5m": 14.4, "30m": 14.4, "1h": 14.4, "6h": 2.4, "3d": 0.2}
    )


def test_incident_and_experiment_spends_are_kept_apart_and_add_up() -> None:
    spends = [
        spend(NOW - 2 * DAY, NOW - 2 * DAY + HOUR, 72.0, SpendKind.INCIDENT, "INC-1"),
        spend(NOW - 10 * 60, NOW - 5 * 60, 86.4),
    ]

    status = status_from_spends(slo(), spends, NOW)

    # 72 * 1 h / 720 h = 10%;  86.4 * 5 min / 43200 min = 1%
    assert status.spent_by[SpendKind.INCIDENT] == pytest.approx(0.10)
    assert status.spent_by[SpendKind.EXPERIMENT] == pytest.approx(0.01)
    assert status.left == pytest.approx(0.89)
    assert status.burn_rates["5m"] == 0.0
    assert status.burn_rates["30m"] == pytest.approx(86.4 / 6)


def test_rolling_window_counts_only_the_part_of_a_spend_inside_it() -> None:
    edge = NOW - 30 * DAY
    spends = [
        spend(edge - 2 * HOUR, edge - HOUR, 720.0, ref="old"),  # wholly outside
        spend(edge - HOUR, edge + HOUR, 36.0, ref="straddles"),  # half inside
    ]

    status = status_from_spends(slo(), spends, NOW)

    assert status.spent == pytest.approx(36.0 * HOUR / (30 * DAY))  # 5%


def test_rolling_budget_comes_back_as_spends_age_out() -> None:
    clock = FakeClock(start=0.0, wall_offset=NOW)
    spends = [spend(NOW - HOUR, NOW, 720.0)]  # a whole 30-day budget in an hour
    assert status_from_spends(slo(), spends, clock.wall()).exhausted

    clock.advance(30 * DAY - 0.5 * HOUR)
    half = status_from_spends(slo(), spends, clock.wall())
    clock.advance(HOUR)
    later = status_from_spends(slo(), spends, clock.wall())

    assert half.left == pytest.approx(0.5)
    assert later.left == pytest.approx(1.0)


def test_calendar_month_counts_from_the_first_and_sizes_by_the_months_length() -> None:
    # Feb 2024 has 29 days; a spend straddling midnight of Feb 1 counts half.
    spends = [spend(at(2024, 1, 31, 23), at(2024, 2, 1, 1), 6.96)]

    status = status_from_spends(calendar_slo(), spends, at(2024, 2, 10))

    assert status.period_start == at(2024, 2, 1)
    assert status.period_length_s == 29 * DAY
    assert status.spent == pytest.approx(6.96 * HOUR / (29 * DAY))  # 0.1%


def test_calendar_month_budget_resets_at_the_month_boundary() -> None:
    clock = FakeClock(start=0.0, wall_offset=at(2024, 2, 29, 23, 59))
    spends = [spend(at(2024, 2, 10), at(2024, 2, 11), 29.0)]  # one day at 29x

    before = status_from_spends(calendar_slo(), spends, clock.wall())
    clock.advance(2 * 60)  # into March 1st, 00:01
    after = status_from_spends(calendar_slo(), spends, clock.wall())

    assert before.left == pytest.approx(0.0)
    assert before.exhausted
    assert after.left == 1.0
    assert not after.exhausted


def test_rolling_window_does_not_reset_at_the_month_boundary() -> None:
    spends = [spend(at(2024, 2, 10), at(2024, 2, 11), 30.0)]

    status = status_from_spends(slo(), spends, at(2024, 3, 1, 0, 1))

    assert status.left == pytest.approx(0.0)


def test_overspending_leaves_a_negative_budget() -> None:
    status = status_from_spends(slo(), [spend(NOW - DAY, NOW, 45.0)], NOW)

    assert status.left == pytest.approx(-0.5)
    assert status.exhausted


def test_mean_burn_rate_rejects_an_empty_window() -> None:
    with pytest.raises(ValueError, match="is empty"):
        mean_burn_rate([], NOW, NOW)


def test_budget_status_reads_only_its_own_slo_from_the_ledger(tmp_path: Path) -> None:
    ledger = BudgetLedger(tmp_path / "budget.sqlite")
    ledger.record(spend(NOW - HOUR, NOW, 14.4))
    ledger.record(spend(NOW - HOUR, NOW, 500.0, name="homepage-availability"))

    status = budget_status(slo(), ledger, NOW)

    assert status.spent == pytest.approx(0.02)
