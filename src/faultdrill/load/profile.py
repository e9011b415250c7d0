"""Load profiles: a constant rate, or steps of rising rates.

    {"type": "constant", "rate": 500, "duration_s": 30}
    {"type": "steps", "rates": [50, 100, 200, 400], "step_s": 10}

Locust is closed-loop: a user waits for its answer before it goes on. A
rate is reached with users that each keep a fixed pace (``user_rate`` per
second, on an absolute schedule, so a slow answer is caught up on rather
than lost), and as many of them as the rate needs. All steps share one
pace, so the user count alone changes between steps: the pace is the
largest divisor of every step's rate that is at most ``max_user_rate``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import reduce
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from faultdrill.errors import InvalidInput

SOURCE = "load profile"

# Ten requests a second per user leaves each a 100 ms budget per request:
# a service answering within its 500 ms SLO threshold keeps most users on
# pace, and a late one catches up. 2,000 requests/s then takes 200 users,
# which one Locust process handles (gevent greenlets are cheap).
DEFAULT_MAX_USER_RATE = 10.0
# Rates are matched to a thousandth of a request per second.
_RATE_RESOLUTION = 1000
# Beyond this many users, a pace that divides every step is too slow to be
# useful: rates with no common divisor, like 100 and 100.001.
MAX_USERS = 20_000


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ConstantProfile(_Model):
    type: Literal["constant"]
    rate: float = Field(gt=0)
    duration_s: float = Field(gt=0)
    max_user_rate: float = Field(default=DEFAULT_MAX_USER_RATE, gt=0)


class StepsProfile(_Model):
    type: Literal["steps"]
    rates: list[Annotated[float, Field(gt=0)]] = Field(min_length=1)
    step_s: float = Field(gt=0)
    max_user_rate: float = Field(default=DEFAULT_MAX_USER_RATE, gt=0)


Profile = Annotated[
    Annotated[ConstantProfile, Tag("constant")] | Annotated[StepsProfile, Tag("steps")],
    Discriminator(
        lambda v: v.get("type") if isinstance(v, dict) else getattr(v, "type", None),
        custom_error_type="profile_type",
        custom_error_message="type must be 'constant' or 'steps'",
    ),
]


@dataclass(frozen=True)
class Step:
    index: int
    rate: float  # requests/s asked for
    start_s: float  # from the start of the run
    end_s: float
    users: int

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Schedule:
    """The steps of a profile and the pace every user keeps."""

    steps: tuple[Step, ...]
    user_rate: float

    @property
    def duration_s(self) -> float:
        return self.steps[-1].end_s

    @property
    def max_users(self) -> int:
        return max(s.users for s in self.steps)


def schedule_of(profile: ConstantProfile | StepsProfile) -> Schedule:
    if isinstance(profile, ConstantProfile):
        rates, step_s = [profile.rate], profile.duration_s
    else:
        rates, step_s = profile.rates, profile.step_s
    pace = user_rate(rates, profile.max_user_rate)
    steps = tuple(
        Step(i, rate, i * step_s, (i + 1) * step_s, round(rate / pace))
        for i, rate in enumerate(rates)
    )
    if max(s.users for s in steps) > MAX_USERS:
        raise InvalidInput.single(
            SOURCE,
            "rates",
            f"rates {rates} share no pace above {pace:g}/s per user, which needs "
            f"more than {MAX_USERS} users; round them to whole requests per second",
        )
    return Schedule(steps, pace)


def user_rate(rates: list[float], max_user_rate: float) -> float:
    """The largest pace at most ``max_user_rate`` that divides every rate."""
    scaled = [round(r * _RATE_RESOLUTION) for r in rates]
    common = reduce(math.gcd, scaled) / _RATE_RESOLUTION
    return common / math.ceil(common / max_user_rate)
