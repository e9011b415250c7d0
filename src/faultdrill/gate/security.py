"""Security signals the gate weighs: failed logins, rate-limit rejections, bans.

A burst of failed logins is an authentication anomaly (credential stuffing,
a broken client); rejections by the login rate limit mean someone pushes
past it; Fail2Ban bans mean an attack is being fended off. Neither a
deployment nor an experiment should start in the middle of that.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from faultdrill.gate.fail2ban import bans_since
from faultdrill.prometheus import queries
from faultdrill.prometheus.client import URL_ENV, PrometheusClient
from faultdrill.slo.model import SecuritySources

log = logging.getLogger(__name__)


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


def read_security(
    sources: SecuritySources | None,
    prometheus: PrometheusClient | None,
    window_s: float,
    now: float,
) -> SecuritySignals | None:
    """The signals over the last ``window_s``; None when nothing is configured."""
    if sources is None:
        return None
    read: dict[str, Any] = {"window_s": window_s, "sources": []}
    if prometheus is not None:
        read |= _from_prometheus(sources, prometheus, window_s)
    elif sources.login_attempts or sources.rate_limited:
        log.warning(
            "security signals need Prometheus (--prometheus or %s); skipped", URL_ENV
        )
    if sources.fail2ban_log is not None:
        read["fail2ban_bans"] = bans_since(
            sources.fail2ban_log, now - window_s, sources.fail2ban_jails
        )
        read["sources"] = [*read["sources"], f"fail2ban:{sources.fail2ban_log}"]
    return SecuritySignals.model_validate(read)


def _from_prometheus(
    sources: SecuritySources, prometheus: PrometheusClient, window_s: float
) -> dict[str, Any]:
    def count(query: str | None) -> float | None:
        if not query:
            return None
        return prometheus.scalar(queries.events(query, window_s)) or 0.0

    return {
        "login_attempts": count(sources.login_attempts),
        "failed_logins": count(sources.failed_logins),
        "rate_limited": count(sources.rate_limited),
        "sources": [f"prometheus:{prometheus.url}"],
    }
