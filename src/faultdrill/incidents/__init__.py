"""Incidents: SEV-1 to SEV-4, their timeline and what was learned.

open_for_verdicts(run_id, experiment, runbook, verdicts, slos, timeline)
                                    an experiment broke an SLO
open_incident / update_incident / close_incident
                                    by hand (``faultdrill incident``)
IncidentStore.default().open_incidents()
                                    what the gate asks
"""

from faultdrill.incidents.manage import (
    Change,
    charge_budget,
    close_incident,
    open_incident,
    update_incident,
)
from faultdrill.incidents.model import (
    ActionItem,
    Incident,
    IncidentStatus,
    Severity,
    SloImpact,
    TimelineEntry,
)
from faultdrill.incidents.open import open_for_verdicts
from faultdrill.incidents.severity import classify
from faultdrill.incidents.store import IncidentStore

__all__ = [
    "ActionItem",
    "Change",
    "Incident",
    "IncidentStatus",
    "IncidentStore",
    "Severity",
    "SloImpact",
    "TimelineEntry",
    "charge_budget",
    "classify",
    "close_incident",
    "open_for_verdicts",
    "open_incident",
    "update_incident",
]
