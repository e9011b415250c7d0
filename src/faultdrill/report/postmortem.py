"""A blameless postmortem draft for a run that opened a SEV-1 or SEV-2.

DESIGN.md: a broken SLO during an experiment is a finding; SEV-1 and SEV-2
findings get a postmortem with what happened, why, what worked, what failed
and action items with owners. The draft fills in every fact the journal
holds and leaves marked placeholders (``<...>``) for what only people know.
Wording is about the system and the process, never about a person.
"""

from __future__ import annotations

from datetime import UTC, datetime

from faultdrill.report import sections
from faultdrill.report.markdown import table
from faultdrill.report.record import ActivityRecord, RunRecord
from faultdrill.report.spend import spend_rows
from faultdrill.runner.outcome import Outcome, Phase
from faultdrill.slo.verdict import SloVerdict, VerdictStatus

# DESIGN.md: "for SEV-1 and SEV-2 a blameless postmortem draft is written".
POSTMORTEM_LEVELS = frozenset({1, 2})
OWNER = "<owner>"
DUE = "<due date>"


def needs_postmortem(record: RunRecord) -> bool:
    """Whether the run opened an incident severe enough for a postmortem."""
    return record.incident is not None and record.incident.level in POSTMORTEM_LEVELS


def render_postmortem(record: RunRecord) -> str:
    """The Markdown draft; call only when ``needs_postmortem(record)``."""
    parts = [
        _header(record),
        _summary(record),
        _impact(record),
        _timeline(record),
        _why(record),
        _what_worked(record),
        _what_failed(record),
        _action_items(record),
        _footer(),
    ]
    return "\n\n".join(parts) + "\n"


def _header(record: RunRecord) -> str:
    incident = record.incident
    assert incident is not None, "render_postmortem needs a run with an incident"
    title = incident.title or record.title
    return "\n".join(
        [
            f"# Postmortem draft: {title}",
            "",
            "- status: draft, to be reviewed",
            f"- incident: `{incident.id}`, {incident.severity}",
            f"- date: {record.start.date().isoformat()}",
            f"- experiment: {record.title} (`{record.experiment_file}`, "
            f"run `{record.run_id}`)",
            f"- runbook exercised: {record.runbook or '<none declared>'}",
            f"- status of the incident: {incident.extra.get('status', 'open')}",
            f"- authors: {OWNER}",
        ]
    )


def _broken(record: RunRecord) -> list[tuple[Phase, SloVerdict]]:
    return [
        (phase, verdict)
        for phase, verdict in record.verdicts()
        if verdict.status is VerdictStatus.DEVIATED
    ]


def _summary(record: RunRecord) -> str:
    broken = _broken(record)
    what = (
        "; ".join(
            f"{v.slo} broke {p.value} the faults ({v.summary})" for p, v in broken
        )
        or record.reason
    )
    faults = ", ".join(a.name for a in record.method) or "no fault"
    recovered = _recovered(record)
    return (
        "## Summary\n\n"
        f"A planned chaos experiment injected {faults} into the service at "
        f"`{record.base_url or '<target>'}`. {what}. The run ended "
        f"{record.outcome.value}: {record.reason}. {recovered}"
    )


def _recovered(record: RunRecord) -> str:
    after = record.phase(Phase.AFTER)
    if after is None or not after.verdicts:
        return "Recovery after the rollback was not measured."
    statuses = {v.status for v in after.verdicts}
    if statuses == {VerdictStatus.HELD}:
        return "After the rollback every SLO of the hypothesis held again."
    return "After the rollback not every SLO held again (see what failed)."


def _impact(record: RunRecord) -> str:
    rows = [
        [
            f"`{s.slo}`",
            sections.percent(s.during_bad_ratio),
            f"{s.burn_rate:.2f}x",
            f"{s.budget_spent_percent:.4g}%" + (" (estimate)" if s.estimated else ""),
        ]
        for s in spend_rows(record)
    ]
    during = record.phase(Phase.DURING)
    window = sections.seconds(during.duration if during else None)
    text = f"## Impact\n\nThe fault window lasted {window}."
    if rows:
        header = ["SLO", "bad events during", "burn rate", "error budget spent"]
        text += "\n\n" + table(header, rows)
    return text + (
        "\n\nUsers affected: <who noticed, which traffic took the faults; "
        "the blast radius allowed "
        f"{record.blast_radius.get('max-traffic-share', 100)}% of traffic>"
    )


def _timeline(record: RunRecord) -> str:
    rows = [[_moment(e.at.isoformat()), e.message] for e in record.timeline]
    incident = record.incident
    if incident is not None:
        # Its own timeline starts with its opening and ends with its closing.
        entries = _entries(incident.extra.get("timeline")) or [
            {"at": incident.extra.get("opened_at"), "message": "opened"}
        ]
        rows += [
            [_moment(e.get("at")), f"incident {incident.id}: {e.get('message', '')}"]
            for e in entries
        ]
    rows.sort(key=lambda row: row[0])
    return "## Timeline (UTC, from the journal and the incident)\n\n" + table(
        ["at", "event"], rows
    )


def _moment(value: object) -> str:
    """An ISO time to the second, in one form whatever wrote it."""
    if value is None:
        return "<time>"
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _entries(value: object) -> list[dict[str, object]]:
    return [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []


def _why(record: RunRecord) -> str:
    lines = ["## Why it happened", ""]
    if record.description:
        lines += [f"The hypothesis: {record.description}", ""]
    for activity in record.method:
        lines.append(
            f"- the experiment applied **{activity.name}** "
            f"(`{activity.target}` {sections.compact(activity.arguments)})".rstrip()
        )
    root_cause = _incident_field(record, "root_cause")
    lines += [
        "",
        f"Root cause (from the incident): {root_cause}"
        if root_cause
        else "Contributing factors in the system: <what in the design, "
        "configuration or dependencies let this fault reach users: timeouts, "
        "retries, caches, fallbacks, capacity>",
    ]
    remediation = _texts(_incident_field(record, "remediation"))
    if remediation:
        lines += ["", "Remediation so far:", *[f"- {step}" for step in remediation]]
    return "\n".join(lines)


def _incident_field(record: RunRecord, key: str) -> object:
    """A field of the run's incident as it stands now; None without one."""
    return record.incident.extra.get(key) if record.incident else None


def _texts(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _what_worked(record: RunRecord) -> str:
    worked = []
    if record.rollbacks and all(a.status == "succeeded" for a in record.rollbacks):
        names = ", ".join(a.name for a in record.rollbacks)
        worked.append(f"every rollback succeeded ({names})")
    if not any(r.outcome.startswith("failed") for r in record.reverts):
        worked.append("no fault was left behind in the fault ledger")
    if _recovered(record).startswith("After the rollback every"):
        worked.append(
            f"the SLOs recovered within {record.recovery_within or 'the declared time'}"
        )
    if record.outcome is Outcome.ABORTED:
        worked.append("the run stopped early and rolled back")
    before = record.phase(Phase.BEFORE)
    if before and all(v.status is VerdictStatus.HELD for v in before.verdicts):
        worked.append("the steady state was confirmed before anything was injected")
    items = [f"- {item}" for item in worked] or ["- <what went well>"]
    return "## What worked\n\n" + "\n".join(items)


def _what_failed(record: RunRecord) -> str:
    failed = [f"- {v.slo} {p.value}: {v.summary}" for p, v in _broken(record)]
    failed += [f"- {_failure(a)}" for a in record.activities if a.status == "failed"]
    failed += [
        f"- revert of {r.fault}: {r.outcome}"
        for r in record.reverts
        if r.outcome.startswith("failed")
    ]
    return "## What failed\n\n" + "\n".join(failed or ["- <what did not go well>"])


def _failure(activity: ActivityRecord) -> str:
    return f"{activity.section} step {activity.name} failed: {activity.error or ''}"


def _action_items(record: RunRecord) -> str:
    preventive = _entries(_incident_field(record, "preventive_actions"))
    recorded = [
        [str(item.get("what", "")), str(item.get("owner") or OWNER), DUE]
        for item in preventive
    ]
    items = recorded + [
        [
            f"Make the service absorb {_faults(record)} without breaking {slo}",
            OWNER,
            DUE,
        ]
        for slo in dict.fromkeys(v.slo for _, v in _broken(record))
    ]
    items += [
        [f"Fix the rollback step {a.name} so it can be relied on", OWNER, DUE]
        for a in record.rollbacks
        if a.status != "succeeded"
    ]
    if record.runbook:
        items.append(
            [f"Check the runbook {record.runbook} against this timeline", OWNER, DUE]
        )
    else:
        items.append(["Write a runbook for this failure mode", OWNER, DUE])
    items.append(
        ["Re-run the experiment once the fixes are in to confirm them", OWNER, DUE]
    )
    return "## Action items\n\n" + table(["action", "owner", "due"], items)


def _faults(record: RunRecord) -> str:
    return " and ".join(a.name for a in record.method) or "the injected fault"


def _footer() -> str:
    return (
        "---\n\nThis draft is blameless: it describes how the system and the "
        "process behaved, so that the next run goes better. Placeholders in "
        "angle brackets are for the review to fill in."
    )
