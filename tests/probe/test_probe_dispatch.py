"""The open-model schedule, stepped through on a fake clock."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from faultdrill.clock import FakeClock
from faultdrill.probe.dispatch import Dispatcher, Schedule
from faultdrill.probe.phases import PhaseTimeline
from faultdrill.probe.sample import ProbeSample
from faultdrill.slo.model import Request

Answer = tuple[int | None, str | None]
FakeSender = Callable[[FakeClock, Request], Awaitable[Answer]]
START = 1000.0
HOME = Request(path="/")
API = Request(path="/api")


async def settle() -> None:
    # Enough turns of the loop for every ready task to run to its next wait.
    for _ in range(20):
        await asyncio.sleep(0)


async def walk(clock: FakeClock, seconds: float, step: float = 0.01) -> None:
    """Move time forward in small steps, letting tasks run at each one."""
    start, steps = clock.now(), max(1, round(seconds / step))
    for k in range(1, steps + 1):
        clock.set(start + seconds * k / steps)
        await settle()


class Harness:
    """A dispatcher on a fake clock, with a sender the test controls."""

    def __init__(
        self,
        sender: FakeSender,
        requests: tuple[Request, ...] = (HOME,),
        **schedule: float,
    ) -> None:
        self.clock = FakeClock(start=START)
        self.samples: list[ProbeSample] = []
        self.calls: list[tuple[float, str]] = []
        self.active = 0
        self.most_active = 0
        self.timeline = PhaseTimeline()

        async def send(request: Request) -> Answer:
            self.calls.append((self.clock.now(), request.key))
            self.active += 1
            self.most_active = max(self.most_active, self.active)
            try:
                return await sender(self.clock, request)
            finally:
                self.active -= 1

        rate = schedule.pop("rate_per_s", 10.0)
        self.dispatcher = Dispatcher(
            requests,
            Schedule(rate_per_s=rate, **schedule),  # type: ignore[arg-type]
            self.clock,
            send,
            self.samples.append,
            self.timeline.at,
        )
        self.stop = asyncio.Event()

    async def __aenter__(self) -> Harness:
        self.task = asyncio.create_task(self.dispatcher.run(self.stop))
        await settle()
        return self

    async def __aexit__(self, *_: object) -> None:
        self.stop.set()
        await walk(self.clock, 10.0, step=0.5)
        await asyncio.wait_for(self.task, timeout=1.0)

    def by_intent(self) -> list[ProbeSample]:
        return sorted(self.samples, key=lambda s: s.intended_at)


def answer_after(delay: float, status: int = 200) -> FakeSender:
    async def sender(clock: FakeClock, _: Request) -> Answer:
        await clock.sleep_until(clock.now() + delay)
        return status, None

    return sender


async def never_answer(clock: FakeClock, _: Request) -> Answer:
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), timeout=10))


def test_request_i_is_intended_at_start_plus_i_over_rate() -> None:
    async def scenario() -> None:
        async with Harness(answer_after(0.01)) as h:
            await walk(h.clock, 1.05)
        intended = [s.intended_at for s in h.by_intent()]
        assert intended[:11] == pytest.approx([START + i / 10 for i in range(11)])

    run(scenario)


def test_streams_are_offset_within_the_interval() -> None:
    async def scenario() -> None:
        async with Harness(answer_after(0.001), requests=(HOME, API)) as h:
            await walk(h.clock, 0.3, step=0.005)
        api = [s.intended_at for s in h.by_intent() if s.request == API.key]
        assert api[:3] == pytest.approx([START + 0.05, START + 0.15, START + 0.25])

    run(scenario)


def test_a_stalled_answer_does_not_delay_later_dispatches() -> None:
    stalls = {"first": True}

    async def sender(clock: FakeClock, _: Request) -> Answer:
        delay = 2.0 if stalls.pop("first", False) else 0.01
        await clock.sleep_until(clock.now() + delay)
        return 200, None

    async def scenario() -> None:
        async with Harness(sender) as h:
            await walk(h.clock, 1.05)
            sent_at = [at for at, _ in h.calls]
            assert sent_at[:11] == pytest.approx([START + i / 10 for i in range(11)])
            assert h.dispatcher.outstanding >= 1
            await walk(h.clock, 1.5)
        first = h.by_intent()[0]
        assert first.latency_s == pytest.approx(2.0)
        assert first.status == 200

    run(scenario)


def test_latency_counts_from_the_intended_time_when_dispatch_is_late() -> None:
    async def scenario() -> None:
        async with Harness(answer_after(0.02)) as h:
            h.clock.advance(0.45)  # the dispatcher wakes 0.45 s late
            await settle()
            await walk(h.clock, 0.5)
        by_time = {round(s.intended_at - START, 3): s for s in h.samples}
        assert by_time[0.1].latency_s == pytest.approx(0.35 + 0.02)
        assert by_time[0.4].latency_s == pytest.approx(0.05 + 0.02)
        assert by_time[0.5].latency_s == pytest.approx(0.02)

    run(scenario)


def test_outstanding_requests_are_bounded_and_waiting_counts_as_latency() -> None:
    async def scenario() -> None:
        async with Harness(never_answer, max_outstanding=3, timeout_s=1.0) as h:
            await walk(h.clock, 1.5)
            assert h.most_active == 3
            assert h.dispatcher.outstanding == 3
        fourth = h.by_intent()[3]
        # Intended at 0.3 s, sent when the first gave up at 1.0 s, then timed out.
        assert fourth.intended_at == pytest.approx(START + 0.3)
        assert fourth.latency_s == pytest.approx(0.7 + 1.0)

    run(scenario)


def test_a_timeout_is_a_failed_sample_lasting_until_given_up() -> None:
    async def scenario() -> None:
        async with Harness(never_answer, timeout_s=1.5) as h:
            await walk(h.clock, 1.6)
        first = h.by_intent()[0]
        assert (first.status, first.error) == (None, "timeout after 1.5 s")
        assert first.latency_s == pytest.approx(1.5)

    run(scenario)


def test_a_sender_that_raises_gives_a_failed_sample_naming_the_error() -> None:
    async def broken(clock: FakeClock, _: Request) -> Answer:
        raise RuntimeError("boom")

    async def scenario() -> None:
        async with Harness(broken) as h:
            await walk(h.clock, 0.05)
        assert h.samples[0].error == "sender raised RuntimeError: boom"
        assert h.samples[0].status is None

    run(scenario)


def test_samples_carry_the_phase_current_at_their_intended_time() -> None:
    async def scenario() -> None:
        async with Harness(answer_after(0.3)) as h:
            await walk(h.clock, 0.25)
            h.timeline.change(h.clock.now(), "inject")
            await walk(h.clock, 0.2)
        phases = [(round(s.intended_at - START, 3), s.phase) for s in h.by_intent()]
        assert phases[:5] == [
            (0.0, None),
            (0.1, None),
            (0.2, None),
            (0.3, "inject"),
            (0.4, "inject"),
        ]

    run(scenario)


def test_stop_ends_dispatching_and_waits_for_answers_in_flight() -> None:
    async def scenario() -> None:
        h = Harness(answer_after(0.5))
        async with h:
            await walk(h.clock, 0.35)
            h.stop.set()
            await walk(h.clock, 1.0)
            assert h.task.done()
        assert len(h.calls) == 4
        assert len(h.samples) == 4
        assert h.dispatcher.outstanding == 0

    run(scenario)


def test_stop_gives_up_on_a_sender_that_ignores_cancellation() -> None:
    async def stubborn(clock: FakeClock, _: Request) -> Answer:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await clock.sleep_until(clock.now() + 100)  # refuses to stop in time
        return 200, None

    async def scenario() -> None:
        async with Harness(stubborn, timeout_s=1.0) as h:
            await walk(h.clock, 0.05)
            h.stop.set()
            await walk(h.clock, 1.2)
            assert h.task.done()
        assert h.dispatcher.outstanding == 0

    run(scenario)


def test_a_duration_ends_the_schedule_by_itself() -> None:
    async def scenario() -> None:
        async with Harness(answer_after(0.01), duration_s=0.5) as h:
            await walk(h.clock, 1.0)
            assert h.task.done()
        assert len(h.samples) == 5

    run(scenario)


@pytest.mark.parametrize(
    "schedule",
    [
        {"rate_per_s": 0},
        {"rate_per_s": 1, "timeout_s": 0},
        {"rate_per_s": 1, "max_outstanding": 0},
    ],
)
def test_schedule_rejects_impossible_bounds(schedule: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        Schedule(**schedule)  # type: ignore[arg-type]
