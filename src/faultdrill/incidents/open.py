"""Opening an incident when an experiment broke an SLO."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from faultdrill.incidents.model import Incident, SloImpact, TimelineEntry
from faultdrill.incidents.severity import classify, worst
from faultdrill.incidents.store import IncidentStore
from faultdrill.slo.model import Slo
from faultdrill.slo.verdict import SloVerdict, VerdictStatus

Verdict = SloVerdict | Mapping[str, Any]


def open_for_verdicts(
    run_id: str,
    experiment: str,
    runbook: str | None,
    verdicts: Iterable[Verdict],
    slos: Iterable[Slo],
    timeline: Sequence[Mapping[str, Any]] = (),
    store: IncidentStore | None = None,
    now: float | None = None,
) -> Incident | None:
    """Open one incident for the deviated verdicts of a run; None if none deviated.

    ``verdicts`` may mix phases (the worst verdict of an SLO counts);
    ``timeline`` is the journal's ``[{at, message}]``. The severity is the
    worst of the broken SLOs' (see ``faultdrill.incidents.severity``).
    """
    broken = _broken(verdicts)
    if not broken:
        return None
    known = {slo.name: slo for slo in slos}
    classified = [classify(v, known.get(str(v["slo"]))) for v in broken]
    severity = worst(s for s, _ in classified)
    impacts = _one_per_slo(impact for _, impact in classified)
    opened = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    names = ", ".join(i.slo for i in impacts)

    def make(incident_id: str) -> Incident:
        return Incident(
            id=incident_id,
            title=f"{experiment}: {names} broke",
            severity=severity,
            opened_at=opened,
            summary="; ".join(f"{i.slo}: {i.why}" for i in impacts),
            run_id=run_id,
            experiment=experiment,
            runbook=runbook,
            impacts=impacts,
            timeline=[TimelineEntry.model_validate(e) for e in timeline],
            verdicts=broken,
        )

    return (store or IncidentStore.default()).create(make)


def _broken(verdicts: Iterable[Verdict]) -> list[dict[str, Any]]:
    dumped = [
        v.model_dump(mode="json") if isinstance(v, SloVerdict) else dict(v)
        for v in verdicts
    ]
    return [v for v in dumped if v.get("status") == VerdictStatus.DEVIATED.value]


def _one_per_slo(impacts: Iterable[SloImpact]) -> list[SloImpact]:
    worst_of: dict[str, SloImpact] = {}
    for impact in impacts:
        seen = worst_of.get(impact.slo)
        if seen is None or impact.bad_ratio > seen.bad_ratio:
            worst_of[impact.slo] = impact
    return list(worst_of.values())
