"""Which severity a broken SLO earns: which SLO broke, and how badly.

The rule, worst first (the worst SLO of an incident sets its severity):

    SEV-1  an availability or error-ratio SLO with at least half its events
           bad: for users the service (or, for a login SLO, authentication)
           is down
    SEV-2  an availability or error-ratio SLO with 5% or more bad events,
           or a latency SLO whose objective percentile is over twice its
           threshold or could not be read because too many went unanswered,
           or with most of its requests (half or more) over the threshold
    SEV-3  any other breach burning the budget at twice the sustainable
           rate or faster
    SEV-4  a breach burning it slower than that: cosmetic
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from faultdrill.incidents.model import Severity, SloImpact
from faultdrill.slo.model import AvailabilitySli, ErrorRatioSli, LatencySli, Slo

# Half the requests failing is an outage from the user's side: most page
# loads or logins fail even after one retry (0.5 * 0.5 = 25% get through
# on the second try at best).
OUTAGE_BAD_RATIO = 0.5
# One request in twenty failing: a 99.9% SLO burns at 50x, spending its
# 30-day budget in 14.4 hours; users notice it on every few pages.
MAJOR_BAD_RATIO = 0.05
# The objective percentile at twice its threshold: not "a bit slow" but a
# different service from the one the SLO describes.
MAJOR_LATENCY_FACTOR = 2.0
# Below twice the sustainable burn rate a 30-day budget still lasts 15 days.
COSMETIC_BURN_RATE = 2.0
# Words in a request path that make an availability SLO an auth SLO.
_AUTH_WORDS = ("login", "auth", "signin", "token")


def classify(verdict: Mapping[str, Any], slo: Slo | None) -> tuple[Severity, SloImpact]:
    """Severity and impact of one broken SLO, from its verdict's JSON."""
    name = str(verdict["slo"])
    total = int(verdict.get("total") or 0)
    bad_ratio = int(verdict.get("bad") or 0) / total if total else 1.0
    severity, why = _rule(verdict, slo, bad_ratio)
    return severity, SloImpact(slo=name, bad_ratio=bad_ratio, why=why)


def worst(severities: Iterable[Severity]) -> Severity:
    return min(severities, key=lambda s: s.rank, default=Severity.SEV4)


def _rule(
    verdict: Mapping[str, Any], slo: Slo | None, bad_ratio: float
) -> tuple[Severity, str]:
    sli = slo.sli if slo is not None else None
    if isinstance(sli, LatencySli):
        major = _latency_major(verdict, sli)
        if major:
            return Severity.SEV2, major
        if bad_ratio >= OUTAGE_BAD_RATIO:
            # Most users wait past the threshold on every page: a major
            # degradation even when the percentile is not yet twice over.
            slow = f"{_pct(bad_ratio)} of requests over {sli.threshold_ms:g} ms"
            return Severity.SEV2, slow
    elif isinstance(sli, AvailabilitySli | ErrorRatioSli):
        if bad_ratio >= OUTAGE_BAD_RATIO:
            return Severity.SEV1, _outage(sli, bad_ratio)
        if bad_ratio >= MAJOR_BAD_RATIO:
            return Severity.SEV2, f"{_pct(bad_ratio)} of requests failed"
    budget = slo.error_budget if slo is not None else None
    if budget is None or bad_ratio / budget >= COSMETIC_BURN_RATE:
        return Severity.SEV3, f"{_pct(bad_ratio)} bad: a partial breach"
    return Severity.SEV4, f"{_pct(bad_ratio)} bad: under twice the budget rate"


def _latency_major(verdict: Mapping[str, Any], sli: LatencySli) -> str | None:
    latency = verdict.get("latency") or {}
    label = latency.get("objective_label", "percentile")
    observed = latency.get("objective_ms")
    if observed is None:
        return f"{label} unreadable: too many requests unanswered"
    if observed > MAJOR_LATENCY_FACTOR * sli.threshold_ms:
        return f"{label} {observed:.0f} ms, over twice the {sli.threshold_ms:g} ms"
    return None


def _outage(sli: AvailabilitySli | ErrorRatioSli, bad_ratio: float) -> str:
    path = sli.request.path.lower()
    what = "authentication broken" if any(w in path for w in _AUTH_WORDS) else "outage"
    return f"{what}: {_pct(bad_ratio)} of requests failed"


def _pct(ratio: float) -> str:
    return f"{ratio * 100:.3g}%"
