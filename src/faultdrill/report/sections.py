"""What each part of a run report says, apart from how it is drawn.

The HTML and the Markdown report are two renderings of these same rows, so
they can never disagree about a figure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from faultdrill.report.record import JUDGED_PHASES, RunRecord
from faultdrill.runner.outcome import Outcome

# The outcomes a reader should be alarmed by, for styling and wording.
BAD_OUTCOMES = frozenset({Outcome.DEVIATED, Outcome.ABORTED, Outcome.NOT_REVERTED})

OUTCOME_MEANING = {
    Outcome.HELD: "every SLO of the hypothesis held before, during and after",
    Outcome.DEVIATED: "an SLO of the hypothesis broke",
    Outcome.INCONCLUSIVE: "too few samples to claim the SLOs either way",
    Outcome.REFUSED: "a gate refused to start; nothing was injected",
    Outcome.ABORTED: "stopped early and rolled back",
    Outcome.INTERRUPTED: "stopped by a signal and rolled back",
    Outcome.NOT_REVERTED: "a fault could not be reverted and may still be applied",
}


@dataclass(frozen=True)
class Cell:
    status: str  # held, deviated, inconclusive, or "not measured"
    summary: str


@dataclass(frozen=True)
class VerdictRow:
    slo: str
    cells: list[Cell]  # in JUDGED_PHASES order


@dataclass(frozen=True)
class ActivityRow:
    section: str
    name: str
    target: str
    arguments: str
    status: str
    at_s: str  # seconds since run start, or "-"
    duration_s: str
    error: str


NOT_MEASURED = "not measured"


def phase_names() -> list[str]:
    return [phase.value for phase in JUDGED_PHASES]


def verdict_rows(record: RunRecord) -> list[VerdictRow]:
    names = list(record.hypothesis)
    names += [v.slo for _, v in record.verdicts() if v.slo not in names]
    rows = []
    for slo in names:
        cells = []
        for phase in JUDGED_PHASES:
            found = record.phase(phase)
            verdict = (
                next((v for v in found.verdicts if v.slo == slo), None)
                if found
                else None
            )
            cells.append(
                Cell(verdict.status.value, verdict.summary)
                if verdict
                else Cell(NOT_MEASURED, "")
            )
        rows.append(VerdictRow(slo, cells))
    return rows


def activity_rows(record: RunRecord) -> list[ActivityRow]:
    rows = []
    for activity in record.activities:
        at = (
            f"{record.seconds_since_start(activity.start):.1f}"
            if activity.start
            else "-"
        )
        rows.append(
            ActivityRow(
                section=activity.section,
                name=activity.name,
                target=activity.target,
                arguments=compact(activity.arguments),
                status=activity.status,
                at_s=at,
                duration_s=f"{activity.duration:.3f}" if activity.duration else "-",
                error=activity.error or "",
            )
        )
    return rows


def blast_radius_lines(record: RunRecord) -> list[tuple[str, str]]:
    """``blast-radius`` flattened to (dotted key, value) pairs."""
    return _flatten(record.blast_radius, "")


def _flatten(value: Any, prefix: str) -> list[tuple[str, str]]:
    if isinstance(value, dict) and value:
        lines = []
        for key, inner in value.items():
            lines += _flatten(inner, f"{prefix}.{key}" if prefix else str(key))
        return lines
    if isinstance(value, list):
        return [(prefix, ", ".join(str(item) for item in value) or "(none)")]
    return [(prefix, str(value))]


def compact(arguments: dict[str, Any]) -> str:
    return json.dumps(arguments, sort_keys=True, default=str) if arguments else ""


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def percent(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio * 100:.3g}%"
