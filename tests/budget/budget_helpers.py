"""SLOs and instants shared by the budget tests."""

from __future__ import annotations

from datetime import UTC, datetime

from faultdrill.slo.model import Slo

DAY = 86_400.0
HOUR = 3_600.0
MONTH_30D = 30 * DAY


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> float:
    return datetime(year, month, day, hour, minute, tzinfo=UTC).timestamp()


def slo(
    name: str = "api-5xx-ratio",
    objective: float = 99.9,
    window: dict[str, object] | None = None,
) -> Slo:
    return Slo.model_validate(
        {
            "name": name,
            "objective": objective,
            "window": window or {"type": "rolling", "days": 30},
            "sli": {"type": "error-ratio", "request": {"path": "/api"}},
        }
    )


def calendar_slo(name: str = "api-5xx-ratio") -> Slo:
    return slo(name, window={"type": "calendar-month"})
