"""An SLO file as Prometheus recording rules and multiwindow burn-rate alerts.

For each SLO with PromQL queries, one recording rule per burn window keeps
its error ratio, ``slo:sli_error:ratio_rate<window>{slo="<name>"}``; one
alert per row of the SRE Workbook's table (``faultdrill.budget.burn``)
fires when both its long and short window burn faster than the row's
rate, i.e. when both error ratios exceed ``rate * error budget``.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from faultdrill.budget.burn import ALERT_WINDOWS, AlertWindow, burn_windows
from faultdrill.budget.burn import duration_label as label
from faultdrill.prometheus import queries
from faultdrill.slo.model import LatencySli, PrometheusQueries, Slo, SloFile

RECORD_PREFIX = "slo:sli_error:ratio_rate"
ALERT_NAME = "ErrorBudgetBurn"
_SELECTOR_END = re.compile(r"}\s*$")


def rules_document(slos: SloFile) -> dict[str, Any]:
    """The rule file as data: a recording group and an alerting group."""
    measured = [slo for slo in slos.slos if slo.sli.prometheus is not None]
    return {
        "groups": [
            {
                "name": f"{slos.service}-slo-error-ratios",
                "rules": [
                    _record(slos.service, slo, w)
                    for slo in measured
                    for w in burn_windows()
                ],
            },
            {
                "name": f"{slos.service}-slo-burn-rate-alerts",
                "rules": [
                    _alert(slos.service, slo, row)
                    for slo in measured
                    for row in ALERT_WINDOWS
                ],
            },
        ]
    }


def rules_yaml(slos: SloFile) -> str:
    return yaml.safe_dump(rules_document(slos), sort_keys=False, width=1000)


def skipped(slos: SloFile) -> list[str]:
    """SLOs without PromQL, which the rules cannot cover."""
    return [slo.name for slo in slos.slos if slo.sli.prometheus is None]


def error_ratio(slo: Slo, window_s: float) -> str:
    """PromQL for the share of bad events of ``slo`` over the window."""
    promql = slo.sli.prometheus
    assert promql is not None
    if isinstance(slo.sli, LatencySli) and promql.histogram:
        good = queries.events(
            _with_le(promql.histogram, slo.sli.threshold_ms), window_s
        )
        total = queries.events(_with_le(promql.histogram, None), window_s)
        return f"1 - ({good}) / ({total})"
    return _ratio(promql, window_s)


def _ratio(promql: PrometheusQueries, window_s: float) -> str:
    assert promql.total is not None
    total = queries.events(promql.total, window_s)
    if promql.bad:
        return f"({queries.events(promql.bad, window_s)}) / ({total})"
    assert promql.good is not None
    return f"1 - ({queries.events(promql.good, window_s)}) / ({total})"


def _record(service: str, slo: Slo, window_s: float) -> dict[str, Any]:
    return {
        "record": f"{RECORD_PREFIX}{label(window_s)}",
        "expr": error_ratio(slo, window_s),
        "labels": {"service": service, "slo": slo.name},
    }


def _alert(service: str, slo: Slo, row: AlertWindow) -> dict[str, Any]:
    limit = f"{row.rate:g} * {slo.error_budget:g}"
    long_w, short_w = label(row.long_s), label(row.short_s)
    matcher = f'{{service="{service}", slo="{slo.name}"}}'
    return {
        "alert": ALERT_NAME,
        "expr": (
            f"{RECORD_PREFIX}{long_w}{matcher} > ({limit})\n"
            f"and\n{RECORD_PREFIX}{short_w}{matcher} > ({limit})"
        ),
        "labels": {
            "severity": row.severity.value,
            "service": service,
            "slo": slo.name,
            "long_window": long_w,
            "short_window": short_w,
        },
        "annotations": {
            "summary": f"{slo.name} burns its error budget over {row.rate:g}x",
            "description": (
                f"{slo.name} ({slo.objective:g}% objective) has burned faster than "
                f"{row.rate:g}x over both {long_w} and {short_w}: at this rate "
                f"{row.budget_consumed:.0%} of a 30-day budget is gone in {long_w}."
            ),
        },
    }


def _with_le(selector: str, threshold_ms: float | None) -> str:
    """The bucket selector with an ``le`` matcher for a bound (None: +Inf)."""
    if threshold_ms is None:
        matcher = 'le="+Inf"'
    else:
        # Go clients print 1 s as "1", the Python client as "1.0".
        seconds = threshold_ms / 1000.0
        spellings = dict.fromkeys([f"{seconds:g}", repr(seconds)])
        matcher = (
            f'le="{seconds:g}"'
            if len(spellings) == 1
            else f'le=~"{"|".join(spellings)}"'
        )
    if _SELECTOR_END.search(selector):
        inner = selector.rstrip()[:-1].rstrip()
        joiner = "" if inner.endswith("{") else ", "
        return f"{inner}{joiner}{matcher}}}"
    return f"{selector}{{{matcher}}}"
