"""Legitimate traffic during a rate-limit test, judged against an SLO.

Each legitimate client has its own key and stays under the limit, so a
limiter that keys correctly never rejects it; many of them together give
the SLO enough events for a verdict (a 99.9% objective needs about 3,000
with none bad, reference/slo-and-load.md). Each client is an open-model
stream of its own (``faultdrill.probe.dispatch``) sending the SLO's own
request, so its samples are judged exactly as the prober's are.

    legit:
      slo: login-success   # a name from the SLO file (the shipped one by default)
      slo-file: null       # another SLO file
      keys: 20             # legitimate clients
      rate-per-key: 10     # requests/s each; below the limit's rate
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from faultdrill.clock import Clock
from faultdrill.errors import InvalidInput
from faultdrill.load.keys import SOURCE, ClientKey
from faultdrill.load.openloop import Connector
from faultdrill.load.rawhttp import ConnectFailed
from faultdrill.probe.dispatch import Dispatcher, Schedule
from faultdrill.probe.sample import ProbeSample
from faultdrill.slo.model import Request, Slo, default_slo_file, load_slo_file
from faultdrill.slo.verdict import SloVerdict, evaluate

# Twenty clients at 10/s give 200 events a second: a 99.9% claim in 15 s.
DEFAULT_KEYS = 20
DEFAULT_RATE_PER_KEY = 10.0
# A legitimate client well under the limit: half of it leaves room for the
# limiter's own rounding (nginx counts in milliseconds).
UNDER_LIMIT_SHARE = 0.5


class LegitTraffic(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        alias_generator=lambda name: name.replace("_", "-"),
    )

    slo: str
    slo_file: str | None = None
    keys: int = Field(default=DEFAULT_KEYS, ge=1)
    rate_per_key: float | None = Field(default=None, gt=0)

    def resolve_slo(self) -> Slo:
        slo_file = (
            load_slo_file(Path(self.slo_file)) if self.slo_file else default_slo_file()
        )
        return slo_file.get(self.slo)

    def per_key_rate(self, limit_rate_per_s: float) -> float:
        """The rate asked for, or the default kept well under the limit."""
        if self.rate_per_key is not None:
            if self.rate_per_key >= limit_rate_per_s:
                raise InvalidInput.single(
                    SOURCE,
                    "legit.rate-per-key",
                    f"{self.rate_per_key:g}/s is not under the limit's "
                    f"{limit_rate_per_s:g}/s, so legitimate clients would be limited "
                    "themselves; lower it",
                )
            return self.rate_per_key
        return min(DEFAULT_RATE_PER_KEY, limit_rate_per_s * UNDER_LIMIT_SHARE)


@dataclass(frozen=True)
class LegitResult:
    verdict: SloVerdict
    keys: int
    rate_per_key: float
    rejected_by_limiter: int

    def to_json(self) -> dict[str, object]:
        return {
            "slo": self.verdict.slo,
            "status": self.verdict.status.value,
            "keys": self.keys,
            "rate_per_key": self.rate_per_key,
            "rejected_by_limiter": self.rejected_by_limiter,
            "verdict": self.verdict.model_dump(mode="json"),
        }


Sender = Callable[[Request], Awaitable[tuple[int | None, str | None]]]


def sender_for(key: ClientKey, connect: Connector) -> Sender:
    """A probe sender whose requests carry ``key``."""

    async def send(request: Request) -> tuple[int | None, str | None]:
        try:
            exchange = await connect(key)
        except ConnectFailed as failed:
            return None, failed.reason
        answer = await exchange()
        return answer.status, answer.error

    return send


class LegitStreams:
    """The legitimate clients, started beside the over-limit schedule."""

    def __init__(
        self,
        slo: Slo,
        keys: list[ClientKey],
        rate_per_key: float,
        connect: Connector,
        clock: Clock,
        timeout_s: float,
    ) -> None:
        self.slo = slo
        self.keys = keys
        self.rate_per_key = rate_per_key
        self._samples: list[ProbeSample] = []
        schedule = Schedule(rate_per_key, timeout_s=timeout_s)
        self._dispatchers = [
            Dispatcher(
                [slo.sli.request],
                schedule,
                clock,
                sender_for(key, connect),
                self._samples.append,
            )
            for key in keys
        ]
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(d.run(self._stop)) for d in self._dispatchers
        ]

    async def stop(self) -> LegitResult:
        self._stop.set()
        await asyncio.gather(*self._tasks)
        verdict = evaluate(self.slo, self._samples)
        rejected = sum(1 for s in self._samples if s.status in (429, 503))
        return LegitResult(verdict, len(self.keys), self.rate_per_key, rejected)

    @property
    def samples(self) -> list[ProbeSample]:
        return list(self._samples)
