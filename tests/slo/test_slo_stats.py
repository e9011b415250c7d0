"""Binomial tails and the sample counts a claim needs."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faultdrill.slo import stats


def exact_cdf(k: int, n: int, p: float) -> float:
    q = Fraction(p).limit_denominator(1000)
    total = sum(math.comb(n, i) * q**i * (1 - q) ** (n - i) for i in range(k + 1))
    return float(total)


@pytest.mark.parametrize(
    ("target", "exceedances", "needed"),
    [
        (0.95, 0, 59),
        (0.95, 1, 93),
        (0.95, 5, 208),
        (0.95, 10, 336),
        (0.99, 0, 299),
        (0.999, 0, 2995),
    ],
)
def test_samples_needed_matches_the_published_figures(
    target: float, exceedances: int, needed: int
) -> None:
    assert stats.samples_needed(target, 0.95, exceedances) == needed


@pytest.mark.parametrize("target", [0.5, 0.9, 0.95, 0.99, 0.999, 0.9999])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_samples_needed_without_exceedances_is_the_closed_form(
    target: float, confidence: float
) -> None:
    closed = math.ceil(math.log(1 - confidence) / math.log(target))

    assert stats.samples_needed(target, confidence) == closed


@pytest.mark.parametrize(("target", "bad"), [(0.95, 3), (0.99, 7), (0.999, 2)])
def test_samples_needed_is_the_smallest_count_that_shows_the_target(
    target: float, bad: int
) -> None:
    n = stats.samples_needed(target, 0.95, bad)

    assert stats.shows_at_least(target, n, bad, 0.95)
    assert not stats.shows_at_least(target, n - 1, bad, 0.95)


@pytest.mark.parametrize(
    ("target", "confidence", "exceedances"),
    [(1.0, 0.95, 0), (0.0, 0.95, 0), (0.95, 1.0, 0), (0.95, 0.95, -1)],
)
def test_samples_needed_rejects_impossible_arguments(
    target: float, confidence: float, exceedances: int
) -> None:
    with pytest.raises(ValueError, match="must be"):
        stats.samples_needed(target, confidence, exceedances)


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=150),
    k=st.integers(min_value=-2, max_value=160),
    p=st.integers(min_value=0, max_value=1000).map(lambda x: x / 1000),
)
def test_cdf_equals_the_exact_rational_sum(n: int, k: int, p: float) -> None:
    expected = exact_cdf(min(k, n), n, p) if k >= 0 else 0.0

    assert stats.binom_cdf(k, n, p) == pytest.approx(expected, rel=1e-9, abs=1e-300)


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=150),
    k=st.integers(min_value=0, max_value=151),
    p=st.floats(min_value=0.001, max_value=0.999),
)
def test_upper_and_lower_tails_add_up_to_one(n: int, k: int, p: float) -> None:
    assert stats.binom_cdf(k - 1, n, p) + stats.binom_sf(k, n, p) == pytest.approx(1)


def full_sum(indices: range, n: int, p: float) -> float:
    logs = [stats.binom_log_pmf(i, n, p) for i in indices]
    top = max(logs)
    return math.exp(top) * math.fsum(math.exp(x - top) for x in logs)


def full_sum_cdf(k: int, n: int, p: float) -> float:
    # Every term of the shorter side, independently of the walk being tested.
    if k < n * p:
        return full_sum(range(k + 1), n, p)
    return 1.0 - full_sum(range(k + 1, n + 1), n, p)


@pytest.mark.parametrize(
    ("k", "n", "p"),
    [
        (999_000, 1_000_000, 0.999),
        (50_000, 100_000, 0.5),
        (900, 1_000_000, 0.001),
        (1_100, 100_000, 0.01),
        (48_900, 1_000_000, 0.05),
    ],
)
def test_cdf_stays_accurate_for_a_million_events(k: int, n: int, p: float) -> None:
    assert stats.binom_cdf(k, n, p) == pytest.approx(full_sum_cdf(k, n, p), rel=1e-7)


def test_a_million_event_cdf_is_far_from_its_tails() -> None:
    assert stats.binom_cdf(0, 1_000_000, 0.001) == 0.0
    assert stats.binom_cdf(999_999, 1_000_000, 0.001) == 1.0
    assert stats.binom_sf(1, 1_000_000, 1e-9) == pytest.approx(1e-3, rel=1e-3)


def test_shows_at_least_never_holds_without_events() -> None:
    assert not stats.shows_at_least(0.5, 0, 0, 0.95)


def test_shows_below_needs_the_observed_ratio_below_the_target() -> None:
    # 1 bad of 10 at a 90% target: exactly on target, never a breach.
    assert not stats.shows_below(0.9, 10, 1, 0.5)
