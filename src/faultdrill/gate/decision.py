"""What the gate answers: allowed or not, every reason, and the figures."""

from __future__ import annotations

import enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ReasonCode(enum.StrEnum):
    BUDGET_EXHAUSTED = "budget-exhausted"
    BUDGET_BELOW_MINIMUM = "budget-below-minimum"  # an experiment's own minimum
    # less left than the experiment may spend (blast-radius.max-budget-spend)
    BUDGET_BELOW_ALLOWANCE = "budget-below-allowance"
    ERROR_RATE_SPIKE = "error-rate-spike"
    LATENCY_OVER_SLO = "latency-over-slo"
    LOAD_TEST_BREACH = "load-test-breach"  # the load generator's own figures
    HOST_UNSTABLE = "host-unstable"
    INCIDENT_OPEN = "incident-open"
    INCIDENTS_UNREADABLE = "incidents-unreadable"  # cannot tell if one is open
    AUTH_ANOMALY = "auth-anomaly"
    RATE_LIMITED = "rate-limit-rejections"
    FAIL2BAN_BANS = "fail2ban-bans"
    TARGET_HELD = "target-held"
    ENVIRONMENT = "environment-not-allowed"
    FAULTS_APPLIED = "faults-applied"  # a killed run's faults are still in place


class GateReason(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: ReasonCode
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class GateDecision(BaseModel):
    """``allowed`` is True only when no reason was found."""

    model_config = ConfigDict(frozen=True)

    reasons: list[GateReason] = Field(default_factory=list)
    figures: dict[str, Any] = Field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return not self.reasons

    @property
    def messages(self) -> list[str]:
        return [str(reason) for reason in self.reasons]

    def as_json(self) -> dict[str, Any]:
        return {
            "allowed": self.allowed,
            "reasons": [r.model_dump(mode="json") for r in self.reasons],
            "figures": self.figures,
        }
