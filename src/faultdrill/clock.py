"""Time, behind an interface, so that timing logic runs on a fake clock in tests."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """Monotonic seconds, and waiting until a point in time."""

    def now(self) -> float: ...

    def wall(self) -> float:
        """Seconds since the epoch, for timestamps people read."""
        ...

    async def sleep_until(self, deadline: float) -> None: ...


class MonotonicClock:
    """The real clock: ``time.monotonic`` for intervals, ``time.time`` for stamps."""

    def now(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()

    async def sleep_until(self, deadline: float) -> None:
        delay = deadline - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


class FakeClock:
    """A clock that only moves when told to; for tests of timing logic.

    ``sleep_until`` parks the caller until ``advance`` moves time past its
    deadline, so schedules can be stepped through deterministically.
    """

    def __init__(self, start: float = 1000.0, wall_offset: float = 1.7e9) -> None:
        self._now = start
        self._wall_offset = wall_offset
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def now(self) -> float:
        return self._now

    def wall(self) -> float:
        return self._now + self._wall_offset

    async def sleep_until(self, deadline: float) -> None:
        if deadline <= self._now:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((deadline, future))
        await future

    def set(self, when: float) -> None:
        """Jump to ``when`` and wake every sleeper whose deadline has passed."""
        self._now = max(self._now, when)
        due = [s for s in self._sleepers if s[0] <= self._now]
        self._sleepers = [s for s in self._sleepers if s[0] > self._now]
        for _, future in due:
            if not future.done():
                future.set_result(None)

    def advance(self, seconds: float) -> None:
        self.set(self._now + seconds)

    @property
    def next_deadline(self) -> float | None:
        return min((d for d, _ in self._sleepers), default=None)
