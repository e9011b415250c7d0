"""The guard: watches the SLOs while faults are in place, and pulls the plug.

Every ``check-every`` it looks at the hypothesis SLOs over the last
``window`` of the method and trips when

- an SLO burns its error budget faster than ``max-burn-rate`` — and the
  samples *prove* it at 95% confidence, so a single unlucky request cannot
  abort a game day;
- with ``abort-on-slo-breach``, an SLO is proven out of its objective (the
  same proof, at a burn rate of 1);
- the experiment has spent more of an SLO's budget than
  ``blast-radius.max-budget-spend`` allows;
- the method has run longer than ``blast-radius.max-duration``.

A request still in flight that is already older than a latency SLO's
threshold counts as bad at once: a service that stops answering cannot hide
behind its own silence.

``assess`` is a pure function of samples and time, tested on a fake clock;
``Guard`` runs it in a thread and calls ``on_breach`` once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from faultdrill.probe.sample import ProbeSample
from faultdrill.slo.model import LatencySli, RollingWindow, Slo
from faultdrill.slo.stats import shows_below

log = logging.getLogger(__name__)

CONFIDENCE = 0.95  # the same confidence as every verdict (slo.verdict)
DAY_S = 86400.0
# A calendar month's budget is spread over its days; 30.44 is the mean
# length of a Gregorian month (365.2425 / 12).
MEAN_MONTH_DAYS = 365.2425 / 12


@dataclass(frozen=True)
class GuardLimits:
    max_burn_rate: float | None
    window_s: float
    check_every_s: float
    max_duration_s: float
    max_budget_spend_pct: float | None  # percent of an SLO's window budget
    abort_on_slo_breach: bool = False


@dataclass(frozen=True)
class Breach:
    reason: str
    at: float  # the prober's clock


@dataclass(frozen=True)
class Snapshot:
    """What the guard sees at one instant."""

    now: float
    method_started: float
    samples: Sequence[ProbeSample]  # of the method so far
    unanswered: Sequence[tuple[str, float]]  # (request key, intended time)


def assess(slos: Sequence[Slo], limits: GuardLimits, seen: Snapshot) -> Breach | None:
    """The first limit ``seen`` breaks, or None."""
    elapsed = seen.now - seen.method_started
    if elapsed > limits.max_duration_s:
        return Breach(
            f"the method ran {elapsed:.1f} s, past blast-radius.max-duration "
            f"{limits.max_duration_s:g} s",
            seen.now,
        )
    for slo in slos:
        breach = (
            _burn_breach(slo, limits, seen)
            or _threshold_breach(slo, limits, seen)
            or _spend_breach(slo, limits, seen)
        )
        if breach is not None:
            return breach
    return None


def _counts(slo: Slo, seen: Snapshot, since: float) -> tuple[int, int]:
    key = slo.sli.request.key
    mine = [s for s in seen.samples if s.request == key and s.intended_at >= since]
    bad = sum(not slo.sli.is_good(s) for s in mine)
    overdue = 0
    if isinstance(slo.sli, LatencySli):
        threshold = slo.sli.threshold_ms / 1000.0
        overdue = sum(
            1
            for request, intended in seen.unanswered
            if request == key and intended >= since and seen.now - intended > threshold
        )
    return len(mine) + overdue, bad + overdue


def _burn_breach(slo: Slo, limits: GuardLimits, seen: Snapshot) -> Breach | None:
    if limits.max_burn_rate is None:
        return None
    allowed_bad = limits.max_burn_rate * slo.error_budget
    if allowed_bad >= 1.0:
        return None  # even all-bad events would not burn that fast
    since = max(seen.method_started, seen.now - limits.window_s)
    total, bad = _counts(slo, seen, since)
    if not shows_below(1.0 - allowed_bad, total, bad, CONFIDENCE):
        return None
    burn = (bad / total) / slo.error_budget
    return Breach(
        f"{slo.name} burns its error budget at {burn:.1f}x "
        f"({bad} of {total} events bad in the last {seen.now - since:.1f} s), "
        f"over guard.max-burn-rate {limits.max_burn_rate:g}",
        seen.now,
    )


def _threshold_breach(slo: Slo, limits: GuardLimits, seen: Snapshot) -> Breach | None:
    if not limits.abort_on_slo_breach:
        return None
    since = max(seen.method_started, seen.now - limits.window_s)
    total, bad = _counts(slo, seen, since)
    objective = 1.0 - slo.error_budget
    if not shows_below(objective, total, bad, CONFIDENCE):
        return None
    return Breach(
        f"{slo.name} is out of its objective {objective:.4g} "
        f"({bad} of {total} events bad in the last {seen.now - since:.1f} s), "
        "and guard.abort-on-slo-breach is set",
        seen.now,
    )


def _spend_breach(slo: Slo, limits: GuardLimits, seen: Snapshot) -> Breach | None:
    if limits.max_budget_spend_pct is None:
        return None
    total, bad = _counts(slo, seen, seen.method_started)
    if total == 0:
        return None
    spent = budget_spent_pct(slo, bad / total, seen.now - seen.method_started)
    if spent <= limits.max_budget_spend_pct:
        return None
    return Breach(
        f"{slo.name}: the experiment spent {spent:.3g}% of its error budget, "
        f"over blast-radius.max-budget-spend {limits.max_budget_spend_pct:g}%",
        seen.now,
    )


def budget_spent_pct(slo: Slo, bad_ratio: float, seconds: float) -> float:
    """Percent of the window's budget spent at ``bad_ratio`` for ``seconds``.

    Budget consumed = burn rate x duration / window (SRE Workbook).
    """
    burn = bad_ratio / slo.error_budget
    return 100.0 * burn * seconds / _window_seconds(slo)


def _window_seconds(slo: Slo) -> float:
    if isinstance(slo.window, RollingWindow):
        return slo.window.days * DAY_S
    return MEAN_MONTH_DAYS * DAY_S


class Guard:
    """Runs ``assess`` in a thread until stopped or tripped (then once more never)."""

    def __init__(
        self,
        slos: Sequence[Slo],
        limits: GuardLimits,
        look: Callable[[], Snapshot],
        on_breach: Callable[[Breach], None],
    ) -> None:
        self._slos, self._limits = slos, limits
        self._look, self._on_breach = look, on_breach
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._watch, name="faultdrill-guard", daemon=True
        )
        self.breach: Breach | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _watch(self) -> None:
        while not self._stop.wait(self._limits.check_every_s):
            try:
                breach = assess(self._slos, self._limits, self._look())
            except Exception:
                log.exception(
                    "the guard failed to assess the SLOs; aborting to be safe"
                )
                breach = Breach("the guard could not assess the SLOs (see log)", 0.0)
            if breach is not None and not self._stop.is_set():
                self.breach = breach
                log.warning("guard tripped: %s", breach.reason)
                self._on_breach(breach)
                return
