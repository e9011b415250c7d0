"""The leaky-bucket rule that expected rate-limit figures come from."""

from __future__ import annotations

import pytest

from faultdrill.load import leaky


@pytest.mark.parametrize("burst", [0, 1, 5, 10])
def test_simultaneous_requests_admit_one_plus_burst(burst: int) -> None:
    assert leaky.expected_admitted([0.0] * 40, rate=10, burst=burst) == 1 + burst


@pytest.mark.parametrize(
    ("rate", "burst", "offered", "window"),
    [(10, 0, 50, 2.0), (10, 5, 50, 2.0), (20, 10, 100, 3.0), (2, 3, 30, 4.0)],
)
def test_a_window_above_the_rate_admits_about_one_plus_burst_plus_rate_times_t(
    rate: float, burst: int, offered: float, window: float
) -> None:
    arrivals = leaky.fixed_schedule(offered, window)
    admitted = leaky.expected_admitted(arrivals, rate, burst)
    assert abs(admitted - leaky.about_admitted(rate, burst, window)) <= 1


def test_below_the_rate_everything_is_admitted() -> None:
    arrivals = leaky.fixed_schedule(5, 4.0)
    assert leaky.expected_admitted(arrivals, rate=10, burst=0) == len(arrivals)
    assert leaky.onset_s(5, 10, 0) is None


def test_admitted_requests_within_the_burst_are_held_longer_and_longer() -> None:
    decisions = leaky.admit_all([0.0] * 4, rate=10, burst=3)
    assert [round(d.delay_s, 3) for d in decisions] == [0.0, 0.1, 0.2, 0.3]


def test_a_rejection_leaves_the_bucket_as_it_was() -> None:
    bucket = leaky.LeakyBucket(rate=1, burst=0)
    assert bucket.offer(0.0).admitted
    assert not bucket.offer(0.5).admitted
    assert bucket.offer(1.0).admitted  # counted from the last admission


def test_the_first_rejection_comes_when_the_burst_is_spent() -> None:
    # 11 tokens drain at 100 - 20 = 80/s: the 12th request, at 0.11 s, is refused
    assert leaky.onset_s(100, 20, 10) == pytest.approx(0.13, abs=0.021)
