"""A limiter on a fake clock, behind the connector interface of the open loop."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from faultdrill.clock import FakeClock
from faultdrill.load.keys import ClientKey
from faultdrill.load.leaky import LeakyBucket
from faultdrill.load.rawhttp import Answer, Exchange


class FakeLimiter:
    """Leaky buckets per key (or one for all), answering like a real limiter."""

    def __init__(
        self,
        clock: FakeClock,
        rate: float,
        burst: int,
        *,
        status: int = 429,
        retry_after: bool = True,
        nodelay: bool = True,
        shared: bool = False,
        service_s: float = 0.002,
    ) -> None:
        self.clock = clock
        self.rate, self.burst = rate, burst
        self.status, self.retry_after, self.nodelay = status, retry_after, nodelay
        self.shared = shared
        self.service_s = service_s
        self.buckets: dict[str, LeakyBucket] = {}
        self.arrivals: list[tuple[str, float]] = []

    def key_of(self, key: ClientKey) -> str:
        if self.shared:
            return "*"
        return key.source or (key.header or key.body_field or ("", key.label))[1]

    async def connect(self, key: ClientKey) -> Exchange:
        async def exchange() -> Answer:
            return await self._answer(key)

        return exchange

    async def _answer(self, key: ClientKey) -> Answer:
        name = self.key_of(key)
        now = self.clock.now()
        self.arrivals.append((key.label, now))
        bucket = self.buckets.setdefault(name, LeakyBucket(self.rate, self.burst))
        decision = bucket.offer(now)
        delay = 0.0 if self.nodelay else decision.delay_s
        await self.clock.sleep_until(now + self.service_s + delay)
        if decision.admitted:
            return Answer(200)
        return Answer(self.status, "1" if self.retry_after else None)


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


def run_on(
    clock: FakeClock, work: Coroutine[Any, Any, Any], step: float = 0.002
) -> Any:
    """Run ``work`` to completion, moving the fake clock forward in small steps."""

    async def drive() -> Any:
        task = asyncio.ensure_future(work)
        await settle()
        for _ in range(200_000):  # 400 s of fake time at most
            if task.done():
                return task.result()
            clock.advance(step)
            await settle()
        raise AssertionError("the work did not finish within 400 s of fake time")

    return asyncio.run(drive())


Connector = Callable[[ClientKey], Awaitable[Exchange]]
