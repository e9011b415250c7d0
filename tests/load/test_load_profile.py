"""Load profiles: steps, users and the pace they share."""

from __future__ import annotations

import pytest

from faultdrill.errors import InvalidInput
from faultdrill.load.profile import (
    ConstantProfile,
    StepsProfile,
    schedule_of,
    user_rate,
)


@pytest.mark.parametrize(
    ("rates", "pace"),
    [
        ([100], 10),
        ([2000], 10),
        ([50, 100, 200, 400], 10),
        ([33, 77], 5.5),
        ([7], 7),
        ([0.5], 0.5),
    ],
)
def test_the_pace_divides_every_rate_and_stays_at_most_ten(
    rates: list[float], pace: float
) -> None:
    found = user_rate(rates, 10)
    assert found == pytest.approx(pace)
    assert all(abs(r / found - round(r / found)) < 1e-9 for r in rates)


def test_steps_change_only_the_user_count() -> None:
    schedule = schedule_of(StepsProfile(type="steps", rates=[50, 100, 250], step_s=4))
    assert [(s.start_s, s.end_s, s.users) for s in schedule.steps] == [
        (0, 4, 5),
        (4, 8, 10),
        (8, 12, 25),
    ]
    assert schedule.user_rate == 10 and schedule.duration_s == 12


def test_a_constant_profile_is_one_step() -> None:
    schedule = schedule_of(ConstantProfile(type="constant", rate=2000, duration_s=30))
    assert [(s.rate, s.users) for s in schedule.steps] == [(2000, 200)]


def test_rates_without_a_usable_common_pace_are_refused() -> None:
    with pytest.raises(InvalidInput, match="share no pace"):
        schedule_of(StepsProfile(type="steps", rates=[100, 100.001], step_s=1))
