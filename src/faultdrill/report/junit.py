"""JUnit XML: one test suite per experiment, one test case per SLO and phase.

CI systems read JUnit files to show what failed; the exit code decides the
build. Each suite holds, in this order:

    <slo> before|during|after    held: passes; deviated: <failure>;
                                 inconclusive: <skipped> (never a pass);
                                 phase not reached: <skipped> with the reason
    rollback                     <failure> if a rollback or revert failed;
                                 <skipped> when nothing was injected
    outcome                      the run's outcome; refused, aborted and
                                 interrupted runs are <error>s

A game day may plan an experiment to deviate or abort (its ``expect``): such
a run, when it ends as planned, passes, its deviations noted in
<system-out>; one that held when the plan expected otherwise fails its
outcome case.

so the same experiment always yields the same case names, run after run.
The attributes follow the JUnit schema Jenkins and GitLab read (testsuites >
testsuite > testcase with failure, error or skipped).
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from faultdrill.report.record import JUDGED_PHASES, RunRecord, parse_journal
from faultdrill.report.write import DEFAULT_OPTION, write_text
from faultdrill.runner.outcome import Outcome, Phase
from faultdrill.slo.verdict import SloVerdict, VerdictStatus

log = logging.getLogger(__name__)

SUITES_NAME = "faultdrill"


@dataclass(frozen=True)
class NotRun:
    """An experiment of a game day that never started, and why."""

    experiment_file: str
    reason: str


def write_junit(
    journals: Sequence[dict[str, Any]],
    path: Path,
    not_run: Sequence[NotRun] = (),
) -> None:
    """Write the JUnit file of ``journals`` (parsed journal JSON) atomically."""
    records = [parse_journal(journal) for journal in journals]
    write_junit_records(records, path, not_run)


def write_junit_records(
    records: Sequence[RunRecord],
    path: Path,
    not_run: Sequence[NotRun] = (),
    option: str = DEFAULT_OPTION,
    expected: Mapping[str, Collection[Outcome]] | None = None,
) -> None:
    """Write JUnit XML; ``option`` names where ``path`` came from in errors.

    ``expected``: by journal (``RunRecord.source``), the outcomes a game-day
    plan expects of that run; held where not given.
    """
    write_text(path, junit_xml(records, not_run, expected), option)
    log.debug("JUnit report: %s", path)


def junit_xml(
    records: Sequence[RunRecord],
    not_run: Sequence[NotRun] = (),
    expected: Mapping[str, Collection[Outcome]] | None = None,
) -> str:
    root = ET.Element("testsuites", name=SUITES_NAME)
    suites = [
        _suite(record, (expected or {}).get(record.source, (Outcome.HELD,)))
        for record in records
    ]
    suites += [_not_run_suite(item) for item in not_run]
    root.extend(suites)
    _count_into(root, suites)
    root.set("time", _seconds(sum(float(s.get("time", "0")) for s in suites)))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


# --- one experiment -----------------------------------------------------------


def _suite(record: RunRecord, expected: Collection[Outcome]) -> ET.Element:
    suite = ET.Element(
        "testsuite",
        name=record.title,
        timestamp=_utc(record.start),
        time=_seconds(record.duration),
        file=record.experiment_file,
    )
    suite.append(_properties(record))
    as_planned = record.outcome in expected
    cases = [
        *_slo_cases(record, as_planned),
        _rollback_case(record),
        _outcome_case(record, expected),
    ]
    suite.extend(cases)
    _count_into(suite, cases)
    return suite


def _properties(record: RunRecord) -> ET.Element:
    properties = ET.Element("properties")
    values = {
        "run_id": record.run_id,
        "outcome": record.outcome.value,
        "exit_code": str(record.exit_code),
        "journal": record.source,
        "runbook": record.runbook or "",
    }
    for name, value in values.items():
        ET.SubElement(properties, "property", name=name, value=value)
    return properties


def _slo_cases(record: RunRecord, as_planned: bool) -> list[ET.Element]:
    cases = []
    for slo in _slo_names(record):
        for phase in JUDGED_PHASES:
            cases.append(_slo_case(record, slo, phase, as_planned))
    return cases


def _slo_names(record: RunRecord) -> list[str]:
    names = list(record.hypothesis)
    for _, verdict in record.verdicts():
        if verdict.slo not in names:
            names.append(verdict.slo)
    return names


def _slo_case(
    record: RunRecord, slo: str, phase: Phase, as_planned: bool
) -> ET.Element:
    phase_record = record.phase(phase)
    seconds = phase_record.duration if phase_record else None
    case = _case(record, f"{slo} {phase.value}", seconds)
    verdict = _verdict_of(record, slo, phase)
    if verdict is None:
        ET.SubElement(case, "skipped", message=_not_reached(record, phase))
        return case
    detail = _verdict_detail(verdict)
    if verdict.status is VerdictStatus.DEVIATED and not as_planned:
        failure = ET.SubElement(
            case, "failure", message=verdict.summary, type="deviated"
        )
        failure.text = detail
        return case
    if verdict.status is VerdictStatus.DEVIATED:
        detail = f"deviated, as the game-day plan expects\n{detail}"
    if verdict.status is VerdictStatus.INCONCLUSIVE:
        ET.SubElement(case, "skipped", message=f"inconclusive: {verdict.summary}")
    ET.SubElement(case, "system-out").text = detail
    return case


def _verdict_of(record: RunRecord, slo: str, phase: Phase) -> SloVerdict | None:
    phase_record = record.phase(phase)
    if phase_record is None:
        return None
    return next((v for v in phase_record.verdicts if v.slo == slo), None)


def _not_reached(record: RunRecord, phase: Phase) -> str:
    return f"{phase.value} not measured: the run ended {record.outcome.value}"


def _verdict_detail(verdict: SloVerdict) -> str:
    lines = [
        f"{verdict.slo}: {verdict.status.value}",
        verdict.summary,
        f"events: {verdict.total} total, {verdict.good} good, {verdict.bad} bad",
    ]
    if verdict.statuses:
        lines.append(f"HTTP statuses: {_counts(verdict.statuses)}")
    if verdict.errors:
        lines.append(f"errors: {_counts(verdict.errors)}")
    return "\n".join(lines)


def _counts(counts: dict[Any, int]) -> str:
    return ", ".join(f"{key} x{count}" for key, count in counts.items())


def _rollback_case(record: RunRecord) -> ET.Element:
    steps = record.rollbacks
    case = _case(record, "rollback", sum(a.duration or 0.0 for a in steps))
    failed = [a.name for a in steps if a.status != "succeeded"]
    failed += [r.fault for r in record.reverts if r.outcome.startswith("failed")]
    if failed:
        failure = ET.SubElement(
            case,
            "failure",
            message=f"not rolled back: {', '.join(failed)}",
            type="rollback",
        )
        failure.text = "run 'faultdrill recover' to revert what is left"
    elif not steps and not record.method:
        ET.SubElement(case, "skipped", message="nothing was injected")
    return case


def _outcome_case(record: RunRecord, expected: Collection[Outcome]) -> ET.Element:
    case = _case(record, "outcome", record.duration)
    outcome = record.outcome
    message = f"{outcome.value}: {record.reason}"
    if outcome in expected:
        if outcome is not Outcome.HELD:
            message = f"{outcome.value}, as the game-day plan expects: {record.reason}"
    elif outcome is Outcome.HELD:
        planned = " or ".join(value.value for value in expected)
        message = f"held, but the game-day plan expects {planned}: {record.reason}"
        ET.SubElement(case, "failure", message=message, type="not-as-planned")
    elif outcome is Outcome.DEVIATED:
        ET.SubElement(case, "failure", message=message, type="deviated")
    elif outcome is Outcome.INCONCLUSIVE:
        ET.SubElement(case, "skipped", message=message)
    else:
        ET.SubElement(case, "error", message=message, type=outcome.value)
    ET.SubElement(case, "system-out").text = message
    return case


def _case(record: RunRecord, name: str, seconds: float | None) -> ET.Element:
    return ET.Element(
        "testcase",
        name=name,
        classname=_classname(record.experiment_file or record.title),
        time=_seconds(seconds or 0.0),
    )


def _classname(experiment: str) -> str:
    stem = Path(experiment).stem if experiment else "experiment"
    return f"{SUITES_NAME}.{stem}"


# --- experiments that never ran -----------------------------------------------


def _not_run_suite(item: NotRun) -> ET.Element:
    suite = ET.Element(
        "testsuite", name=item.experiment_file, time="0", file=item.experiment_file
    )
    case = ET.SubElement(
        suite,
        "testcase",
        name="outcome",
        classname=_classname(item.experiment_file),
        time="0",
    )
    ET.SubElement(case, "skipped", message=f"not run: {item.reason}")
    _count_into(suite, [case])
    return suite


# --- counting -----------------------------------------------------------------


def _count_into(parent: ET.Element, children: Iterable[ET.Element]) -> None:
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for child in children:
        if child.tag == "testcase":
            totals["tests"] += 1
            for kind, key in (
                ("failure", "failures"),
                ("error", "errors"),
                ("skipped", "skipped"),
            ):
                totals[key] += child.find(kind) is not None
        else:
            for key in totals:
                totals[key] += int(child.get(key, "0"))
    for key, value in totals.items():
        parent.set(key, str(value))


def _utc(moment: datetime) -> str:
    # The JUnit schema's timestamp has no zone: write UTC, without the offset.
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def _seconds(value: float) -> str:
    return f"{value:.3f}"
