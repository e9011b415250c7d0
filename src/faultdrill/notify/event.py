"""Which runs are worth a notification, and what the notification says.

A webhook fires when a run aborts or opens an incident: those need a
person. Held, deviated-without-incident, inconclusive and refused runs are
in the journal and the reports; they page nobody.
"""

from __future__ import annotations

from typing import Any

from faultdrill.report.record import RunRecord
from faultdrill.runner.outcome import Outcome

# Version of the JSON body below; raise it when a key changes meaning.
SCHEMA_VERSION = 1


def should_notify(record: RunRecord) -> bool:
    alarming = (Outcome.ABORTED, Outcome.NOT_REVERTED)
    return record.outcome in alarming or record.incident is not None


def notification(record: RunRecord) -> dict[str, Any]:
    """The JSON body: enough to triage without opening the journal."""
    incident = record.incident
    return {
        "schema": SCHEMA_VERSION,
        "event": _event(record),
        "experiment": record.title,
        "experiment_file": record.experiment_file,
        "run_id": record.run_id,
        "outcome": record.outcome.value,
        "exit_code": record.exit_code,
        "reason": record.reason,
        "started": record.start.isoformat(),
        "duration_s": record.duration,
        "target": record.base_url,
        "runbook": record.runbook,
        "incident": (
            {"id": incident.id, "severity": incident.severity, "title": incident.title}
            if incident
            else None
        ),
        "broken": [
            {"slo": v.slo, "phase": phase.value, "summary": v.summary}
            for phase, v in record.verdicts()
            if v.status.value == "deviated"
        ],
        "text": _text(record),
    }


def _event(record: RunRecord) -> str:
    if record.incident is not None:
        return "incident-opened"
    return "run-aborted"


def _text(record: RunRecord) -> str:
    """One line for chat tools that show a ``text`` key (Slack, Mattermost)."""
    head = f"faultdrill: {record.title} {record.outcome.value.upper()}"
    if record.incident is not None:
        head += f", {record.incident.severity} {record.incident.id} opened"
    return f"{head}: {record.reason}"
