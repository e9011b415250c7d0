"""The prober: open-model probe streams for a set of SLOs, in the background.

The experiment runner is synchronous, so the prober runs its own event loop
in a daemon thread. SLOs whose requests are equal share one stream. Every
method is safe to call from any thread.

    with Prober(slo_file.slos, "http://127.0.0.1:8080") as prober:
        prober.set_phase("before")
        ...
        verdict = evaluate(slo, prober.samples(phase="before"))
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterable
from types import TracebackType

from faultdrill.clock import Clock, MonotonicClock
from faultdrill.errors import InvalidInput
from faultdrill.probe.dispatch import (
    DEFAULT_MAX_OUTSTANDING,
    DEFAULT_TIMEOUT_S,
    Dispatcher,
    Schedule,
    Sender,
)
from faultdrill.probe.http import HttpSender, check_base_url
from faultdrill.probe.phases import PhaseTimeline
from faultdrill.probe.sample import ProbeSample
from faultdrill.slo.model import Request, SliSource, Slo

log = logging.getLogger(__name__)

# Per stream. At 20/s a p95 claim (59 samples) takes 3 s and a 99.9% claim
# (2,995 samples) 2.5 minutes, while adding little load to a service.
DEFAULT_RATE_PER_S = 20.0
# A prober nobody stopped ends by itself: a day is longer than any game day.
DEFAULT_MAX_DURATION_S = 24 * 3600.0
# How long start() waits for the thread's event loop; it takes milliseconds.
_START_TIMEOUT_S = 10.0
# stop() waits one timeout for requests in flight, then this much for the
# thread to close its connections and finish.
_JOIN_MARGIN_S = 5.0
# How often wait_answered looks again: small beside any latency threshold.
_POLL_S = 0.02


class Prober:
    """Probe streams for ``slos`` against ``base_url``, in a background thread.

    ``rate_per_s`` is per distinct request. ``clock`` defaults to the real
    monotonic clock; ``samples(since=...)`` compares against its ``now()``.
    The clock is used from the probe thread, so a ``FakeClock`` (which is
    not thread-safe) belongs with a ``Dispatcher`` driven directly instead.
    ``sender`` replaces HTTP, for tests. Samples are kept in memory.

    TODO(bounded sample store): samples grow by rate x streams x duration
    (about 50 MB a day at the default rate); a ring buffer or spilling to
    the journal would bound it for day-long runs.
    """

    def __init__(
        self,
        slos: Iterable[Slo],
        base_url: str,
        rate_per_s: float = DEFAULT_RATE_PER_S,
        clock: Clock | None = None,
        *,
        sender: Sender | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_outstanding: int = DEFAULT_MAX_OUTSTANDING,
        max_duration_s: float = DEFAULT_MAX_DURATION_S,
    ) -> None:
        self._requests = _probed_requests(slos)
        self._base_url = check_base_url(base_url)
        self._schedule = _schedule(
            rate_per_s, timeout_s, max_outstanding, max_duration_s
        )
        self._clock = clock or MonotonicClock()
        self._sender = sender
        self._timeline = PhaseTimeline()
        self._lock = threading.Lock()
        self._samples: list[ProbeSample] = []
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_event: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._stopped = False
        self._dispatcher: Dispatcher | None = None

    @property
    def requests(self) -> list[Request]:
        """One per stream: the distinct requests of the probed SLOs."""
        return list(self._requests)

    def start(self) -> Prober:
        """Start probing; returns once the schedule is running."""
        if self._thread is not None:
            raise RuntimeError("this prober was already started; make a new one")
        self._thread = threading.Thread(
            target=self._main, name="faultdrill-prober", daemon=True
        )
        self._thread.start()
        if not self._ready.wait(_START_TIMEOUT_S):
            raise RuntimeError(f"prober thread not running after {_START_TIMEOUT_S} s")
        if self._failure is not None:
            raise self._failure
        log.info(
            "probing %d request stream(s) at %g/s each against %s",
            len(self._requests),
            self._schedule.rate_per_s,
            self._base_url,
        )
        return self

    def set_phase(self, name: str | None) -> None:
        """Tag requests intended from now on with ``name``."""
        self._timeline.change(self._clock.now(), name)

    def samples(
        self, phase: str | None = None, since: float | None = None
    ) -> list[ProbeSample]:
        """Samples so far, optionally of one phase or intended at/after ``since``."""
        with self._lock:
            snapshot = list(self._samples)
        return [
            sample
            for sample in snapshot
            if (phase is None or sample.phase == phase)
            and (since is None or sample.intended_at >= since)
        ]

    def unanswered(self) -> list[tuple[str, float]]:
        """(request key, intended time) of every request still in flight."""
        dispatcher = self._dispatcher
        return dispatcher.unanswered() if dispatcher is not None else []

    def wait_answered(self, intended_before: float) -> int:
        """Wait for the requests intended before ``intended_before``.

        A phase's last requests are still in flight when it ends, and the
        slowest are the ones that matter (a fault that stalls every request
        leaves none answered by then). Each gets up to the request timeout,
        after which it is answered or failed. Returns how many are still
        unanswered when the wait ends (bounded in real time, not the clock).
        """
        deadline = time.monotonic() + self._schedule.timeout_s + _POLL_S
        while True:
            left = [when for _, when in self.unanswered() if when < intended_before]
            if not left or not self._thread_alive() or time.monotonic() > deadline:
                return len(left)
            time.sleep(_POLL_S)

    def now(self) -> float:
        """The prober's clock, on which ``intended_at`` is measured."""
        return self._clock.now()

    def stop(self) -> None:
        """Stop sending, wait for answers in flight up to the timeout; idempotent.

        Raises what made the probe thread fail, if it failed.
        """
        if self._thread is None or self._stopped:
            return
        self._stopped = True
        self._signal_stop()
        self._thread.join(self._schedule.timeout_s + _JOIN_MARGIN_S)
        if self._thread.is_alive():
            log.warning("prober thread still running after stop; abandoning it")
        with self._lock:
            taken = len(self._samples)
        log.info("prober stopped after %d samples", taken)
        if self._failure is not None:
            raise self._failure

    def __enter__(self) -> Prober:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def _signal_stop(self) -> None:
        loop, event = self._loop, self._stop_event
        if loop is None or event is None or not self._thread_alive():
            return
        try:
            loop.call_soon_threadsafe(event.set)
        except RuntimeError:
            # The loop closed between the check and the call: the schedule
            # ended by itself (max duration), so there is nothing to stop.
            log.debug("prober loop already closed when stopped")

    def _thread_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # kept for stop() to raise in the caller
            self._failure = exc
            log.error("prober failed; no more samples will be taken", exc_info=exc)
        finally:
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        self._ready.set()
        if self._sender is not None:
            await self._dispatch(self._sender)
            return
        connections = self._schedule.max_outstanding
        async with HttpSender(self._base_url, connections) as sender:
            await self._dispatch(sender)

    async def _dispatch(self, sender: Sender) -> None:
        assert self._stop_event is not None
        dispatcher = Dispatcher(
            self._requests,
            self._schedule,
            self._clock,
            sender,
            self._record,
            self._timeline.at,
        )
        self._dispatcher = dispatcher
        await dispatcher.run(self._stop_event)

    def _record(self, sample: ProbeSample) -> None:
        with self._lock:
            self._samples.append(sample)


def _probed_requests(slos: Iterable[Slo]) -> list[Request]:
    distinct: dict[str, Request] = {}
    for slo in slos:
        if slo.sli.source is SliSource.PROBE:
            distinct.setdefault(slo.sli.request.key, slo.sli.request)
    if not distinct:
        raise InvalidInput.single(
            "prober", "slos", "no SLO is measured by the probe; give at least one"
        )
    return list(distinct.values())


def _schedule(
    rate_per_s: float, timeout_s: float, max_outstanding: int, max_duration_s: float
) -> Schedule:
    try:
        return Schedule(rate_per_s, timeout_s, max_outstanding, max_duration_s)
    except ValueError as exc:
        raise InvalidInput.single("prober", "schedule", str(exc)) from exc
