"""Security signals the gate weighs: failed logins, rate-limit rejections, bans.

A burst of failed logins is an authentication anomaly (credential stuffing,
a broken client); rejections by the login rate limit mean someone pushes
past it; Fail2Ban bans mean an attack is being fended off. Neither a
deployment nor an experiment should start in the middle of that.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SecuritySignals(BaseModel):
    """Counts over the last ``window_s``; None where no source was configured."""

    model_config = ConfigDict(frozen=True)

    window_s: float = Field(gt=0)
    login_attempts: float | None = None
    failed_logins: float | None = None
    rate_limited: float | None = None
    fail2ban_bans: int | None = None
    sources: list[str] = Field(default_factory=list)

    @property
    def failed_login_ratio(self) -> float | None:
        if self.login_attempts is None or self.failed_logins is None:
            return None
        if self.login_attempts <= 0:
            return None
        return self.failed_logins / self.login_attempts

    @property
    def rate_limited_per_s(self) -> float | None:
        if self.rate_limited is None:
            return None
        return self.rate_limited / self.window_s
