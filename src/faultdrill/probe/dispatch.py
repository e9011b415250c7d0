"""The open-model dispatcher: requests leave on a fixed schedule.

Request ``i`` of a stream is *intended* at ``start + i / rate``. It is sent
at that time whether or not earlier requests have been answered, and its
latency is counted from the intended time. A service that stalls therefore
shows the stall in every request that was due meanwhile, and a dispatcher
that falls behind (a busy machine, the outstanding bound) cannot hide the
delay either: the time lost before sending is part of the latency. This is
wrk2's answer to coordinated omission (reference/slo-and-load.md).

Time comes from a ``faultdrill.clock.Clock`` and requests go through an
injected ``Sender``, so the schedule is tested on a fake clock.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from faultdrill.clock import Clock
from faultdrill.probe.sample import ProbeSample
from faultdrill.slo.model import Request

log = logging.getLogger(__name__)

Sender = Callable[[Request], Awaitable[tuple[int | None, str | None]]]
"""Sends one request: the HTTP status, or None and why no answer came."""

Recorder = Callable[[ProbeSample], None]
PhaseAt = Callable[[float], str | None]

# Long enough that a slow answer is measured rather than cut off (ten times
# the 500 ms latency threshold of the shipped SLOs), short enough that a
# black-holed service shows up as failures within seconds.
DEFAULT_TIMEOUT_S = 5.0
# Caps sockets and memory while a service stalls: at 20 requests/s per
# stream nothing near it is reached before the timeout ends each request;
# at 1,000/s it holds two seconds of stalled requests, then the dispatcher
# waits (and the wait counts as latency of the requests that were due).
DEFAULT_MAX_OUTSTANDING = 2000


@dataclass(frozen=True)
class Schedule:
    """How fast each stream sends, and the bounds on each request."""

    rate_per_s: float
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_outstanding: int = DEFAULT_MAX_OUTSTANDING
    duration_s: float | None = None  # None: until stopped

    def __post_init__(self) -> None:
        if self.rate_per_s <= 0:
            raise ValueError(f"rate_per_s must be above 0, got {self.rate_per_s}")
        if self.timeout_s <= 0:
            raise ValueError(f"timeout_s must be above 0, got {self.timeout_s}")
        if self.duration_s is not None and self.duration_s <= 0:
            raise ValueError(f"duration_s must be above 0, got {self.duration_s}")
        if self.max_outstanding < 1:
            raise ValueError(
                f"max_outstanding must be 1 or more, got {self.max_outstanding}"
            )


class Dispatcher:
    """Sends every request on its schedule and records one sample per request.

    Streams are offset from each other by a fraction of the interval, so
    that N streams do not fire N requests at the same instant.
    """

    def __init__(
        self,
        requests: Sequence[Request],
        schedule: Schedule,
        clock: Clock,
        sender: Sender,
        record: Recorder,
        phase_at: PhaseAt = lambda _: None,
    ) -> None:
        self._requests = list(requests)
        self._schedule = schedule
        self._clock = clock
        self._sender = sender
        self._record = record
        self._phase_at = phase_at
        self._slots = asyncio.Semaphore(schedule.max_outstanding)
        self._in_flight: set[asyncio.Task[None]] = set()
        # Read from other threads (the guard): request key and intended time
        # of every request not answered yet, behind a lock.
        self._unanswered: dict[asyncio.Task[None], tuple[str, float]] = {}
        self._unanswered_lock = threading.Lock()

    @property
    def outstanding(self) -> int:
        """Requests sent and not yet answered or given up on."""
        return len(self._in_flight)

    def unanswered(self) -> list[tuple[str, float]]:
        """(request key, intended time) of requests in flight; any thread."""
        with self._unanswered_lock:
            return list(self._unanswered.values())

    async def run(self, stop: asyncio.Event) -> None:
        """Dispatch until ``stop`` is set or the duration ends, then drain.

        Requests in flight get up to the timeout to finish. A stream that
        failed re-raises its error here, after everything was cleaned up.
        """
        streams = self._start_streams()
        try:
            await _until_stopped(stop, streams)
        finally:
            await _cancel_all(streams)
            await self._drain()
        for stream in streams:
            failure = None if stream.cancelled() else stream.exception()
            if failure is not None:
                raise failure

    def _start_streams(self) -> list[asyncio.Task[None]]:
        start = self._clock.now()
        duration = self._schedule.duration_s
        end = math.inf if duration is None else start + duration
        offset = 1.0 / self._schedule.rate_per_s / max(1, len(self._requests))
        return [
            asyncio.create_task(self._stream(request, start + n * offset, end))
            for n, request in enumerate(self._requests)
        ]

    async def _stream(self, request: Request, first: float, end: float) -> None:
        interval = 1.0 / self._schedule.rate_per_s
        for i in itertools.count():
            intended = first + i * interval
            if intended >= end:
                return
            await self._clock.sleep_until(intended)
            await self._slots.acquire()
            self._launch(request, intended)
            # A late stream never sleeps; yield so answers are read meanwhile.
            await asyncio.sleep(0)

    def _launch(self, request: Request, intended: float) -> None:
        task = asyncio.create_task(self._one(request, intended))
        self._in_flight.add(task)
        with self._unanswered_lock:
            self._unanswered[task] = (request.key, intended)
        task.add_done_callback(self._answered)

    def _answered(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        with self._unanswered_lock:
            self._unanswered.pop(task, None)

    async def _one(self, request: Request, intended: float) -> None:
        try:
            status, error = await self._send(request)
            latency = self._clock.now() - intended
            self._record(self._sample(request, intended, latency, status, error))
        finally:
            self._slots.release()

    async def _send(self, request: Request) -> tuple[int | None, str | None]:
        sending = asyncio.ensure_future(self._sender(request))
        deadline = self._clock.now() + self._schedule.timeout_s
        timer = asyncio.ensure_future(self._clock.sleep_until(deadline))
        try:
            done, _ = await asyncio.wait(
                {sending, timer}, return_when="FIRST_COMPLETED"
            )
        finally:
            timer.cancel()
            sending.cancel()  # no-op once answered; stops it on timeout or stop
        if sending in done:
            return _outcome(sending)
        return None, f"timeout after {self._schedule.timeout_s:g} s"

    def _sample(
        self,
        request: Request,
        intended: float,
        latency: float,
        status: int | None,
        error: str | None,
    ) -> ProbeSample:
        wall = self._clock.wall() - (self._clock.now() - intended)
        return ProbeSample(
            request=request.key,
            phase=self._phase_at(intended),
            intended_at=intended,
            wall=wall,
            latency_s=latency,
            status=status,
            error=error,
        )

    async def _drain(self) -> None:
        # Each request gives up by itself after the timeout; this bound only
        # matters for a sender that ignores cancellation.
        if not self._in_flight:
            return
        deadline = self._clock.now() + self._schedule.timeout_s
        timer = asyncio.ensure_future(self._clock.sleep_until(deadline))
        everything = asyncio.gather(*self._in_flight, return_exceptions=True)
        waiting: set[asyncio.Future[Any]] = {timer, everything}
        await asyncio.wait(waiting, return_when="FIRST_COMPLETED")
        timer.cancel()
        if not everything.done():
            log.warning(
                "%d probe requests still running after the %g s timeout; cancelled",
                len(self._in_flight),
                self._schedule.timeout_s,
            )
        await _cancel_all(list(self._in_flight))


def _outcome(
    sending: asyncio.Future[tuple[int | None, str | None]],
) -> tuple[int | None, str | None]:
    error = sending.exception()
    if error is None:
        return sending.result()
    # A sender maps transport failures to an error string itself; anything
    # else is a bug in it, kept visible as a failed sample and in the log.
    log.debug("probe sender failed", exc_info=error)
    return None, f"sender raised {type(error).__name__}: {error}"


async def _until_stopped(
    stop: asyncio.Event, streams: list[asyncio.Task[None]]
) -> None:
    # Returns when stop is set, when every stream has ended, or when one failed.
    stopped = asyncio.ensure_future(stop.wait())
    running: set[asyncio.Future[Any]] = {stopped, *streams}
    try:
        while stopped in running and len(running) > 1:
            done, running = await asyncio.wait(running, return_when="FIRST_COMPLETED")
            if any(not t.cancelled() and t.exception() for t in done):
                return
    finally:
        stopped.cancel()


async def _cancel_all(tasks: Sequence[asyncio.Future[Any]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
