from __future__ import annotations

import re
from typing import Any

import pytest
from report_fixtures import OUTCOMES, load

from faultdrill.report.postmortem import needs_postmortem, render_postmortem
from faultdrill.report.record import parse_journal


def with_severity(severity: str) -> dict[str, Any]:
    journal = load("deviated")
    journal["faultdrill"]["incident"]["severity"] = severity
    return journal


@pytest.mark.parametrize(
    ("severity", "needed"),
    [("SEV-1", True), ("SEV-2", True), ("SEV-3", False), ("SEV-4", False)],
)
def test_only_sev1_and_sev2_get_a_postmortem(severity: str, needed: bool) -> None:
    assert needs_postmortem(parse_journal(with_severity(severity))) is needed


@pytest.mark.parametrize("outcome", [o for o in OUTCOMES if o != "deviated"])
def test_runs_without_an_incident_get_none(outcome: str) -> None:
    assert not needs_postmortem(parse_journal(load(outcome)))


def test_the_draft_has_every_section_a_review_needs() -> None:
    draft = render_postmortem(parse_journal(load("deviated")))
    headings = re.findall(r"^## (.+)$", draft, flags=re.MULTILINE)
    assert headings == [
        "Summary",
        "Impact",
        "Timeline (UTC, from the journal)",
        "Why it happened",
        "What worked",
        "What failed",
        "Action items",
    ]


def test_the_draft_states_the_facts_of_the_journal() -> None:
    draft = render_postmortem(parse_journal(load("deviated")))
    assert "`INC-0001`, SEV-2" in draft
    assert "api-latency-p95 broke during the faults (p95 609 ms > 500 ms" in draft
    assert "- every rollback succeeded (remove-catalog-latency)" in draft
    assert "After the rollback every SLO of the hypothesis held again." in draft
    assert "| 2026-12-03T18:43:22+00:00 | phase during started |" in draft


def test_action_items_have_owner_placeholders() -> None:
    draft = render_postmortem(parse_journal(load("deviated")))
    items = draft.split("## Action items")[1].split("\n---\n")[0]
    rows = [line for line in items.splitlines() if line.startswith("| ")][1:]
    assert len(rows) == 3
    assert all("| <owner> | <due date> |" in row for row in rows)
    assert "without breaking api-latency-p95" in rows[0]


def test_a_failed_rollback_is_a_finding_and_an_action_item() -> None:
    journal = load("deviated")
    journal["rollbacks"][0]["status"] = "failed"
    journal["rollbacks"][0]["exception"] = ["ActivityFailed: proxy gone\n"]
    draft = render_postmortem(parse_journal(journal))
    assert "- rollbacks step remove-catalog-latency failed: ActivityFailed" in draft
    assert "Fix the rollback step remove-catalog-latency" in draft
    assert "every rollback succeeded" not in draft


def test_the_wording_is_blameless() -> None:
    draft = render_postmortem(parse_journal(load("deviated"))).lower()
    for word in ("blame ", "fault of", "human error", "careless", "should have"):
        assert word not in draft
    assert "blameless" in draft
