"""The Markdown run report: the HTML report's content, for wikis and PRs.

Plots need the HTML report; this one says so and keeps every figure.
"""

from __future__ import annotations

from faultdrill.report import sections
from faultdrill.report.capacity import capacity_table
from faultdrill.report.record import RunRecord
from faultdrill.report.spend import spend_rows


def render_markdown(record: RunRecord, postmortem: str | None = None) -> str:
    """The report of one run; ``postmortem`` is a link to its draft, if any."""
    parts = [
        _header(record, postmortem),
        _verdicts(record),
        _spend(record),
        _blast_radius(record),
        _activities(record),
        _playbook(record),
        _incident(record),
        _capacity(record),
        _timeline(record),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _header(record: RunRecord, postmortem: str | None) -> str:
    runbook = record.runbook or "none declared: add a `runbook` key"
    lines = [
        f"# {record.title}",
        "",
        f"**{record.outcome.value.upper()}**: {record.reason}",
        "",
        f"- what it means: {sections.OUTCOME_MEANING[record.outcome]}",
        f"- experiment: `{record.experiment_file}`",
        f"- run: `{record.run_id}`, exit code {record.exit_code}",
        f"- started: {record.start.isoformat(timespec='seconds')} "
        f"({record.duration:.1f} s)",
        f"- target: `{record.base_url or '-'}`",
        f"- runbook: {runbook}",
    ]
    if postmortem:
        lines.append(f"- postmortem draft: [{postmortem}]({postmortem})")
    if record.description:
        lines += ["", record.description]
    return "\n".join(lines)


def _verdicts(record: RunRecord) -> str:
    rows = [
        [f"`{row.slo}`"] + [f"**{c.status}** {c.summary}".strip() for c in row.cells]
        for row in sections.verdict_rows(record)
    ]
    plots = (
        "Per-second plots of each SLI are in the HTML report "
        "(`faultdrill report JOURNAL` writes it beside the journal)."
        if record.series
        else "This journal has no per-second series, so no plots."
    )
    return (
        "## Verdicts\n\n"
        + table(["SLO", *sections.phase_names()], rows)
        + (f"\n\n{plots}")
    )


def _spend(record: RunRecord) -> str:
    rows = [
        [
            f"`{s.slo}`",
            sections.percent(s.baseline_bad_ratio),
            sections.percent(s.during_bad_ratio),
            f"{s.burn_rate:.2f}x",
            f"{s.budget_spent_percent:.4g}%"
            + (" (estimate, 30-day window)" if s.estimated else ""),
            f"{s.bad_events} bad of {s.total_events}",
        ]
        for s in spend_rows(record)
    ]
    if not rows:
        return "## Error budget spent\n\nNo fault window was measured: nothing spent."
    header = ["SLO", "bad before", "bad during", "burn rate", "budget spent", "events"]
    return "## Error budget spent\n\n" + table(header, rows)


def _blast_radius(record: RunRecord) -> str:
    lines = sections.blast_radius_lines(record)
    if not lines:
        return "## Blast radius\n\nNo blast radius recorded."
    rows = [[f"`{key}`", value] for key, value in lines]
    return "## Blast radius\n\n" + table(["limit", "value"], rows)


def _activities(record: RunRecord) -> str:
    rows = [
        [
            a.section,
            a.name,
            f"`{a.target}` {a.arguments}",
            a.at_s,
            a.duration_s,
            a.status + (f": {a.error}" if a.error else ""),
        ]
        for a in sections.activity_rows(record)
    ]
    text = "## Actions and reverts\n\n"
    if rows:
        header = ["step", "name", "what", "at (s)", "took (s)", "status"]
        text += table(header, rows)
    else:
        text += "No action ran: nothing was injected."
    if record.reverts:
        text += "\n\nReverted by the fault ledger's safety net:\n\n"
        text += "\n".join(f"- {r.fault}: {r.outcome}" for r in record.reverts)
    return text


def _playbook(record: RunRecord) -> str:
    lines = ["## Recovery playbook", ""]
    if record.runbook:
        lines += [f"Runbook: {record.runbook}", ""]
    for number, step in enumerate(record.planned_rollbacks, start=1):
        lines.append(
            f"{number}. **{step.name}**: `{step.target}` "
            f"{sections.compact(step.arguments)}".rstrip()
        )
    count = len(record.planned_rollbacks)
    lines.append(
        f"{count + 1}. anything still recorded in the fault ledger: "
        "`faultdrill recover`"
    )
    within = record.recovery_within or "the declared time"
    lines.append(f"{count + 2}. the SLOs must be back within {within} after rollback")
    return "\n".join(lines)


def _incident(record: RunRecord) -> str:
    if record.incident is None:
        return ""
    incident = record.incident
    return (
        f"## Incident\n\n**{incident.severity}** `{incident.id}` {incident.title}"
    ).rstrip()


def _capacity(record: RunRecord) -> str:
    found = capacity_table(record.capacity)
    if found is None:
        return ""
    return "## Capacity (step test)\n\n" + table(found.columns, found.rows)


def _timeline(record: RunRecord) -> str:
    rows = [
        [
            e.at.isoformat(timespec="milliseconds"),
            f"+{record.seconds_since_start(e.at):.1f} s",
            e.message,
        ]
        for e in record.timeline
    ]
    if not rows:
        return "## Timeline\n\nNo events recorded."
    return "## Timeline\n\n" + table(["at", "since start", "event"], rows)
