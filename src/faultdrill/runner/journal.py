"""The journal: what happened, in Chaos Toolkit's journal shape plus ours.

Top-level keys follow Chaos Toolkit's journal (``chaoslib-version``,
``experiment``, ``start``, ``end``, ``duration``, ``status``, ``deviated``,
``steady_states``, ``run``, ``rollbacks``) so existing tools read it; the
``faultdrill`` key holds the SLO measurements of each phase, the faults and
their reverts, and the outcome.
"""

from __future__ import annotations

import copy
import json
import os
import platform
import socket
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chaoslib import __version__ as chaoslib_version

from faultdrill import __version__
from faultdrill.runner.outcome import Outcome, Phase
from faultdrill.runner.redact import mask

REDACTED = "***"

# Chaos Toolkit's journal statuses, from our outcomes.
_CTK_STATUS = {
    Outcome.HELD: "completed",
    Outcome.DEVIATED: "completed",
    Outcome.INCONCLUSIVE: "completed",
    Outcome.REFUSED: "failed",
    Outcome.ABORTED: "aborted",
    Outcome.INTERRUPTED: "interrupted",
    Outcome.NOT_REVERTED: "failed",
}


def _stamp(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).isoformat()


@dataclass
class PhaseRecord:
    phase: Phase
    start: float
    end: float | None = None
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    samples: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "start": _stamp(self.start),
            "end": _stamp(self.end) if self.end else None,
            "duration": round(self.end - self.start, 3) if self.end else None,
            "samples": self.samples,
            "verdicts": self.verdicts,
        }


@dataclass
class Journal:
    """Accumulates one run's record; written atomically at the end."""

    run_id: str
    experiment_file: str
    document: dict[str, Any]
    start: float
    base_url: str = ""
    toxiproxy_url: str | None = None
    phases: list[PhaseRecord] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    rollbacks: list[dict[str, Any]] = field(default_factory=list)
    ctk_steady_states: dict[str, Any] = field(default_factory=dict)
    reverts: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    guard: dict[str, Any] | None = None
    series: dict[str, Any] | None = None
    gate: dict[str, Any] | None = None
    budget: list[dict[str, Any]] | None = None
    incident: dict[str, Any] | None = None
    capacity: dict[str, Any] | None = None
    rate_limit: dict[str, Any] | None = None
    secret_values: list[str] = field(default_factory=list)
    outcome: Outcome | None = None
    reason: str = ""
    end: float | None = None

    def event(self, when: float, message: str) -> None:
        """A timeline entry people read: phase changes, faults, aborts."""
        self.events.append({"at": _stamp(when), "message": message})

    def as_json(self, exit_code: int) -> dict[str, Any]:
        """The journal's JSON data, every secret value masked."""
        data: dict[str, Any] = mask(self._data(exit_code), self.secret_values)
        return data

    def _data(self, exit_code: int) -> dict[str, Any]:
        outcome = self.outcome or Outcome.ABORTED
        end = self.end or self.start
        return {
            "chaoslib-version": chaoslib_version,
            "platform": platform.platform(),
            "node": socket.gethostname(),
            "experiment": redact_secrets(self.document),
            "start": _stamp(self.start),
            "end": _stamp(end),
            "duration": round(end - self.start, 3),
            "status": _CTK_STATUS[outcome],
            "deviated": outcome is Outcome.DEVIATED,
            "steady_states": {
                "before": self.ctk_steady_states.get("before"),
                "after": self.ctk_steady_states.get("after"),
                "during": [],
            },
            "run": self.runs,
            "rollbacks": self.rollbacks,
            "faultdrill": {
                "version": __version__,
                "run_id": self.run_id,
                "experiment_file": self.experiment_file,
                "outcome": outcome.value,
                "exit_code": exit_code,
                "reason": self.reason,
                "base_url": self.base_url,
                "toxiproxy_url": self.toxiproxy_url,
                "phases": {p.phase.value: p.as_json() for p in self.phases},
                "reverts": self.reverts,
                "guard": self.guard,
                "series": self.series,
                "gate": self.gate,
                "budget": self.budget,
                "incident": self.incident,
                "capacity": self.capacity,
                "rate_limit": self.rate_limit,
                "timeline": self.events,
            },
        }

    def write(self, path: Path, exit_code: int) -> None:
        """Write atomically: a reader never sees half a journal."""
        path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(self.as_json(exit_code), indent=2, default=str)
        fd, tmp = tempfile.mkstemp(prefix=".journal-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data + "\n")
        os.replace(tmp, path)


def redact_secrets(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of the experiment with every secret value replaced."""
    redacted = copy.deepcopy(document)
    for scope in (redacted.get("secrets") or {}).values():
        if isinstance(scope, dict):
            for key in scope:
                scope[key] = REDACTED
    return redacted
