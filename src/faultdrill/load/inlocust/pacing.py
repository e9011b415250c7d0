"""Each user keeps a fixed pace on an absolute schedule.

Locust's ``constant_throughput`` measures each wait from the end of the
last task, so every oversleep of the event loop is lost for good and the
rate drifts low. Here a user's n-th task is due at ``first + n / rate``:
an oversleep is made up on the next wait, and a slow answer by sending the
next request at once. Users start at a random phase, so N users do not fire
together.

The time each request was due is kept per greenlet, so latency can be
counted from it (wrk2's correction of coordinated omission); the recorder
reads it once, for the first request of the task.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

import gevent  # type: ignore[import-untyped]

# A user more than this far behind its schedule drops the slots it missed
# instead of sending them back to back: a service stalled for a minute
# should not get a minute of requests in one burst when it comes back.
MAX_CATCH_UP_S = 1.0

_due: dict[Any, float] = {}  # greenlet -> epoch second its next request was due


def paced(rate: float) -> Callable[[Any], float]:
    """A ``wait_time`` keeping ``rate`` tasks a second, on an absolute schedule."""
    interval = 1.0 / rate

    def wait_time(user: Any) -> float:
        now = time.time()
        due = getattr(user, "_faultdrill_due", None)
        if due is None:
            due = now + random.random() * interval
        else:
            due = max(due + interval, now - MAX_CATCH_UP_S)
        user._faultdrill_due = due
        _due[gevent.getcurrent()] = due
        return max(0.0, due - now)

    return wait_time


def take_due() -> float | None:
    """When the current greenlet's request was due; once per wait."""
    return _due.pop(gevent.getcurrent(), None)
