from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from report_fixtures import OUTCOMES, load

from faultdrill.incidents.manage import Change, close_incident, open_incident
from faultdrill.incidents.model import ActionItem, Severity
from faultdrill.incidents.store import IncidentStore
from faultdrill.report.incident_now import with_current_incident
from faultdrill.report.postmortem import needs_postmortem, render_postmortem
from faultdrill.report.record import parse_journal

NOW = 1_710_504_000.0  # 2024-03-15 12:00:00 UTC


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
        "Timeline (UTC, from the journal and the incident)",
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


def test_the_draft_takes_what_the_incident_has_learned_since_it_opened(
    faultdrill_home: Path,
) -> None:
    journal = load("deviated")
    store = IncidentStore.default()
    opened = open_incident(store, "p95 over 500 ms", Severity.SEV2, NOW)
    journal["faultdrill"]["incident"] = opened.model_dump(mode="json")
    journal["faultdrill"]["incident"]["run_id"] = journal["faultdrill"]["run_id"]
    change = Change(
        root_cause="the video API has no timeout on catalog calls",
        remediation=["rolled back the experiment"],
        preventive=[ActionItem(what="add a 300 ms catalog timeout", owner="team-api")],
    )
    close_incident(store, opened.id, change, NOW + 600)

    record = with_current_incident(parse_journal(journal))
    draft = render_postmortem(record)

    assert "Root cause (from the incident): the video API has no timeout" in draft
    assert "- rolled back the experiment" in draft
    assert "| add a 300 ms catalog timeout | team-api |" in draft
    assert "- status of the incident: closed" in draft
    opened_row = f"| 2024-03-15T12:00:00+00:00 | incident {opened.id}: opened as SEV-2 |"
    closed_row = f"| 2024-03-15T12:10:00+00:00 | incident {opened.id}: closed |"
    assert opened_row in draft and closed_row in draft
    assert draft.index(opened_row) < draft.index(closed_row)


def test_without_the_incident_in_the_store_the_journals_copy_is_used(
    faultdrill_home: Path,
) -> None:
    record = parse_journal(load("deviated"))

    assert with_current_incident(record) == record
    assert "Contributing factors in the system: <" in render_postmortem(record)
