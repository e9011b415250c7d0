"""A journal, read into typed objects for reports.

Journals come from runs of any outcome and of older or newer versions, so
reading is lenient where a report can do without a key (the series, the
budget, the incident, a phase that never started) and strict only about
what every journal has (the experiment, the outcome). Keys written by other
parts of faultdrill that may be absent (``faultdrill.budget``,
``faultdrill.incident``, ``faultdrill.capacity``) are kept as plain data.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from faultdrill.errors import InvalidInput, Problem
from faultdrill.report.series import Series
from faultdrill.runner.outcome import Outcome, Phase
from faultdrill.slo.verdict import SloVerdict

log = logging.getLogger(__name__)

# Phases in the order they happen; the recovery phase is measured but not judged.
PHASE_ORDER = (Phase.BEFORE, Phase.DURING, Phase.RECOVERY, Phase.AFTER)
JUDGED_PHASES = (Phase.BEFORE, Phase.DURING, Phase.AFTER)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class PhaseRecord(_Frozen):
    start: datetime | None = None
    end: datetime | None = None
    duration: float | None = None
    samples: int = 0
    verdicts: list[SloVerdict] = Field(default_factory=list)


class ActivityRecord(_Frozen):
    """One method step or rollback as Chaos Toolkit ran it."""

    name: str
    kind: str  # "action" or "probe"
    section: str  # "method" or "rollbacks"
    status: str  # succeeded, failed, ...
    start: datetime | None
    end: datetime | None
    duration: float | None
    target: str  # module.func, the URL or the process path
    arguments: dict[str, Any]
    error: str | None  # the last line of the exception, if it failed


class PlannedStep(_Frozen):
    """A step the experiment declares, whether or not it ran."""

    name: str
    target: str
    arguments: dict[str, Any]


class RevertRecord(_Frozen):
    fault: str
    outcome: str


class TimelineEntry(_Frozen):
    at: datetime
    message: str


class Incident(_Frozen):
    """The incident a run opened, if any; other keys are kept in ``extra``."""

    id: str
    severity: str  # "SEV-1" .. "SEV-4"
    title: str = ""
    extra: dict[str, Any] = Field(default_factory=dict)

    @property
    def level(self) -> int | None:
        """1 for SEV-1 ... 4 for SEV-4; None if the severity is not of that form."""
        digits = "".join(ch for ch in self.severity if ch.isdigit())
        return int(digits) if digits else None


class RunRecord(_Frozen):
    """Everything a report shows about one run."""

    source: str  # where the journal was read from
    title: str
    description: str
    experiment_file: str
    run_id: str
    outcome: Outcome
    exit_code: int
    reason: str
    start: datetime
    end: datetime
    duration: float
    base_url: str
    toxiproxy_url: str | None
    runbook: str | None
    hypothesis: list[str]
    blast_radius: dict[str, Any]
    recovery_within: str | None
    planned_rollbacks: list[PlannedStep]
    phases: dict[Phase, PhaseRecord]
    activities: list[ActivityRecord]
    reverts: list[RevertRecord]
    timeline: list[TimelineEntry]
    series: Series | None
    budget: Any = None  # faultdrill.budget, shape owned by the budget ledger
    incident: Incident | None = None
    capacity: Any = None  # faultdrill.capacity, from step tests

    def phase(self, phase: Phase) -> PhaseRecord | None:
        return self.phases.get(phase)

    def verdicts(self) -> list[tuple[Phase, SloVerdict]]:
        """Every verdict, in phase order."""
        return [
            (phase, verdict)
            for phase in JUDGED_PHASES
            if (record := self.phases.get(phase)) is not None
            for verdict in record.verdicts
        ]

    def seconds_since_start(self, moment: datetime) -> float:
        return (moment - self.start).total_seconds()

    @property
    def method(self) -> list[ActivityRecord]:
        return [a for a in self.activities if a.section == "method"]

    @property
    def rollbacks(self) -> list[ActivityRecord]:
        return [a for a in self.activities if a.section == "rollbacks"]


def read_journal(path: Path) -> RunRecord:
    """Read a journal file; names the file and the fix when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput.single(
            str(path), "", f"cannot read the journal: {exc.strerror}"
        ) from exc
    except UnicodeDecodeError as exc:
        raise InvalidInput.single(
            str(path),
            f"byte {exc.start}",
            "not UTF-8 text, so not a journal; give the JSON file "
            "'faultdrill run --journal' wrote",
        ) from exc
    except json.JSONDecodeError as exc:
        raise InvalidInput.single(
            str(path), f"line {exc.lineno}", f"not JSON ({exc.msg}); give a journal"
        ) from exc
    return parse_journal(data, str(path))


def parse_journal(data: Any, source: str = "(journal)") -> RunRecord:
    """A run record from a journal's JSON data."""
    if not isinstance(data, dict) or not isinstance(data.get("faultdrill"), dict):
        raise InvalidInput.single(
            source,
            "faultdrill",
            "missing: not a faultdrill journal (write one with "
            "'faultdrill run FILE --journal PATH')",
        )
    misshapen = _misshapen(data, source)
    if misshapen:
        raise InvalidInput(misshapen)
    try:
        return _record(data, source)
    except ValidationError as exc:
        raise InvalidInput(
            [
                Problem(source, ".".join(str(p) for p in error["loc"]), error["msg"])
                for error in exc.errors()
            ]
        ) from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidInput.single(
            source,
            "faultdrill",
            f"unreadable journal ({exc!r}); give a journal as "
            "'faultdrill run --journal' wrote it",
        ) from exc


# Where a journal holds objects and lists; "*" is every item of a list or
# every value of an object.
_SHAPE: tuple[tuple[tuple[str, ...], type], ...] = (
    (("experiment",), dict),
    (("experiment", "slo"), dict),
    (("experiment", "method"), list),
    (("experiment", "rollbacks"), list),
    (("experiment", "method", "*"), dict),
    (("experiment", "rollbacks", "*"), dict),
    (("faultdrill", "phases"), dict),
    (("faultdrill", "phases", "*"), dict),
    (("faultdrill", "reverts"), list),
    (("faultdrill", "timeline"), list),
    (("run",), list),
    (("run", "*"), dict),
    (("run", "*", "activity"), dict),
    (("run", "*", "activity", "provider"), dict),
    (("rollbacks",), list),
    (("rollbacks", "*"), dict),
    (("rollbacks", "*", "activity"), dict),
    (("rollbacks", "*", "activity", "provider"), dict),
)
_KIND: dict[type, str] = {dict: "an object", list: "a list"}


def _misshapen(data: dict[str, Any], source: str) -> list[Problem]:
    """Parts of the journal that are not the object or list a journal has there."""
    problems = []
    for path, kind in _SHAPE:
        for where, value in _at(data, path, ""):
            if value is not None and not isinstance(value, kind):
                problems.append(
                    Problem(
                        source,
                        where,
                        f"is {type(value).__name__}, where a journal has "
                        f"{_KIND[kind]}; give a journal as 'faultdrill run "
                        "--journal' wrote it",
                    )
                )
    return problems


def _at(value: Any, path: tuple[str, ...], where: str) -> list[tuple[str, Any]]:
    """Every value at ``path`` below ``value``, with its field path."""
    if not path:
        return [(where, value)]
    head, rest = path[0], path[1:]
    if head == "*":
        found = []
        if isinstance(value, list):
            for index, item in enumerate(value):
                found += _at(item, rest, f"{where}[{index}]")
        elif isinstance(value, dict):
            for key, item in value.items():
                found += _at(item, rest, f"{where}.{key}")
        return found
    if not isinstance(value, dict) or head not in value:
        return []
    return _at(value[head], rest, f"{where}.{head}" if where else head)


def _record(data: dict[str, Any], source: str) -> RunRecord:
    ours: dict[str, Any] = data["faultdrill"]
    experiment: dict[str, Any] = data.get("experiment") or {}
    slo = experiment.get("slo") or {}
    return RunRecord.model_validate(
        {
            "source": source,
            "title": experiment.get("title", "(untitled experiment)"),
            "description": str(experiment.get("description", "")).strip(),
            "experiment_file": ours.get("experiment_file", ""),
            "run_id": ours.get("run_id", ""),
            "outcome": ours["outcome"],
            "exit_code": ours.get("exit_code", -1),
            "reason": ours.get("reason", ""),
            "start": data["start"],
            "end": data.get("end") or data["start"],
            "duration": data.get("duration") or 0.0,
            "base_url": ours.get("base_url", ""),
            "toxiproxy_url": ours.get("toxiproxy_url"),
            "runbook": experiment.get("runbook"),
            "hypothesis": list(slo.get("hypothesis") or []),
            "blast_radius": experiment.get("blast-radius") or {},
            "recovery_within": _text(slo.get("recovery-within")),
            "planned_rollbacks": _planned(experiment, "rollbacks"),
            "phases": _phases(ours.get("phases") or {}),
            "activities": _activities(data),
            "reverts": ours.get("reverts") or [],
            "timeline": ours.get("timeline") or [],
            "series": ours.get("series"),
            "budget": ours.get("budget"),
            "incident": _incident(ours.get("incident")),
            "capacity": ours.get("capacity"),
        }
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _phases(raw: dict[str, Any]) -> dict[str, Any]:
    known = {phase.value for phase in Phase}
    unknown = sorted(set(raw) - known)
    if unknown:
        log.debug("journal phases not shown: %s", ", ".join(unknown))
    return {name: value for name, value in raw.items() if name in known}


def _activities(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        _activity(run, section)
        for section, key in (("method", "run"), ("rollbacks", "rollbacks"))
        for run in data.get(key) or []
    ]


def _activity(run: dict[str, Any], section: str) -> dict[str, Any]:
    activity = run.get("activity") or {}
    provider = activity.get("provider") or {}
    exception = run.get("exception") or []
    return {
        "name": activity.get("name", "(unnamed)"),
        "kind": activity.get("type", "action"),
        "section": section,
        "status": run.get("status", "unknown"),
        "start": run.get("start"),
        "end": run.get("end"),
        "duration": run.get("duration"),
        "target": _target(provider),
        "arguments": provider.get("arguments") or {},
        "error": str(exception[-1]).strip() if exception else None,
    }


def _planned(experiment: dict[str, Any], section: str) -> list[dict[str, Any]]:
    inline = _inline_activities(experiment)
    steps = []
    for step in experiment.get(section) or []:
        activity = inline.get(step["ref"], {}) if "ref" in step else step
        provider = activity.get("provider") or {}
        steps.append(
            {
                "name": activity.get("name", step.get("ref", "(unnamed)")),
                "target": _target(provider),
                "arguments": provider.get("arguments") or {},
            }
        )
    return steps


def _inline_activities(experiment: dict[str, Any]) -> dict[str, dict[str, Any]]:
    hypothesis = experiment.get("steady-state-hypothesis") or {}
    steps = [
        *(hypothesis.get("probes") or []),
        *(experiment.get("method") or []),
        *(experiment.get("rollbacks") or []),
    ]
    return {s["name"]: s for s in steps if "name" in s and "provider" in s}


def _target(provider: dict[str, Any]) -> str:
    kind = provider.get("type")
    if kind == "python":
        return f"{provider.get('module', '?')}.{provider.get('func', '?')}"
    if kind == "http":
        return str(provider.get("url", "?"))
    return str(provider.get("path", kind or "?"))


def _incident(raw: Any) -> dict[str, Any] | None:
    if not isinstance(raw, dict) or "severity" not in raw:
        return None
    extra = {k: v for k, v in raw.items() if k not in ("id", "severity", "title")}
    return {
        "id": str(raw.get("id", "(no id)")),
        "severity": str(raw["severity"]),
        "title": str(raw.get("title", "")),
        "extra": extra,
    }
