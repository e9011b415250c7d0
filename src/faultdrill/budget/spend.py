"""One entry of the error-budget ledger: who spent an SLO's budget, and how fast.

An entry says that over ``[start, end]`` the SLO burned its budget at
``burn_rate`` because of an incident or an experiment. How much of a
period's budget that is depends on the period (a 30-day window, or the
calendar month it falls in), so the share is worked out when the ledger is
read, from the part of the entry that lies inside the period.
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SpendKind(enum.StrEnum):
    EXPERIMENT = "experiment"  # ref: the run id
    INCIDENT = "incident"  # ref: the incident id


class Spend(BaseModel):
    model_config = ConfigDict(frozen=True)

    slo: str
    kind: SpendKind
    ref: str
    start: float  # epoch seconds
    end: float
    burn_rate: float = Field(ge=0)
    bad_events: int | None = Field(default=None, ge=0)
    total_events: int | None = Field(default=None, ge=0)
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Spend:
        if self.end < self.start:
            raise ValueError(
                f"spend of {self.slo} by {self.kind} {self.ref} ends before it "
                "starts; give end >= start"
            )
        return self

    def seconds_within(self, start: float, end: float) -> float:
        """How long this entry overlaps ``[start, end]``."""
        return max(0.0, min(self.end, end) - max(self.start, start))
