"""Opening, updating and closing incidents by hand, and charging their budget.

An incident opened by hand names the SLOs it hit and the share of bad
events (``SloImpact``); from opening until closing it burns each SLO's
budget at ``bad_ratio / error_budget``. That spend is written to the budget
ledger on every change (replacing the previous one), so ``faultdrill
budget`` and the gate see it while the incident is still open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import ValidationError

from faultdrill.budget.burn import burn_rate
from faultdrill.budget.ledger import BudgetLedger
from faultdrill.budget.spend import Spend, SpendKind
from faultdrill.errors import InvalidInput
from faultdrill.incidents.model import (
    ActionItem,
    Incident,
    IncidentStatus,
    Severity,
    SloImpact,
    TimelineEntry,
)
from faultdrill.incidents.store import IncidentStore
from faultdrill.slo.model import SloFile
from faultdrill.validation import problems_from


@dataclass(frozen=True)
class Change:
    """What an update changes; empty fields change nothing."""

    severity: Severity | None = None
    note: str | None = None
    summary: str | None = None
    root_cause: str | None = None
    remediation: Sequence[str] = ()
    preventive: Sequence[ActionItem] = ()
    impacts: Sequence[SloImpact] = field(default=())


def open_incident(
    store: IncidentStore,
    title: str,
    severity: Severity,
    now: float,
    impacts: Sequence[SloImpact] = (),
    summary: str = "",
    runbook: str | None = None,
) -> Incident:
    at = _at(now)

    def make(incident_id: str) -> Incident:
        return Incident(
            id=incident_id,
            title=title,
            severity=severity,
            opened_at=at,
            summary=summary,
            runbook=runbook,
            impacts=list(impacts),
            timeline=[TimelineEntry(at=at, message=f"opened as {severity}")],
        )

    try:
        return store.create(make)
    except ValidationError as exc:
        raise InvalidInput(problems_from("new incident", exc)) from None


def update_incident(
    store: IncidentStore, incident_id: str, change: Change, now: float
) -> Incident:
    return store.update(incident_id, lambda current: _apply(current, change, now))


def close_incident(
    store: IncidentStore, incident_id: str, change: Change, now: float
) -> Incident:
    def close(current: Incident) -> Incident:
        if not current.is_open:
            raise InvalidInput.single(
                "incident",
                incident_id,
                "is already closed; to add a note or an action to it, use "
                "'faultdrill incident update'",
            )
        changed = _apply(current, change, now)
        entry = TimelineEntry(at=_at(now), message="closed")
        return changed.model_copy(
            update={
                "status": IncidentStatus.CLOSED,
                "closed_at": _at(now),
                "timeline": [*changed.timeline, entry],
            }
        )

    return store.update(incident_id, close)


def charge_budget(
    incident: Incident, slos: SloFile, ledger: BudgetLedger, now: float
) -> list[Spend]:
    """Write what the incident has spent of each SLO's budget so far."""
    if not incident.charges_budget:
        return []
    end = incident.closed_at.timestamp() if incident.closed_at else now
    spends = [
        Spend(
            slo=impact.slo,
            kind=SpendKind.INCIDENT,
            ref=incident.id,
            start=incident.opened_at.timestamp(),
            end=max(end, incident.opened_at.timestamp()),
            burn_rate=burn_rate(impact.bad_ratio, slos.get(impact.slo).error_budget),
            note=incident.title,
        )
        for impact in incident.impacts
    ]
    for spend in spends:
        ledger.record(spend)
    return spends


def check_impacts(impacts: Sequence[SloImpact], slos: SloFile) -> None:
    """Every impact names an SLO of the file, once; InvalidInput otherwise."""
    seen: set[str] = set()
    for impact in impacts:
        slos.get(impact.slo)
        if impact.slo in seen:
            raise InvalidInput.single(
                "--impact",
                impact.slo,
                "is given twice; give each SLO's bad-event share once",
            )
        seen.add(impact.slo)


def _apply(current: Incident, change: Change, now: float) -> Incident:
    at = _at(now)
    entries = list(current.timeline)
    update: dict[str, object] = {}
    if change.severity is not None and change.severity is not current.severity:
        entries.append(
            TimelineEntry(at=at, message=f"{current.severity} -> {change.severity}")
        )
        update["severity"] = change.severity
    if change.note:
        entries.append(TimelineEntry(at=at, message=change.note))
    if change.summary is not None:
        update["summary"] = change.summary
    if change.root_cause is not None:
        update["root_cause"] = change.root_cause
    if change.impacts:
        update["impacts"] = _merged(current.impacts, change.impacts)
    update["remediation"] = [*current.remediation, *change.remediation]
    update["preventive_actions"] = [*current.preventive_actions, *change.preventive]
    update["timeline"] = entries
    return current.model_copy(update=update)


def _merged(old: Sequence[SloImpact], new: Sequence[SloImpact]) -> list[SloImpact]:
    by_slo = {impact.slo: impact for impact in old}
    by_slo.update({impact.slo: impact for impact in new})
    return list(by_slo.values())


def _at(now: float) -> datetime:
    return datetime.fromtimestamp(now, UTC)
