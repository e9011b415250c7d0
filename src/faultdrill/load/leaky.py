"""The leaky-bucket rule: which requests a limiter should admit.

nginx's ``limit_req`` keeps, per key, an *excess* that drains at ``rate``
per second and grows by one per admitted request; a request that would push
it past ``burst`` is rejected and leaves it unchanged
(ngx_http_limit_req_module.c). A fresh key starts empty, so N simultaneous
requests admit ``1 + burst``, and a window T at an offered rate above
``rate`` admits about ``1 + burst + rate * T`` (reference/slo-and-load.md).
The sandbox's token bucket of ``1 + burst`` tokens admits the same requests.

Without ``nodelay``, nginx holds an admitted request until the excess has
drained: ``excess / rate`` seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

# nginx counts in whole milliseconds and thousandths of a request; in floats,
# 5 x 0.02 s at 10/s drains 0.9999999 of a request. A millionth of a request
# absorbs that and changes no real decision.
_EPSILON = 1e-6


@dataclass(frozen=True)
class Admission:
    admitted: bool
    delay_s: float  # how long a limiter without nodelay holds it; 0 if rejected


class LeakyBucket:
    """One key's state under the rule; ``offer`` each arrival in time order."""

    def __init__(self, rate: float, burst: int) -> None:
        if rate <= 0 or burst < 0:
            raise ValueError(
                f"rate must be above 0 and burst 0 or more, got {rate}, {burst}"
            )
        self.rate = rate
        self.burst = burst
        self._excess = 0.0
        self._last: float | None = None

    def offer(self, at: float) -> Admission:
        if self._last is None:
            candidate = 0.0  # a fresh key
        else:
            drained = self.rate * max(0.0, at - self._last)
            candidate = max(0.0, self._excess - drained + 1.0)
        if candidate > self.burst + _EPSILON:
            return Admission(False, 0.0)
        self._excess, self._last = candidate, at
        return Admission(True, candidate / self.rate)


def admit_all(arrivals: Sequence[float], rate: float, burst: int) -> list[Admission]:
    """The rule applied to one key's arrival times (seconds, ascending)."""
    bucket = LeakyBucket(rate, burst)
    return [bucket.offer(at) for at in arrivals]


def expected_admitted(arrivals: Sequence[float], rate: float, burst: int) -> int:
    """How many of ``arrivals`` the rule admits."""
    return sum(1 for a in admit_all(arrivals, rate, burst) if a.admitted)


def about_admitted(rate: float, burst: int, window_s: float) -> float:
    """The reference's approximation for a window at an offered rate above ``rate``."""
    return 1 + burst + rate * window_s


def fixed_schedule(rate: float, duration_s: float, start: float = 0.0) -> list[float]:
    """Send times of an open-model schedule: one every ``1 / rate`` seconds."""
    count = round(rate * duration_s)
    return [start + i / rate for i in range(count)]


def onset_s(offered: float, rate: float, burst: int) -> float | None:
    """When a fresh key's first rejection comes at ``offered`` per second.

    None when ``offered`` does not exceed ``rate``: the bucket never runs dry.
    """
    if offered <= rate:
        return None
    arrivals = fixed_schedule(offered, (burst + 2) / (offered - rate) + 2 / offered)
    for at, decision in zip(arrivals, admit_all(arrivals, rate, burst), strict=True):
        if not decision.admitted:
            return at
    return None


# Bisection steps when fitting a rate: 50 halvings of the search range leave
# it a millionth of a millionth wide, far below any figure we print.
_FIT_STEPS = 50


@dataclass(frozen=True)
class RateFit:
    """The rates at which the rule admits exactly the admitted count."""

    low: float
    high: float

    @property
    def middle(self) -> float:
        return (self.low + self.high) / 2

    def overlaps(self, low: float, high: float) -> bool:
        return self.low <= high and low <= self.high


def fit_rate(arrivals: Sequence[float], burst: int, admitted: int) -> RateFit | None:
    """The limiter's rate as the admissions show it.

    Counting admissions per second falls short at burst 0: a limiter admits
    the first arrival after each ``1 / rate``, so a fixed schedule loses up
    to one arrival interval per admission. Asking instead which rates make
    the rule admit exactly what was admitted, on the very arrival times,
    gives a range free of that rounding; it is narrow when the offered rate
    is well above the limit. None when nothing was rejected (any higher
    rate explains that) or nothing admitted.
    """
    if not arrivals or admitted <= 0 or admitted >= len(arrivals):
        return None
    span = max(arrivals) - min(arrivals)
    high = 4 * len(arrivals) / span if span > 0 else 1e9
    low_edge = _bisect(arrivals, burst, lambda n: n >= admitted, high)
    high_edge = _bisect(arrivals, burst, lambda n: n > admitted, high)
    return RateFit(low_edge, high_edge)


def _bisect(
    arrivals: Sequence[float], burst: int, enough: Callable[[int], bool], high: float
) -> float:
    """The smallest rate in (0, high] whose admitted count is ``enough``."""
    low = 0.0
    for _ in range(_FIT_STEPS):
        middle = (low + high) / 2
        if middle > 0 and enough(expected_admitted(arrivals, middle, burst)):
            high = middle
        else:
            low = middle
    return high
