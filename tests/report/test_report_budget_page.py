from __future__ import annotations

import re
from typing import Any

from faultdrill.report.budget_page import ALERT_RATE, budget_cards, render_budget_html


def row(slo: str, left: float, **rates: float) -> dict[str, Any]:
    return {
        "slo": slo,
        "objective": 99.9,
        "window": "rolling 30d",
        "now": 1_796_324_099.0,
        "spent": 1 - left,
        "spent_by": {"experiment": (1 - left) / 2, "incident": (1 - left) / 2},
        "left": left,
        "burn_rates": {"5m": 0.0, "1h": 0.0, **rates},
        "sli_now": None,
    }


def test_the_alert_rates_are_the_workbooks() -> None:
    assert ALERT_RATE["1h"] == ALERT_RATE["5m"] == 14.4
    assert ALERT_RATE["30m"] == 6.0
    assert ALERT_RATE["6h"] == 1.0  # the ticket's short window, lower than 6
    assert ALERT_RATE["3d"] == 1.0


def test_each_slo_shows_its_budget_left_as_a_bar() -> None:
    html = render_budget_html([row("login-success", 0.25), row("api", 1.0)], "svc")
    assert "<h1>Error budgets: svc</h1>" in html
    widths = re.findall(r'style="width: ([\d.]+)%"', html)
    assert widths == ["25.0", "100.0"]
    assert "25.00%" in html and "As of 2026-12-03T" in html


def test_an_exhausted_budget_and_fast_burns_are_marked() -> None:
    cards = budget_cards([row("a", -0.2), row("b", 0.9, **{"1h": 20.0}), row("c", 0.9)])
    assert [c.state for c in cards] == ["deviated", "inconclusive", "held"]
    assert cards[0].bar_percent == 0.0
    assert [b.window for b in cards[1].burns if b.over] == ["1h"]
    html = render_budget_html([row("b", 0.9, **{"1h": 20.0})])
    assert '<td class="over">\n1h: 20.00x\n(alert at 14.4x)</td>' in html


def test_missing_figures_show_as_dashes() -> None:
    html = render_budget_html([{"slo": "bare"}])
    assert "<code>bare</code>" in html
    assert html.count(">-<") + html.count("\n-\n") >= 2
