"""The incident of a run as it stands now, not as it was when it opened.

A journal keeps the incident as the run opened it. By the time someone
writes the postmortem it has usually been updated or closed with a root
cause, remediation and preventive actions; those live in the incident
store under FAULTDRILL_HOME. A report reads them from there when the store
still has the incident, and falls back to the journal's copy when it does
not (another machine, another home).
"""

from __future__ import annotations

import logging

from faultdrill.errors import InvalidInput
from faultdrill.incidents.store import IncidentStore
from faultdrill.report.record import Incident, RunRecord

log = logging.getLogger(__name__)


def with_current_incident(
    record: RunRecord, store: IncidentStore | None = None
) -> RunRecord:
    """``record`` with its incident refreshed from ``store`` (default: home)."""
    if record.incident is None:
        return record
    try:
        current = (store or IncidentStore.default()).get(record.incident.id)
    except InvalidInput as exc:
        log.debug("incident %s not in the store: %s", record.incident.id, exc)
        return record
    if current.run_id not in (None, record.run_id):
        return record  # the same id in another home belongs to another run
    raw = current.model_dump(mode="json")
    extra = {k: v for k, v in raw.items() if k not in ("id", "severity", "title")}
    incident = Incident(
        id=current.id, severity=current.severity.value, title=current.title, extra=extra
    )
    return record.model_copy(update={"incident": incident})
