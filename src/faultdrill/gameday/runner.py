"""A game day: the plan's experiments in order, the gate between them.

    for each experiment not yet done:
        gate_check(step) ── reasons ──► stop: the rest is not run
        launcher(file, journal) ──► exit code, journal
        SEV-1 incident or a stop outcome ──► stop
    summary

State is saved after every step (faultdrill.gameday.state), so running the
same plan into the same directory again resumes where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from faultdrill.errors import FaultdrillError, InvalidInput
from faultdrill.exitcodes import ExitCode, for_outcome
from faultdrill.gameday.launch import Launcher
from faultdrill.gameday.plan import GameDayPlan, PlannedExperiment
from faultdrill.gameday.state import (
    GameDayState,
    StepState,
    StepStatus,
    load_state,
)
from faultdrill.report.record import RunRecord, read_journal
from faultdrill.runner.outcome import Outcome

log = logging.getLogger(__name__)

# Reasons the gate gives for not starting a step; empty means go ahead.
GateCheck = Callable[[PlannedExperiment], Sequence[str]]


def no_gate(step: PlannedExperiment) -> Sequence[str]:
    """Let every step start; each run still applies its own gate."""
    return ()


# The game day's exit code is that of its worst outcome the plan did not
# expect, in this order of badness.
_WORST_FIRST = (
    Outcome.NOT_REVERTED,
    Outcome.INTERRUPTED,
    Outcome.ABORTED,
    Outcome.DEVIATED,
    Outcome.REFUSED,
    Outcome.INCONCLUSIVE,
    Outcome.HELD,
)


@dataclass(frozen=True)
class GameDayResult:
    state: GameDayState
    records: list[RunRecord]  # of the steps that ran, in plan order
    exit_code: ExitCode


class GameDay:
    def __init__(
        self,
        plan: GameDayPlan,
        directory: Path,
        launcher: Launcher,
        gate_check: GateCheck = no_gate,
        fresh: bool = False,
    ) -> None:
        self.plan = plan
        self.directory = directory
        self.launcher = launcher
        self.gate_check = gate_check
        self.state = self._initial_state(fresh)
        self.ran: list[str] = []  # journals written by this invocation

    # --- the whole game day ----------------------------------------------

    def run(self) -> GameDayResult:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.state.stopped = ""
        self.state.save(self.directory)
        for planned, step in zip(self.plan.steps, self.state.steps, strict=True):
            if step.status is StepStatus.DONE:
                log.info("%s: done in an earlier attempt, not run again", step.name)
                continue
            stop = self._gate(planned, step) or self._run_step(planned, step)
            if stop:
                self._stop(stop)
                break
        return self.result()

    def result(self) -> GameDayResult:
        records = self._records()
        return GameDayResult(self.state, records, self._exit_code())

    # --- steps -----------------------------------------------------------

    def _gate(self, planned: PlannedExperiment, step: StepState) -> str:
        reasons = list(self.gate_check(planned))
        if not reasons:
            return ""
        step.status = StepStatus.NOT_RUN
        step.note = "gate refused: " + "; ".join(reasons)
        self.state.save(self.directory)
        return f"the gate refused {step.name}: {'; '.join(reasons)}"

    def _run_step(self, planned: PlannedExperiment, step: StepState) -> str:
        journal = self.directory / f"{planned.index + 1:02d}-{step.name}.json"
        step.status, step.journal = StepStatus.RUNNING, journal.name
        step.attempts += 1
        step.note = ""
        self.state.save(self.directory)
        log.info("game day %s: running %s", self.plan.name, planned.path.name)
        try:
            code = self.launcher(planned.path, journal)
            self.ran.append(journal.name)
        except BaseException:
            self._mark_interrupted(step, "the game day was interrupted")
            raise
        return self._finish(step, journal, code)

    def _finish(self, step: StepState, journal: Path, code: int) -> str:
        step.exit_code = code
        record = _read(journal)
        if record is None:
            step.status, step.note = StepStatus.FAILED, f"no journal (exit code {code})"
            self.state.save(self.directory)
            return f"{step.name} ended without a journal (exit code {code})"
        step.outcome = record.outcome.value
        if record.outcome is Outcome.INTERRUPTED:
            self._mark_interrupted(step, record.reason)
        else:
            step.status = StepStatus.DONE
            self.state.save(self.directory)
        return self._stop_reason(step, record)

    def _stop_reason(self, step: StepState, record: RunRecord) -> str:
        rules = self.plan.model.stop_on
        incident = record.incident
        if incident is not None and incident.severity in rules.severities:
            return f"{step.name} opened {incident.severity} incident {incident.id}"
        if record.outcome in rules.outcomes:
            return f"{step.name} ended {record.outcome.value}: {record.reason}"
        return ""

    def _mark_interrupted(self, step: StepState, note: str) -> None:
        step.status, step.note = StepStatus.INTERRUPTED, note
        self.state.save(self.directory)

    def _stop(self, reason: str) -> None:
        log.warning("game day %s stopped: %s", self.plan.name, reason)
        self.state.stopped = reason
        for step in self.state.steps:
            if step.status is StepStatus.PENDING:
                step.status, step.note = StepStatus.NOT_RUN, f"stopped: {reason}"
        self.state.save(self.directory)

    # --- state -----------------------------------------------------------

    def _initial_state(self, fresh: bool) -> GameDayState:
        found = None if fresh else load_state(self.directory)
        if found is None:
            return self._new_state()
        if found.plan_digest != self.plan.digest:
            raise InvalidInput.single(
                str(self.directory),
                "gameday-state.json",
                f"holds a game day of a different version of {self.plan.source}; "
                "pass --fresh to start over, or a new --out directory",
            )
        for step in found.steps:
            if step.status is not StepStatus.DONE:
                step.status = StepStatus.PENDING
        return found

    def _new_state(self) -> GameDayState:
        return GameDayState(
            plan=str(self.plan.source),
            plan_digest=self.plan.digest,
            name=self.plan.name,
            steps=[
                StepState(
                    index=s.index,
                    name=s.name,
                    file=str(s.path),
                    expect=[outcome.value for outcome in s.expect],
                )
                for s in self.plan.steps
            ],
        )

    def _records(self) -> list[RunRecord]:
        records = []
        for step in self.state.steps:
            if step.journal and step.outcome:
                record = _read(self.directory / step.journal)
                if record is not None:
                    records.append(record)
        return records

    def _exit_code(self) -> ExitCode:
        statuses = {s.status for s in self.state.steps}
        if StepStatus.INTERRUPTED in statuses:
            return ExitCode.INTERRUPTED
        if StepStatus.FAILED in statuses:
            return ExitCode.INTERNAL_ERROR
        outcomes = {_counted(step) for step in self.state.steps if step.outcome}
        gate_refused = any(s.note.startswith("gate refused") for s in self.state.steps)
        if gate_refused:
            outcomes.add(Outcome.REFUSED)
        worst = next((o for o in _WORST_FIRST if o in outcomes), Outcome.HELD)
        return for_outcome(worst)


def _counted(step: StepState) -> Outcome:
    """The outcome a step adds to the game day's exit code.

    An outcome the plan expects counts as held: a game day that sets out to
    show a fault breaking an SLO succeeds when it breaks it. A step that held
    when the plan expected it to break counts as deviated: the game day's
    own hypothesis did not hold.
    """
    outcome = Outcome(step.outcome or Outcome.HELD)
    if step.as_expected:
        return Outcome.HELD
    return Outcome.DEVIATED if outcome is Outcome.HELD else outcome


def _read(journal: Path) -> RunRecord | None:
    if not journal.exists():
        return None
    try:
        return read_journal(journal)
    except FaultdrillError as exc:
        log.error("the journal %s is unreadable: %s", journal, exc)
        return None
