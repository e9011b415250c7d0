"""The error-budget report and SLO dashboard, as one HTML page.

``faultdrill budget --html`` hands over plain rows, one per SLO, in the
shape of ``faultdrill budget --json``'s ``slos`` list: ``slo``,
``objective``, ``window``, ``spent``, ``spent_by``, ``left``,
``burn_rates`` (window label -> rate), and optionally ``now`` and
``sli_now``. Missing keys show as "-". Burn rates are compared with the SRE
Workbook's multiwindow alert rates (faultdrill.budget.burn.ALERT_WINDOWS).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jinja2 import Environment, StrictUndefined

from faultdrill.budget.burn import ALERT_WINDOWS, duration_label
from faultdrill.report.html_template import STYLE


# The lowest alert rate that uses each window, e.g. "1h" -> 14.4 and "6h" -> 1
# (the ticket's short window): burning faster than it alerts when its pair agrees.
def _alert_rates() -> dict[str, float]:
    rates: dict[str, float] = {}
    for window in ALERT_WINDOWS:
        for seconds in (window.long_s, window.short_s):
            label = duration_label(seconds)
            rates[label] = min(rates.get(label, window.rate), window.rate)
    return rates


ALERT_RATE = _alert_rates()


@dataclass(frozen=True)
class Burn:
    window: str
    rate: float | None
    alert_rate: float | None

    @property
    def over(self) -> bool:
        if self.rate is None or self.alert_rate is None:
            return False
        return self.rate >= self.alert_rate


@dataclass(frozen=True)
class BudgetCard:
    slo: str
    objective: str
    window: str
    left_percent: float | None
    spent_by: list[tuple[str, str]]
    burns: list[Burn]
    sli_now: str

    @property
    def left_label(self) -> str:
        return "-" if self.left_percent is None else f"{self.left_percent:.2f}%"

    @property
    def bar_percent(self) -> float:
        return min(100.0, max(0.0, self.left_percent or 0.0))

    @property
    def state(self) -> str:
        if self.left_percent is None:
            return "inconclusive"
        if self.left_percent <= 0:
            return "deviated"
        return "held" if not any(b.over for b in self.burns) else "inconclusive"


def budget_cards(rows: Sequence[Mapping[str, Any]]) -> list[BudgetCard]:
    return [_card(row) for row in rows]


def _card(row: Mapping[str, Any]) -> BudgetCard:
    left = row.get("left")
    burn_rates: Mapping[str, Any] = row.get("burn_rates") or {}
    return BudgetCard(
        slo=str(row.get("slo", "?")),
        objective=f"{row['objective']:g}%" if "objective" in row else "-",
        window=str(row.get("window", "-")),
        left_percent=float(left) * 100.0 if left is not None else None,
        spent_by=[
            (str(kind), f"{float(share) * 100:.4g}%")
            for kind, share in (row.get("spent_by") or {}).items()
        ],
        burns=[
            Burn(str(label), _float(rate), ALERT_RATE.get(str(label)))
            for label, rate in burn_rates.items()
        ],
        sli_now=_sli_now(row.get("sli_now")),
    )


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _sli_now(reading: Any) -> str:
    if not isinstance(reading, Mapping):
        return "-"
    return str(reading.get("summary") or reading.get("value") or "-")


_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Error budgets{% if service %}: {{ service }}{% endif %}</title>
<style>{{ style }}
.bar { background: #eee; border-radius: .3rem; height: 1rem; width: 100%; }
.bar div { height: 100%; border-radius: .3rem; }
.bar .held { background: #3a9d52; } .bar .inconclusive { background: #d6a21e; }
.bar .deviated { background: #c2372b; }
.over { color: #8f1d12; font-weight: 600; }
</style></head>
<body>
<h1>Error budgets{% if service %}: {{ service }}{% endif %}</h1>
<p class="note">As of {{ as_of }}. Burn rate 1 spends the whole budget in one
window; rates at or over the SRE Workbook's alert rate are marked.</p>
<h2>Dashboard</h2>
<table>
<tr><th>SLO</th><th>objective</th><th>window</th><th>budget left</th>
<th>SLI now</th></tr>
{% for c in cards %}<tr><td><code>{{ c.slo }}</code></td><td>{{ c.objective }}</td>
<td>{{ c.window }}</td><td>
<div class="bar"><div class="{{ c.state }}"
style="width: {{ '%.1f'|format(c.bar_percent) }}%"></div></div>
{{ c.left_label }}
</td><td>{{ c.sli_now }}</td></tr>{% endfor %}
</table>
<h2>Spent and burning</h2>
{% for c in cards %}<h3><code>{{ c.slo }}</code></h3>
<table><tr><th>spent by</th>{% for kind, share in c.spent_by %}<td>{{ kind }}:
{{ share }}</td>{% endfor %}</tr>
<tr><th>burn rate</th>{% for b in c.burns %}<td{% if b.over %} class="over"{% endif %}>
{{ b.window }}: {{ '-' if b.rate is none else '%.2f'|format(b.rate) }}x
{% if b.alert_rate %}(alert at {{ b.alert_rate }}x){% endif %}</td>{% endfor %}</tr>
</table>{% endfor %}
</body></html>
"""


def render_budget_html(
    budget_rows: Sequence[Mapping[str, Any]], service: str = ""
) -> str:
    """The error-budget page of ``budget_rows`` (``faultdrill budget --json``)."""
    now = next((row["now"] for row in budget_rows if "now" in row), None)
    moment = datetime.fromtimestamp(now, UTC) if now else datetime.now(UTC)
    template = Environment(autoescape=True, undefined=StrictUndefined).from_string(
        _TEMPLATE
    )
    return template.render(
        cards=budget_cards(budget_rows),
        service=service,
        style=STYLE,
        as_of=moment.isoformat(timespec="seconds"),
    )
