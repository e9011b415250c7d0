"""The one summary report of a game day, in Markdown and HTML.

A row per planned experiment: its outcome, why, and links to its own
reports (written beside its journal by ``faultdrill report``'s renderers).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, StrictUndefined

from faultdrill.gameday.state import GameDayState, StepState, StepStatus
from faultdrill.report.html_template import STYLE
from faultdrill.report.markdown import table
from faultdrill.report.record import RunRecord


@dataclass(frozen=True)
class SummaryRow:
    number: int
    name: str
    file: str
    status: str  # the outcome if it ran, else the step status
    expected: str  # what the plan expects, and whether it came true
    reason: str
    report: str | None  # the experiment's HTML report, relative to the summary
    postmortem: str | None
    incident: str


def summary_rows(
    state: GameDayState, records: dict[str, RunRecord], directory: Path
) -> list[SummaryRow]:
    rows = []
    for step in state.steps:
        record = records.get(step.journal or "")
        report = Path(step.journal).with_suffix(".html").name if step.journal else None
        postmortem = (
            f"{Path(step.journal).stem}-postmortem.md" if step.journal else None
        )
        rows.append(
            SummaryRow(
                number=step.index + 1,
                name=step.name,
                file=step.file,
                status=record.outcome.value if record else step.status.value,
                expected=_expected(step),
                reason=record.reason if record else step.note,
                report=report if report and (directory / report).exists() else None,
                postmortem=(
                    postmortem
                    if postmortem and (directory / postmortem).exists()
                    else None
                ),
                incident=(
                    f"{record.incident.severity} {record.incident.id}"
                    if record and record.incident
                    else ""
                ),
            )
        )
    return rows


def _expected(step: StepState) -> str:
    planned = " or ".join(step.expect)
    if step.as_expected is None:
        return planned
    return f"{planned}: {'as planned' if step.as_expected else 'NOT as planned'}"


def _verdict_line(state: GameDayState, exit_code: int) -> str:
    done = sum(1 for s in state.steps if s.status is StepStatus.DONE)
    line = f"{done} of {len(state.steps)} experiments completed"
    unplanned = sum(1 for s in state.steps if s.as_expected is False)
    if unplanned:
        line += f", {unplanned} not as planned"
    line += f"; exit code {exit_code}."
    if state.stopped:
        line += f" Stopped early: {state.stopped}."
    return line


def render_summary_markdown(
    state: GameDayState, rows: list[SummaryRow], exit_code: int
) -> str:
    lines = [f"# Game day: {state.name}", "", _verdict_line(state, exit_code), ""]
    body = [
        [
            str(row.number),
            row.name,
            f"**{row.status}**",
            row.expected,
            row.incident,
            row.reason,
            " ".join(
                f"[{label}]({target})"
                for label, target in (
                    ("report", row.report),
                    ("postmortem", row.postmortem),
                )
                if target
            ),
        ]
        for row in rows
    ]
    header = ["#", "experiment", "outcome", "expected", "incident", "why", "reports"]
    lines.append(table(header, body))
    lines += ["", f"Plan: `{state.plan}`"]
    return "\n".join(lines) + "\n"


_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Game day: {{ state.name }}</title><style>{{ style }}</style></head>
<body>
<h1>Game day: {{ state.name }}</h1>
<p>{{ verdict }}</p>
<table>
<tr><th>#</th><th>experiment</th><th>outcome</th><th>expected</th>
<th>incident</th><th>why</th>
<th>reports</th></tr>
{% for row in rows %}<tr><td>{{ row.number }}</td><td>{{ row.name }}<br>
<code>{{ row.file }}</code></td>
<td><span class="badge {{ row.status }}">{{ row.status }}</span></td>
<td>{{ row.expected }}</td><td>{{ row.incident }}</td><td>{{ row.reason }}</td><td>
{% if row.report %}<a href="{{ row.report }}">report</a>{% endif %}
{% if row.postmortem %}<a href="{{ row.postmortem }}">postmortem</a>{% endif %}
</td></tr>{% endfor %}
</table>
<p class="note">Plan: <code>{{ state.plan }}</code></p>
</body></html>
"""


def render_summary_html(
    state: GameDayState, rows: list[SummaryRow], exit_code: int
) -> str:
    template = Environment(autoescape=True, undefined=StrictUndefined).from_string(
        _TEMPLATE
    )
    return template.render(
        state=state, rows=rows, style=STYLE, verdict=_verdict_line(state, exit_code)
    )
