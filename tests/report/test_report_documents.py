"""HTML and Markdown reports from recorded journals of every outcome."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from report_fixtures import load

from faultdrill.report.html import render_html
from faultdrill.report.markdown import render_markdown
from faultdrill.report.record import parse_journal


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [v for k, v in attrs if k in ("href", "src") and v]


def tags_of(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def test_every_outcome_renders_html_with_its_verdicts_and_reason(
    any_journal: dict[str, Any],
) -> None:
    record = parse_journal(any_journal)
    html = render_html(record)
    assert f'<span class="badge {record.outcome.value}">' in html
    assert record.reason.replace("'", "&#39;").replace('"', "&#34;") in html
    for _, verdict in record.verdicts():
        assert verdict.slo in html
    for section in (
        "Verdicts",
        "SLIs over time",
        "Error budget spent",
        "Blast radius",
        "Actions and reverts",
        "Recovery playbook",
        "Timeline",
    ):
        assert f"<h2>{section}</h2>" in html


def test_the_html_report_is_self_contained(any_journal: dict[str, Any]) -> None:
    html = render_html(parse_journal(any_journal))
    found = tags_of(html)
    assert "script" not in found.tags and "link" not in found.tags
    # the only links are the runbook's; nothing is fetched to show the page
    assert all(link.startswith("https://runbooks.") for link in found.links)


def test_a_journal_with_a_series_gets_one_plot_per_slo() -> None:
    html = render_html(parse_journal(load("deviated")))
    assert html.count("<svg") == 1
    assert 'id="chart-api-latency-p95"' in html
    assert "threshold 500 ms" in html


def test_a_journal_without_a_series_says_so_instead_of_plotting() -> None:
    journal = load("held")
    del journal["faultdrill"]["series"]
    html = render_html(parse_journal(journal))
    assert "<svg" not in html
    assert "no per-second series" in html


def test_ratio_slis_are_plotted_against_their_objective() -> None:
    journal = load("held")
    series = journal["faultdrill"]["series"]["slos"][0]
    ratio = copy.deepcopy(series)
    ratio.update(
        slo="api-5xx-ratio", sli_type="error-ratio", objective=99.9, threshold_ms=None
    )
    journal["faultdrill"]["series"]["slos"].append(ratio)
    html = render_html(parse_journal(journal))
    assert html.count("<svg") == 2
    assert "objective 99.9%" in html


def test_text_from_the_journal_is_escaped() -> None:
    journal = load("aborted")
    journal["experiment"]["title"] = "<script>alert(1)</script>"
    html = render_html(parse_journal(journal))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_every_action_and_rollback_is_listed_with_its_status() -> None:
    record = parse_journal(load("aborted"))
    html = render_html(record)
    markdown = render_markdown(record)
    for name in ("add-catalog-latency", "break-on-purpose", "remove-catalog-latency"):
        assert name in html and name in markdown
    assert "| method | break-on-purpose |" in markdown
    assert "failed: chaoslib.exceptions.ActivityFailed" in markdown


def test_safety_net_reverts_are_listed() -> None:
    journal = load("held")
    journal["faultdrill"]["reverts"] = [
        {"fault": "latency on catalog", "outcome": "reverted"}
    ]
    markdown = render_markdown(parse_journal(journal))
    assert "- latency on catalog: reverted" in markdown


def test_markdown_has_a_verdict_row_per_slo_across_phases() -> None:
    markdown = render_markdown(parse_journal(load("deviated")))
    row = next(line for line in markdown.splitlines() if "`api-latency-p95` |" in line)
    cells = [c.strip() for c in row.strip("|").split(" | ")]
    assert [c.split()[0] for c in cells[1:]] == ["**held**", "**deviated**", "**held**"]


@pytest.mark.parametrize("outcome", ["refused", "inconclusive"])
def test_phases_not_reached_read_not_measured(outcome: str) -> None:
    markdown = render_markdown(parse_journal(load(outcome)))
    assert "**not measured**" in markdown
    assert "No action ran: nothing was injected." in markdown


def test_budget_figures_from_the_ledger_replace_the_estimate() -> None:
    journal = load("deviated")
    journal["faultdrill"]["budget"] = [
        {
            "slo": "api-latency-p95",
            "baseline_bad_ratio": 0.0,
            "during_bad_ratio": 0.957,
            "burn_rate": 19.14,
            "budget_spent": 0.0000412,
            "bad_events": 111,
            "total_events": 116,
        }
    ]
    markdown = render_markdown(parse_journal(journal))
    assert (
        "| `api-latency-p95` | 0% | 95.7% | 19.14x | 0.00412% | 111 bad of 116 |"
        in markdown
    )
    assert "estimate" not in markdown


def test_the_budget_estimate_is_burn_rate_times_window_over_30_days() -> None:
    markdown = render_markdown(parse_journal(load("deviated")))
    # 111 bad of 116 against a 5% budget for 5.008 s of a 30-day window
    burn = (111 / 116) / 0.05
    spent = burn * 5.008 / (30 * 86400) * 100
    assert f"{burn:.2f}x" in markdown
    assert f"{spent:.4g}% (estimate, 30-day window)" in markdown


def test_the_runbook_is_linked_and_missing_ones_are_pointed_out() -> None:
    record = parse_journal(load("held"))
    assert f'<a href="{record.runbook}">' in render_html(record)
    journal = load("held")
    del journal["experiment"]["runbook"]
    assert "none declared: add a `runbook` key" in render_markdown(
        parse_journal(journal)
    )


def test_the_recovery_playbook_lists_declared_rollbacks_even_when_none_ran() -> None:
    markdown = render_markdown(parse_journal(load("refused")))
    playbook = markdown.split("## Recovery playbook")[1]
    assert re.search(r"1\. \*\*remove-catalog-latency\*\*", playbook)
    assert "`faultdrill recover`" in playbook


def test_capacity_figures_from_step_tests_are_tabled() -> None:
    journal = load("held")
    journal["faultdrill"]["capacity"] = [
        {"offered_rps": 100, "achieved_rps": 99.5, "p95_ms": 12.25},
        {"offered_rps": 200, "achieved_rps": 151.0, "p95_ms": 480.0, "errors": 3},
    ]
    markdown = render_markdown(parse_journal(journal))
    assert "| offered_rps | achieved_rps | p95_ms | errors |" in markdown
    assert "| 200 | 151 | 480 | 3 |" in markdown
    assert "| 100 | 99.5 | 12.25 | - |" in markdown
