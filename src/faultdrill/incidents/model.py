"""An incident: what broke, how bad, what happened when, and what we learn.

Severities (DESIGN.md):

    SEV-1  complete outage or authentication broken
    SEV-2  major degradation
    SEV-3  minor or partial degradation
    SEV-4  cosmetic

SEV-1 and SEV-2 get a blameless postmortem draft; the fields here
(timeline, impacts, root cause, remediation, preventive actions with
owners, the broken verdicts) are what such a draft is written from.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

# SEV-2, sev2, SEV 2 or 2; only the four levels DESIGN.md defines.
_SEVERITY = re.compile(r"(?:sev[-\s]?)?([1-4])", re.IGNORECASE)


class Severity(enum.StrEnum):
    SEV1 = "SEV-1"
    SEV2 = "SEV-2"
    SEV3 = "SEV-3"
    SEV4 = "SEV-4"

    @property
    def meaning(self) -> str:
        return _MEANING[self]

    @property
    def rank(self) -> int:
        """1 for SEV-1 (worst) up to 4."""
        return int(self.value[-1])

    @property
    def needs_postmortem(self) -> bool:
        return self.rank <= 2

    @classmethod
    def parse(cls, text: str) -> Severity:
        """``SEV-2``, ``sev2``, ``2`` all mean SEV-2; anything else is refused."""
        match = _SEVERITY.fullmatch(text.strip())
        if match is None:
            raise ValueError(
                f"{text!r} is not a severity; use SEV-1, SEV-2, SEV-3 or SEV-4"
            )
        return cls(f"SEV-{match.group(1)}")


def _severity(value: Any) -> Any:
    if isinstance(value, Severity | bool):
        return value
    # YAML reads "severities: [1]" as a number; it means SEV-1 all the same.
    return Severity.parse(str(value)) if isinstance(value, str | int) else value


# A severity in a file: SEV-1 to SEV-4 in any of the forms ``parse`` takes,
# and nothing else; the error lists the valid ones.
SeverityName = Annotated[Severity, BeforeValidator(_severity)]


_MEANING = {
    Severity.SEV1: "complete outage or authentication broken",
    Severity.SEV2: "major degradation",
    Severity.SEV3: "minor or partial degradation",
    Severity.SEV4: "cosmetic",
}


class IncidentStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class TimelineEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: datetime
    message: str


class ActionItem(BaseModel):
    """A preventive action: what will be done, by whom."""

    model_config = ConfigDict(frozen=True)

    what: str = Field(min_length=1)
    owner: str | None = None


class SloImpact(BaseModel):
    """How badly one SLO was hit: the share of bad events while it lasted."""

    model_config = ConfigDict(frozen=True)

    slo: str
    bad_ratio: float = Field(ge=0, le=1)
    why: str = ""  # what made the severity, in words


class Incident(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str = Field(min_length=1)
    severity: Severity
    status: IncidentStatus = IncidentStatus.OPEN
    opened_at: datetime
    closed_at: datetime | None = None
    summary: str = ""
    # Set when an experiment opened it; its budget cost is the experiment's.
    run_id: str | None = None
    experiment: str | None = None
    runbook: str | None = None
    impacts: list[SloImpact] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(default_factory=list)
    root_cause: str | None = None
    remediation: list[str] = Field(default_factory=list)
    preventive_actions: list[ActionItem] = Field(default_factory=list)
    verdicts: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.status is IncidentStatus.OPEN

    @property
    def slos(self) -> list[str]:
        return [impact.slo for impact in self.impacts]

    @property
    def charges_budget(self) -> bool:
        """Incidents of a run are paid for by the run's own experiment cost."""
        return self.run_id is None
