"""Requests on a fixed schedule, and volleys that leave at once.

``fire`` sends request ``i`` at ``start + i / rate`` whether or not earlier
ones were answered, so a limiter that answers slowly (or holds requests, as
nginx does without ``nodelay``) cannot slow the offered rate down.
``volley`` opens every connection first and then writes all requests in
the same instant, which is how a burst is measured: N simultaneous requests
from one key admit ``1 + burst``.

Time comes from a ``Clock`` and connections from a ``Connector``, so both
are tested on a fake clock with a fake limiter.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from faultdrill.clock import Clock
from faultdrill.load.keys import ClientKey
from faultdrill.load.rawhttp import Answer, ConnectFailed, Exchange

Connector = Callable[[ClientKey], Awaitable[Exchange]]

# Caps sockets while a limiter holds requests: 2,000 requests/s for two
# seconds. When reached, the schedule waits, and the wait shows as latency.
DEFAULT_MAX_OUTSTANDING = 4000


@dataclass(frozen=True, slots=True)
class Shot:
    """One request: when it was meant to leave and how it ended.

    Times are seconds from the start of its schedule; ``latency_s`` runs
    from the intended time, so waiting for a free slot counts. ``sent_s`` is
    when the request was written, once its connection was open: when the
    limiter saw it. None if it never left.
    """

    key: str
    intended_s: float
    sent_s: float | None
    latency_s: float
    status: int | None
    retry_after: str | None
    error: str | None


@dataclass(frozen=True)
class Pace:
    rate_per_s: float
    duration_s: float
    timeout_s: float
    max_outstanding: int = DEFAULT_MAX_OUTSTANDING

    def __post_init__(self) -> None:
        if self.rate_per_s <= 0 or self.duration_s <= 0 or self.timeout_s <= 0:
            raise ValueError(
                "rate_per_s, duration_s and timeout_s must be above 0, got "
                f"{self.rate_per_s}, {self.duration_s} and {self.timeout_s}"
            )

    @property
    def count(self) -> int:
        return max(1, round(self.rate_per_s * self.duration_s))


async def fire(
    pace: Pace, key: ClientKey, connect: Connector, clock: Clock
) -> list[Shot]:
    """Send ``pace.count`` requests on schedule; one shot per request, in order."""
    start = clock.now()
    slots = asyncio.Semaphore(pace.max_outstanding)
    tasks: list[asyncio.Task[Shot]] = []
    try:
        for i in range(pace.count):
            intended = start + i / pace.rate_per_s
            await clock.sleep_until(intended)
            await slots.acquire()
            task = asyncio.create_task(
                _timed(key, intended, start, connect, clock, pace.timeout_s)
            )
            task.add_done_callback(lambda _: slots.release())
            tasks.append(task)
            await asyncio.sleep(0)  # a late schedule still lets answers in
        return list(await asyncio.gather(*tasks))
    finally:
        await _cancel(tasks)


async def volley(
    count: int, key: ClientKey, connect: Connector, clock: Clock, timeout_s: float
) -> list[Shot]:
    """Open ``count`` connections, then send every request at the same moment."""
    opened = await asyncio.gather(
        *(_open(key, connect) for _ in range(count)), return_exceptions=False
    )
    start = clock.now()
    tasks = [
        asyncio.create_task(_answered(key, start, start, item, clock, timeout_s))
        for item in opened
    ]
    try:
        return list(await asyncio.gather(*tasks))
    finally:
        await _cancel(tasks)


async def _open(key: ClientKey, connect: Connector) -> Exchange | Answer:
    try:
        return await connect(key)
    except ConnectFailed as failed:
        return Answer(None, error=failed.reason)


async def _timed(
    key: ClientKey,
    intended: float,
    start: float,
    connect: Connector,
    clock: Clock,
    timeout_s: float,
) -> Shot:
    sent: list[float] = []

    async def whole() -> Answer:
        opened = await _open(key, connect)
        if isinstance(opened, Answer):
            return opened
        sent.append(clock.now())
        return await opened()

    shot = await _bounded(key, intended, start, whole(), clock, timeout_s)
    return replace(shot, sent_s=sent[0] - start if sent else None)


async def _answered(
    key: ClientKey,
    intended: float,
    start: float,
    opened: Exchange | Answer,
    clock: Clock,
    timeout_s: float,
) -> Shot:
    if isinstance(opened, Answer):
        return _shot(key, intended, start, clock.now() - intended, opened)
    shot = await _bounded(key, intended, start, opened(), clock, timeout_s)
    return replace(shot, sent_s=intended - start)


async def _bounded(
    key: ClientKey,
    intended: float,
    start: float,
    work: Awaitable[Answer],
    clock: Clock,
    timeout_s: float,
) -> Shot:
    """The answer, or a timeout on ``clock`` after ``timeout_s``."""
    sending = asyncio.ensure_future(work)
    timer = asyncio.ensure_future(clock.sleep_until(clock.now() + timeout_s))
    try:
        await asyncio.wait({sending, timer}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        timer.cancel()
    if sending.done():
        answer = sending.result()
    else:
        sending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sending
        answer = Answer(None, error=f"timeout after {timeout_s:g} s")
    return _shot(key, intended, start, clock.now() - intended, answer)


def _shot(
    key: ClientKey, intended: float, start: float, latency: float, answer: Answer
) -> Shot:
    return Shot(
        key=key.label,
        intended_s=intended - start,
        sent_s=None,
        latency_s=latency,
        status=answer.status,
        retry_after=answer.retry_after,
        error=answer.error,
    )


async def _cancel(tasks: list[asyncio.Task[Shot]]) -> None:
    pending = [t for t in tasks if not t.done()]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
