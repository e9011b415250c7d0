"""Binomial tails, and how many samples a claim about a good-event ratio needs.

An SLO claims that at least a fraction ``q`` of events are good. Each event
is a trial that is bad with probability ``p = 1 - q`` if the service sits
exactly on its objective, so the bad count of ``n`` events is Bin(n, p). The
claim holds at confidence ``c`` when seeing so few bad events would be
unlikely, ``P[Bin(n, p) <= bad] <= 1 - c``, had the service been only just
at its objective (distribution-free; the order-statistics argument in
reference/slo-and-load.md).

The tails are summed in log space, starting from their largest term and
walking away from the mode, so they stay exact and fast for n up to 10^6
and beyond: only the terms that matter in double precision are added.
"""

from __future__ import annotations

import math

# A term this much smaller than the running sum no longer changes a double.
_NEGLIGIBLE = 1e-17
# Exponential search for samples_needed starts here and doubles; the answer
# for any objective a person writes (up to 99.9999%) is found in < 40 steps.
_FIRST_GUESS = 16


def binom_log_pmf(i: int, n: int, p: float) -> float:
    """log P[Bin(n, p) = i], for 0 < p < 1."""
    if i < 0 or i > n:
        return -math.inf
    choose = math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
    return choose + i * math.log(p) + (n - i) * math.log1p(-p)


def binom_log_cdf(k: int, n: int, p: float) -> float:
    """log P[Bin(n, p) <= k]."""
    _check(n, p)
    if k < 0:
        return -math.inf
    if k >= n or p == 0.0:
        return 0.0
    if p == 1.0:
        return -math.inf
    if k < _mode(n, p):
        return _log_lower_tail(k, n, p)
    return math.log1p(-math.exp(_log_upper_tail(k + 1, n, p)))


def binom_cdf(k: int, n: int, p: float) -> float:
    """P[Bin(n, p) <= k]."""
    return math.exp(binom_log_cdf(k, n, p))


def binom_sf(k: int, n: int, p: float) -> float:
    """P[Bin(n, p) >= k]: the upper tail, including k itself."""
    return 1.0 - binom_cdf(k - 1, n, p) if k <= _mode(n, p) else _upper(k, n, p)


def _upper(k: int, n: int, p: float) -> float:
    _check(n, p)
    if k > n or p == 0.0:
        return 0.0
    if p == 1.0:
        return 1.0
    return math.exp(_log_upper_tail(k, n, p))


def samples_needed(
    target_ratio: float, confidence: float = 0.95, exceedances: int = 0
) -> int:
    """The fewest events that can show a good ratio of at least ``target_ratio``.

    That is the smallest n with ``P[Bin(n, 1 - target_ratio) <= exceedances]
    <= 1 - confidence``: with n events of which at most ``exceedances`` are
    bad, the claim holds at ``confidence``. For p95 at 95% confidence this is
    59 with no slow request, 93 with one, 208 with five.
    """
    _check_ratio("target_ratio", target_ratio)
    _check_ratio("confidence", confidence)
    if exceedances < 0:
        raise ValueError(f"exceedances must be 0 or more, got {exceedances}")

    def enough(n: int) -> bool:
        return shows_at_least(target_ratio, n, exceedances, confidence)

    low, high = exceedances, max(exceedances + 1, _FIRST_GUESS)
    while not enough(high):
        low, high = high, high * 2
    while high - low > 1:  # invariant: not enough(low), enough(high)
        middle = (low + high) // 2
        low, high = (low, middle) if enough(middle) else (middle, high)
    return high


def shows_at_least(
    target_ratio: float, total: int, bad: int, confidence: float
) -> bool:
    """Whether ``bad`` of ``total`` events prove a good ratio >= the target.

    True when so few bad events would happen with probability at most
    ``1 - confidence`` to a service sitting exactly on its objective.
    """
    if total == 0:
        return False
    log_alpha = math.log1p(-confidence)
    return binom_log_cdf(bad, total, 1.0 - target_ratio) <= log_alpha


def shows_below(target_ratio: float, total: int, bad: int, confidence: float) -> bool:
    """Whether ``bad`` of ``total`` events prove a good ratio below the target.

    True when the observed good ratio is below the target and that many bad
    events would happen with probability at most ``1 - confidence`` to a
    service sitting exactly on its objective.
    """
    if total == 0 or (total - bad) / total >= target_ratio:
        return False
    return binom_sf(bad, total, 1.0 - target_ratio) <= 1.0 - confidence


def _mode(n: int, p: float) -> int:
    return math.floor((n + 1) * p)


def _log_lower_tail(k: int, n: int, p: float) -> float:
    # Terms i = k, k-1, ..., 0 shrink when k is below the mode; the ratio of
    # consecutive terms is pmf(i-1)/pmf(i) = i / (n-i+1) * (1-p)/p.
    odds = (1.0 - p) / p
    term, total = 1.0, 1.0
    for i in range(k, 0, -1):
        term *= i / (n - i + 1) * odds
        total += term
        if term < total * _NEGLIGIBLE:
            break
    return binom_log_pmf(k, n, p) + math.log(total)


def _log_upper_tail(k: int, n: int, p: float) -> float:
    # Terms i = k, k+1, ..., n shrink when k is above the mode; the ratio of
    # consecutive terms is pmf(i+1)/pmf(i) = (n-i) / (i+1) * p/(1-p).
    odds = p / (1.0 - p)
    term, total = 1.0, 1.0
    for i in range(k, n):
        term *= (n - i) / (i + 1) * odds
        total += term
        if term < total * _NEGLIGIBLE:
            break
    return binom_log_pmf(k, n, p) + math.log(total)


def _check(n: int, p: float) -> None:
    if n < 0:
        raise ValueError(f"the number of events must be 0 or more, got {n}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"a probability must be between 0 and 1, got {p}")


def _check_ratio(name: str, value: float) -> None:
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {value}")
