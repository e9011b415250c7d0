"""The game-day plan file: which experiments, in which order, when to stop.

    name: sandbox-weekly
    description: Latency faults on the catalog, mild then breaking.
    stop-on:
      severities: [SEV-1]        # default: a SEV-1 stops the game day
      outcomes: [interrupted]    # default: so does Ctrl-C or SIGTERM
    experiments:
      - file: ../experiments/api-latency-absorbed.yaml
      - file: ../experiments/api-latency-breaks-p95.yaml
        expect: deviated         # default: held

Experiment paths are relative to the plan file. ``expect`` names the
outcome (or outcomes) a step is meant to have: a game day that sets out to
show that a fault breaks an SLO succeeds when it does.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from faultdrill.errors import InvalidInput, Problem
from faultdrill.incidents.model import Severity, SeverityName
from faultdrill.runner.outcome import Outcome
from faultdrill.validation import FileModel, parse_model, read_document

_Strict = FileModel


class StopRules(_Strict):
    """What ends a game day early; the rest of the plan is not run."""

    # DESIGN.md: a SEV-1 is a complete outage or broken auth; nothing more
    # should be injected until it is understood.
    severities: list[SeverityName] = Field(default_factory=lambda: [Severity.SEV1])
    # An interrupted game day stops where it is, to be resumed later.
    outcomes: list[Outcome] = Field(
        default_factory=lambda: [Outcome.INTERRUPTED, Outcome.NOT_REVERTED]
    )


# Outcomes a step may be planned to have. Refused and interrupted are never
# the point of an experiment: they say it did not run as planned.
ExpectableOutcome = Literal["held", "deviated", "aborted", "inconclusive"]


def _held() -> list[ExpectableOutcome]:
    return ["held"]


# A step's name becomes part of its journal's and reports' file names.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class PlanStep(_Strict):
    file: str = Field(min_length=1)
    name: str | None = None
    expect: list[ExpectableOutcome] = Field(default_factory=_held)

    @field_validator("name")
    @classmethod
    def _plain(cls, value: str | None) -> str | None:
        if value is not None and not _PLAIN_NAME.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a plain name; use letters, digits, '.', '-' "
                "and '_' (it names the step's journal and report files)"
            )
        return value

    @field_validator("expect", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("expect")
    @classmethod
    def _not_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("name at least one outcome, or leave expect out (held)")
        return value


class PlanFile(_Strict):
    name: str = Field(min_length=1)
    description: str = ""
    stop_on: StopRules = Field(default_factory=StopRules)
    experiments: list[PlanStep] = Field(min_length=1)


@dataclass(frozen=True)
class PlannedExperiment:
    """One step of a loaded plan, with its file resolved."""

    index: int
    path: Path
    name: str
    expect: tuple[Outcome, ...] = (Outcome.HELD,)

    def expects(self, outcome: Outcome) -> bool:
        return outcome in self.expect


@dataclass(frozen=True)
class GameDayPlan:
    source: Path
    model: PlanFile
    steps: tuple[PlannedExperiment, ...]
    digest: str  # of the plan file's bytes: a resumed plan must be the same

    @property
    def name(self) -> str:
        return self.model.name


def load_plan(path: Path) -> GameDayPlan:
    """Read and check a plan; every missing experiment file is listed."""
    model = parse_model(PlanFile, read_document(path), str(path))
    steps = tuple(
        _step(path, index, step) for index, step in enumerate(model.experiments)
    )
    missing = [
        Problem(str(path), f"experiments[{s.index}].file", f"no such file: {s.path}")
        for s in steps
        if not s.path.is_file()
    ]
    if missing:
        raise InvalidInput(missing)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return GameDayPlan(path, model, steps, digest)


def _step(plan: Path, index: int, step: PlanStep) -> PlannedExperiment:
    resolved = (plan.parent / step.file).resolve()
    expect = tuple(Outcome(value) for value in step.expect)
    return PlannedExperiment(index, resolved, step.name or resolved.stem, expect)
