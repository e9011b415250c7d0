"""The profile's steps as a Locust load shape.

Locust asks the shape once a second for the user count; the first call
marks the start of the run, from which every step is timed.
"""

from __future__ import annotations

import time
from typing import Any

from locust import LoadTestShape

from faultdrill.load.plan import LoadPlan

# Users start within a tenth of a second of a step: the rate is reached at
# once instead of over a ramp that would count against the step.
SPAWN_WITHIN_S = 0.1


def shape_for(plan: LoadPlan) -> type[LoadTestShape]:
    """A shape class (Locust wants a class) following ``plan``'s steps."""

    class StepsShape(LoadTestShape):
        started_at: float | None = None

        def tick(self) -> tuple[int, float] | None:
            now = time.time()
            if StepsShape.started_at is None:
                StepsShape.started_at = now
            elapsed = now - StepsShape.started_at
            for step in plan.steps:
                if step.start_s <= elapsed < step.end_s:
                    return step.users, max(1.0, step.users / SPAWN_WITHIN_S)
            return None

    return StepsShape


def started_at(shape: Any) -> float | None:
    return getattr(type(shape), "started_at", None)
