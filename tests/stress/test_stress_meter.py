"""CPU of a changing process group, from per-process CPU times, on the fake clock."""

from __future__ import annotations

import time

import pytest

from faultdrill.clock import FakeClock
from faultdrill.stress import meter
from faultdrill.stress.meter import MIN_INTERVAL_S, GroupMeter

Times = dict[tuple[int, float], float]


@pytest.fixture
def group(monkeypatch: pytest.MonkeyPatch) -> Times:
    """The CPU seconds of each (pid, start time) the meter will see."""
    times: Times = {}
    monkeypatch.setattr(meter, "_cpu_by_process", lambda pgid: dict(times))
    return times


def test_first_reading_is_only_a_baseline(group: Times) -> None:
    group[(10, 0.0)] = 100.0
    assert GroupMeter(10, FakeClock().now).cpu() is None


def test_cpu_is_the_sum_of_each_process_delta(group: Times) -> None:
    clock = FakeClock()
    gauge = GroupMeter(10, clock.now)
    group.update({(10, 0.0): 5.0, (11, 0.0): 7.0})
    gauge.cpu()

    clock.advance(1.0)
    group.update({(10, 0.0): 5.5, (11, 0.0): 7.25})
    reading = gauge.cpu()

    assert reading is not None
    assert reading.cpu_s == pytest.approx(0.75)
    assert reading.wall_s == pytest.approx(1.0)


def test_a_process_that_exits_does_not_make_cpu_negative(group: Times) -> None:
    clock = FakeClock()
    gauge = GroupMeter(10, clock.now)
    group.update({(10, 0.0): 5.0, (11, 0.0): 50.0})
    gauge.cpu()

    clock.advance(1.0)
    del group[(11, 0.0)]
    group[(10, 0.0)] = 5.4
    reading = gauge.cpu()

    assert reading is not None
    assert reading.cpu_s == pytest.approx(0.4)


def test_a_process_forked_inside_the_interval_counts_in_full(group: Times) -> None:
    clock = FakeClock()
    gauge = GroupMeter(10, clock.now)
    group[(10, 0.0)] = 1.0
    gauge.cpu()

    clock.advance(1.0)
    group[(12, time.time() - 0.5)] = 0.3  # started half a second ago
    group[(13, time.time() - 3600)] = 99.0  # old; no baseline to count from
    reading = gauge.cpu()

    assert reading is not None
    assert reading.cpu_s == pytest.approx(0.3)


def test_a_too_short_interval_is_left_to_the_next_reading(group: Times) -> None:
    clock = FakeClock()
    gauge = GroupMeter(10, clock.now)
    group[(10, 0.0)] = 1.0
    gauge.cpu()

    clock.advance(MIN_INTERVAL_S / 2)
    group[(10, 0.0)] = 1.1
    assert gauge.cpu() is None
    clock.advance(MIN_INTERVAL_S)
    group[(10, 0.0)] = 1.2
    reading = gauge.cpu()

    assert reading is not None
    assert reading.cpu_s == pytest.approx(0.2)
    assert reading.wall_s == pytest.approx(1.5 * MIN_INTERVAL_S)
