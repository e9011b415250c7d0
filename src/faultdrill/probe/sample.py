"""One measured probe request."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ProbeSample:
    """A request of one probe stream, as it was meant to go and as it went.

    ``intended_at`` is the monotonic time the schedule meant to send it and
    ``wall`` the same instant in epoch seconds. ``latency_s`` runs from
    ``intended_at`` to the answer, or to giving up. ``status`` is None when
    no answer came, and ``error`` then says why.
    """

    request: str  # faultdrill.slo.model.Request.key
    phase: str | None
    intended_at: float
    wall: float
    latency_s: float
    status: int | None
    error: str | None
