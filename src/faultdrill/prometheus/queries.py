"""PromQL for an SLI over a window: event counts, buckets, percentiles."""

from __future__ import annotations

from faultdrill.budget.burn import duration_label
from faultdrill.slo.model import WINDOW_PLACEHOLDER


def events(expression: str, window_s: float) -> str:
    """Events an expression counts over the window (see PrometheusQueries)."""
    window = duration_label(window_s)
    if WINDOW_PLACEHOLDER in expression:
        return expression.replace(WINDOW_PLACEHOLDER, window)
    return f"sum(increase({expression}[{window}]))"


def buckets(histogram: str, window_s: float) -> str:
    """Events per cumulative bucket (``le``) of a histogram over the window."""
    return f"sum by (le) (increase({histogram}[{duration_label(window_s)}]))"


def quantile(histogram: str, q: float, window_s: float) -> str:
    """Prometheus' own percentile: linear interpolation inside a bucket."""
    window = duration_label(window_s)
    return f"histogram_quantile({q:g}, sum by (le) (rate({histogram}[{window}])))"
