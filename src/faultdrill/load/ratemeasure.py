"""What the answers say about a rate limiter, and whether it is the declared one.

From the over-limit schedule (a fresh key, a fixed offered rate):

- admitted and rejected counts; a rejection is a 429 or 503, whatever the
  declaration says, so a limiter that answers with the wrong one is caught;
- the onset: when the first rejection came, and how many were admitted
  before it;
- the admitted rate once rejections began (the bucket is then empty and
  refills at the limit's rate);
- the limiter's rate: the range of rates at which the leaky-bucket rule
  admits exactly as many of the very same arrivals (``leaky.fit_rate``),
  which is compared with the declared rate within the tolerance;
- the total admitted against the rule with the declared rate and burst,
  on the same arrival times.

From the volley (``1 + burst + extra`` requests at once, another fresh key):
the burst, which must be exact, and whether the limiter delayed the
requests within it (nginx without ``nodelay``) or answered them at once.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from faultdrill.load import leaky
from faultdrill.load.limit import DeclaredLimit
from faultdrill.load.openloop import Shot

# What rate limiters answer with: RFC 6585's Too Many Requests and nginx's
# default limit_req_status, 503.
REJECTION_STATUSES = (429, 503)

# Counting admitted requests is exact to one request, so a window must hold
# enough of them for the tolerance to mean something: with 20, one request
# is 5%, the default tolerance.
MIN_COUNTED_ADMISSIONS = 20

# A limiter without nodelay holds the last request of a volley for about
# burst / rate seconds; one that answers at once takes a few milliseconds.
# Half the expected hold tells the two apart with room for a slow machine.
DELAY_SHARE = 0.5


@dataclass(frozen=True)
class Check:
    name: str
    expected: str
    measured: str
    passed: bool

    def line(self) -> str:
        verdict = "ok" if self.passed else "FAILED"
        return f"{self.name}: {self.measured} (expected {self.expected}) {verdict}"


@dataclass(frozen=True)
class ScheduleFigures:
    """The over-limit schedule, counted."""

    offered: int
    offered_rate_per_s: float
    admitted: int
    rejected: int
    statuses: dict[int, int]
    errors: dict[str, int]
    onset_s: float | None
    admitted_before_onset: int
    admitted_rate_per_s: float | None
    counted_window_s: float | None
    retry_after_present: int
    retry_after_values: list[str]


@dataclass(frozen=True)
class VolleyFigures:
    sent: int
    admitted: int
    rejected: int
    errors: dict[str, int]
    burst: int | None  # None when nothing was admitted
    burst_is_lower_bound: bool  # every request was admitted
    longest_admitted_s: float | None


@dataclass(frozen=True)
class RateEstimate:
    """The limiter's rate as its admissions show it (``leaky.fit_rate``)."""

    per_s: float | None
    low: float | None
    high: float | None
    burst_used: int  # the volley's burst when measured, else the declared one


@dataclass(frozen=True)
class Expected:
    admitted: int  # the leaky-bucket rule on the same arrival times
    admitted_about: float  # 1 + burst + rate * T
    onset_s: float | None


@dataclass(frozen=True)
class RateLimitReport:
    limit: DeclaredLimit
    tolerance_pct: float
    schedule: ScheduleFigures
    volley: VolleyFigures | None
    rate: RateEstimate
    expected: Expected
    checks: list[Check]
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "declared": self.limit.model_dump(mode="json", by_alias=True),
            "tolerance_pct": self.tolerance_pct,
            "passed": self.passed,
            "measured": _measured(self.schedule, self.volley, self.rate),
            "expected": asdict(self.expected),
            "schedule": asdict(self.schedule),
            "volley": None if self.volley is None else asdict(self.volley),
            "checks": [asdict(c) | {"line": c.line()} for c in self.checks],
            "notes": list(self.notes),
        }


def _measured(
    schedule: ScheduleFigures, volley: VolleyFigures | None, rate: RateEstimate
) -> dict[str, Any]:
    """The figures a reader looks for first."""
    return {
        "rate_per_s": rate.per_s,
        "rate_range_per_s": None if rate.low is None else [rate.low, rate.high],
        "admitted_rate_per_s": schedule.admitted_rate_per_s,
        "burst": None if volley is None else volley.burst,
        "onset_s": schedule.onset_s,
        "rejection_statuses": {
            s: n for s, n in schedule.statuses.items() if s in REJECTION_STATUSES
        },
        "retry_after_present": schedule.retry_after_present,
        "rejected": schedule.rejected,
        "admitted": schedule.admitted,
    }


def is_rejection(shot: Shot) -> bool:
    return shot.status in REJECTION_STATUSES


def is_admitted(shot: Shot) -> bool:
    return shot.status is not None and not is_rejection(shot)


def schedule_figures(
    shots: Sequence[Shot], rate_per_s: float, duration_s: float
) -> ScheduleFigures:
    ordered = sorted(shots, key=lambda s: s.intended_s)
    rejections = [s for s in ordered if is_rejection(s)]
    onset = rejections[0].intended_s if rejections else None
    before = sum(
        1 for s in ordered if is_admitted(s) and (onset is None or s.intended_s < onset)
    )
    rate, window = _admitted_rate(ordered, onset, duration_s)
    return ScheduleFigures(
        offered=len(ordered),
        offered_rate_per_s=rate_per_s,
        admitted=sum(1 for s in ordered if is_admitted(s)),
        rejected=len(rejections),
        statuses=_count(s.status for s in ordered if s.status is not None),
        errors=_count(s.error for s in ordered if s.error is not None),
        onset_s=onset,
        admitted_before_onset=before,
        admitted_rate_per_s=rate,
        counted_window_s=window,
        retry_after_present=sum(1 for s in rejections if s.retry_after is not None),
        retry_after_values=sorted({s.retry_after for s in rejections if s.retry_after}),
    )


def _admitted_rate(
    ordered: Sequence[Shot], onset: float | None, duration_s: float
) -> tuple[float | None, float | None]:
    """Admissions per second after the onset, when the bucket refills at its rate."""
    if onset is None:
        return None, None
    window = duration_s - onset
    if window <= 0:
        return None, None
    after = sum(1 for s in ordered if s.intended_s > onset and is_admitted(s))
    return after / window, window


def volley_figures(shots: Sequence[Shot]) -> VolleyFigures:
    admitted = [s for s in shots if is_admitted(s)]
    return VolleyFigures(
        sent=len(shots),
        admitted=len(admitted),
        rejected=sum(1 for s in shots if is_rejection(s)),
        errors=_count(s.error for s in shots if s.error is not None),
        burst=len(admitted) - 1 if admitted else None,
        burst_is_lower_bound=len(admitted) == len(shots),
        longest_admitted_s=max((s.latency_s for s in admitted), default=None),
    )


def arrivals_of(shots: Sequence[Shot]) -> list[float]:
    """When the limiter saw each request that left, in order."""
    return sorted(s.sent_s for s in shots if s.sent_s is not None)


def expected_for(
    limit: DeclaredLimit, arrivals: Sequence[float], duration_s: float
) -> Expected:
    rate = limit.rate_per_s
    offered = len(arrivals) / duration_s if duration_s > 0 else 0.0
    return Expected(
        admitted=leaky.expected_admitted(arrivals, rate, limit.burst),
        admitted_about=leaky.about_admitted(rate, limit.burst, duration_s),
        onset_s=leaky.onset_s(offered, rate, limit.burst) if offered else None,
    )


def estimate_rate(
    limit: DeclaredLimit,
    arrivals: Sequence[float],
    admitted: int,
    volley: VolleyFigures | None,
) -> RateEstimate:
    burst = limit.burst
    if (
        volley is not None
        and volley.burst is not None
        and not volley.burst_is_lower_bound
    ):
        burst = volley.burst
    fit = leaky.fit_rate(arrivals, burst, admitted)
    if fit is None:
        return RateEstimate(None, None, None, burst)
    return RateEstimate(fit.middle, fit.low, fit.high, burst)


def judge(
    limit: DeclaredLimit,
    tolerance_pct: float,
    shots: Sequence[Shot],
    volley: VolleyFigures | None,
    duration_s: float,
    offered_rate: float,
) -> RateLimitReport:
    schedule = schedule_figures(shots, offered_rate, duration_s)
    arrivals = arrivals_of(shots)
    expected = expected_for(limit, arrivals, duration_s)
    rate = estimate_rate(limit, arrivals, schedule.admitted, volley)
    checks = [
        _rate_check(limit, tolerance_pct, rate),
        _total_check(expected, tolerance_pct, schedule),
        _status_check(limit, schedule, volley),
        _retry_after_check(limit, schedule),
    ]
    if volley is not None:
        checks.append(_burst_check(limit, volley))
        delay = _delay_check(limit, volley)
        if delay is not None:
            checks.append(delay)
    notes = _notes(limit, tolerance_pct, schedule, rate)
    return RateLimitReport(
        limit, tolerance_pct, schedule, volley, rate, expected, checks, notes
    )


def _rate_check(limit: DeclaredLimit, tolerance_pct: float, r: RateEstimate) -> Check:
    rate = limit.rate_per_s
    expected = f"{rate:g}/s +-{tolerance_pct:g}%"
    if r.per_s is None or r.low is None or r.high is None:
        return Check(
            "limiter rate", expected, "no rejection, so no limit was reached", False
        )
    band = rate * tolerance_pct / 100
    measured = f"{r.per_s:.4g}/s (admissions fit {r.low:.4g} to {r.high:.4g}/s)"
    return Check(
        "limiter rate", expected, measured, _overlaps(r, rate - band, rate + band)
    )


def _overlaps(r: RateEstimate, low: float, high: float) -> bool:
    assert r.low is not None and r.high is not None
    return r.low <= high and low <= r.high


def _total_check(e: Expected, tolerance_pct: float, s: ScheduleFigures) -> Check:
    # Either side of the rule by one request is timing, not the limiter.
    slack = max(1.0, e.admitted * tolerance_pct / 100)
    within = abs(s.admitted - e.admitted) <= slack
    expected = f"{e.admitted} +-{slack:.3g} by the leaky-bucket rule"
    return Check("admitted total", expected, str(s.admitted), within)


def _status_check(
    limit: DeclaredLimit, s: ScheduleFigures, volley: VolleyFigures | None
) -> Check:
    seen = {code: n for code, n in s.statuses.items() if code in REJECTION_STATUSES}
    wrong = {code: n for code, n in seen.items() if code != limit.status}
    measured = ", ".join(f"{n} x {code}" for code, n in seen.items()) or "no rejection"
    return Check(
        "rejection status", f"only {limit.status}", measured, bool(seen) and not wrong
    )


def _retry_after_check(limit: DeclaredLimit, s: ScheduleFigures) -> Check:
    present, rejected = s.retry_after_present, s.rejected
    measured = f"on {present} of {rejected} rejections"
    if limit.retry_after:
        return Check(
            "Retry-After",
            "on every rejection",
            measured,
            rejected > 0 and present == rejected,
        )
    return Check("Retry-After", "on none", measured, present == 0)


def _burst_check(limit: DeclaredLimit, v: VolleyFigures) -> Check:
    expected = f"exactly {limit.burst}"
    if v.burst is None:
        return Check("burst", expected, f"nothing admitted of {v.sent} at once", False)
    measured = f"{v.burst}" + (
        " or more (all admitted)" if v.burst_is_lower_bound else ""
    )
    return Check(
        "burst",
        expected,
        measured,
        v.burst == limit.burst and not v.burst_is_lower_bound,
    )


def _delay_check(limit: DeclaredLimit, v: VolleyFigures) -> Check | None:
    if limit.burst == 0 or v.longest_admitted_s is None:
        return None
    hold = limit.burst / limit.rate_per_s
    held = v.longest_admitted_s >= DELAY_SHARE * hold
    measured = f"longest admitted answer {v.longest_admitted_s * 1000:.0f} ms"
    if limit.nodelay:
        return Check(
            "burst answered at once",
            f"well under {hold * 1000:.0f} ms",
            measured,
            not held,
        )
    return Check("burst delayed", f"about {hold * 1000:.0f} ms", measured, held)


def _notes(
    limit: DeclaredLimit, tolerance_pct: float, s: ScheduleFigures, r: RateEstimate
) -> list[str]:
    notes = []
    spread = _half_width(r)
    if spread is not None and spread > limit.rate_per_s * tolerance_pct / 100:
        notes.append(
            f"admissions fit any rate from {r.low:.4g} to {r.high:.4g}/s, wider "
            f"than +-{tolerance_pct:g}%: offer a rate further above the limit"
        )
    if s.offered_rate_per_s <= limit.rate_per_s:
        notes.append(
            f"the offered rate {s.offered_rate_per_s:g}/s does not exceed the limit "
            f"{limit.rate_per_s:g}/s; offer more to see it limit"
        )
    if s.counted_window_s is not None:
        counted = limit.rate_per_s * s.counted_window_s
        needed = max(MIN_COUNTED_ADMISSIONS, math.ceil(100 / tolerance_pct))
        if counted < needed:
            notes.append(
                f"only about {counted:.0f} admissions after the onset; {needed} are "
                f"needed to resolve +-{tolerance_pct:g}%; run longer"
            )
    missing = s.statuses.get(404, 0)
    if missing:
        notes.append(f"{missing} answers were 404 Not Found: check the URL")
    if s.errors:
        notes.append(f"{sum(s.errors.values())} requests got no answer: {s.errors}")
    return notes


def _half_width(r: RateEstimate) -> float | None:
    if r.low is None or r.high is None:
        return None
    return (r.high - r.low) / 2


def _count(values: Any) -> dict[Any, int]:
    return dict(sorted(Counter(values).items()))
