"""The login token bucket, stepped through on a fake clock."""

from __future__ import annotations

import pytest

from faultdrill.clock import FakeClock
from faultdrill.sandbox import ratelimit
from faultdrill.sandbox.ratelimit import Decision, RateLimiter


def admitted(limiter: RateLimiter, key: str, attempts: int) -> int:
    return sum(limiter.check(key).allowed for _ in range(attempts))


@pytest.mark.parametrize(("burst", "expected"), [(0, 1), (1, 2), (10, 11)])
def test_simultaneous_requests_admit_one_plus_burst(burst: int, expected: int) -> None:
    limiter = RateLimiter(rate=20, burst=burst, clock=FakeClock())

    assert admitted(limiter, "a", 50) == expected


def test_a_token_comes_back_after_one_over_rate_seconds() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=4, burst=0, clock=clock)
    assert limiter.check("a").allowed

    clock.advance(0.24)
    assert not limiter.check("a").allowed
    clock.advance(0.01)
    assert limiter.check("a").allowed


def test_over_a_window_about_one_plus_burst_plus_rate_times_window_pass() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=10, burst=5, clock=clock)

    passed = 0
    for _ in range(300):  # 100 requests/s offered for 3 s
        passed += limiter.check("a").allowed
        clock.advance(0.01)

    assert passed in (1 + 5 + 29, 1 + 5 + 30)


def test_rejection_says_how_long_until_the_next_token() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=2, burst=0, clock=clock)
    limiter.check("a")
    clock.advance(0.1)

    decision = limiter.check("a")

    assert not decision.allowed
    assert decision.retry_after == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("retry_after", "header"), [(0.001, "1"), (0.4, "1"), (1.0, "1"), (1.2, "2")]
)
def test_retry_after_header_is_whole_seconds_rounded_up(
    retry_after: float, header: str
) -> None:
    assert Decision(False, retry_after).retry_after_header == header


def test_idle_key_refills_only_up_to_its_capacity() -> None:
    clock = FakeClock()
    limiter = RateLimiter(rate=10, burst=2, clock=clock)
    admitted(limiter, "a", 3)

    clock.advance(3600)

    assert admitted(limiter, "a", 10) == 3


def test_keys_have_separate_buckets() -> None:
    limiter = RateLimiter(rate=1, burst=0, clock=FakeClock())
    assert limiter.check("a").allowed

    assert limiter.check("b").allowed
    assert not limiter.check("a").allowed


def test_rate_zero_admits_everything() -> None:
    limiter = RateLimiter(rate=0, burst=0, clock=FakeClock())

    assert admitted(limiter, "a", 1000) == 1000
    assert len(limiter) == 0


def test_keys_remembered_are_bounded_oldest_forgotten_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ratelimit, "MAX_KEYS", 3)
    limiter = RateLimiter(rate=1, burst=0, clock=FakeClock())
    for key in "abcd":
        limiter.check(key)

    assert len(limiter) == 3
    assert limiter.check("a").allowed  # forgotten, so a full bucket again
    assert not limiter.check("d").allowed


def test_negative_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="rate and burst"):
        RateLimiter(rate=-1, burst=0, clock=FakeClock())
