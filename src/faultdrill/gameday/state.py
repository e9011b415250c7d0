"""What a game day has done so far, on disk, so that it can resume.

The state file sits in the game day's output directory, next to the
journals. It is rewritten atomically after every change, so a game day
killed at any point leaves a state that says exactly which experiments
completed. An experiment marked ``running`` when the state is read again
was cut short: it is run again on resume (its own rollback, or
``faultdrill recover``, has put its faults back).
"""

from __future__ import annotations

import enum
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from faultdrill.errors import InvalidInput
from faultdrill.report.write import write_text

STATE_FILE = "gameday-state.json"


class StepStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"  # ran to an outcome that counts; not run again on resume
    INTERRUPTED = "interrupted"  # run again on resume
    FAILED = "failed"  # ended without a journal (a crash); run again on resume
    NOT_RUN = "not-run"  # the game day stopped before it (gate, SEV-1)


class StepState(BaseModel):
    model_config = ConfigDict(validate_assignment=True)

    index: int
    name: str
    file: str
    status: StepStatus = StepStatus.PENDING
    journal: str | None = None
    outcome: str | None = None
    exit_code: int | None = None
    note: str = ""  # why it was not run, or what went wrong
    attempts: int = 0
    expect: list[str] = ["held"]  # the outcomes the plan means it to have

    @property
    def as_expected(self) -> bool | None:
        """Whether it ended as planned; None while it has no outcome."""
        return None if self.outcome is None else self.outcome in self.expect


class GameDayState(BaseModel):
    model_config = ConfigDict(validate_assignment=True)

    plan: str
    plan_digest: str
    name: str
    steps: list[StepState]
    stopped: str = ""  # why the game day stopped early, if it did

    @property
    def complete(self) -> bool:
        return all(
            s.status in (StepStatus.DONE, StepStatus.NOT_RUN) for s in self.steps
        )

    def save(self, directory: Path) -> None:
        write_text(directory / STATE_FILE, self.model_dump_json(indent=2) + "\n")


def load_state(directory: Path) -> GameDayState | None:
    path = directory / STATE_FILE
    if not path.exists():
        return None
    try:
        return GameDayState.model_validate(json.loads(path.read_text("utf-8")))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise InvalidInput.single(
            str(path),
            "",
            f"unreadable game-day state ({exc.__class__.__name__}); delete it or "
            "pass --fresh to start the game day over",
        ) from exc
