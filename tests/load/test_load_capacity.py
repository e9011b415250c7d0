"""Finding the capacity of a service whose capacity is known by construction."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from aiohttp import web

from faultdrill.load.capacity import find_capacity, judge
from faultdrill.load.golden import GoldenSignals, Latency, Saturation
from faultdrill.load.plan import Criterion, CriterionKind
from faultdrill.load.profile import StepsProfile, schedule_of
from faultdrill.load.run import LoadResult, LoadRun
from faultdrill.load.steps import SloCount, StepFigures
from faultdrill.slo.verdict import VerdictStatus

pytestmark = pytest.mark.e2e

SERVICE_S = 0.02  # one request at a time, 20 ms each: at most 50 requests/s
P95_UNDER_100MS = Criterion(
    name="p95-under-100ms", kind=CriterionKind.LATENCY, objective=95, threshold_ms=100
)


class OneAtATime:
    """An HTTP service on 127.0.0.1 that serves one request at a time."""

    def __init__(self) -> None:
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> OneAtATime:
        self._thread.start()
        assert self._ready.wait(5)
        return self

    def __exit__(self, *_: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        runner = self._loop.run_until_complete(self._serve())
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())
        self._loop.close()

    async def _serve(self) -> web.AppRunner:
        busy = asyncio.Semaphore(1)

        async def handle(_: web.Request) -> web.Response:
            async with busy:
                await asyncio.sleep(SERVICE_S)
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_get("/", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return runner


@pytest.fixture
def one_at_a_time() -> Iterator[str]:
    with OneAtATime() as service:
        yield service.url


def test_capacity_is_the_last_step_below_the_service_limit(one_at_a_time: str) -> None:
    run = LoadRun(
        target=one_at_a_time,
        profile=StepsProfile(type="steps", rates=[30, 45, 90], step_s=3),
        criteria=[P95_UNDER_100MS],
    )
    result = find_capacity(run)
    statuses = [s.slo["p95-under-100ms"].status.value for s in result.load.steps]
    assert statuses == ["held", "held", "deviated"]
    assert result.capacity_step == 1 and not result.lower_bound
    assert result.capacity_rps == pytest.approx(45, rel=0.05)
    assert "p95-under-100ms deviated" in (result.breach or "")
    rows = result.to_json()["steps"]
    assert [r["held"] for r in rows] == [True, True, False]
    # above capacity the queue grows: latency from the due time shows it
    assert rows[2]["p95_ms"] > 500


def step(index: int, rate: float, status: VerdictStatus) -> StepFigures:
    return StepFigures(
        index=index, target_rps=rate, users=1, start_s=0, end_s=1, requests=100,
        achieved_rps=rate, steady_rps=rate, failures=0, statuses={"200": 100},
        latency=Latency(1, 2, 3, 4), slo={"p95": SloCount(99, 1, status)},
        saturation=Saturation(10, 10, 2),
    )  # fmt: skip


def load_of(*steps: StepFigures) -> LoadResult:
    profile = StepsProfile(type="steps", rates=[s.target_rps for s in steps], step_s=1)
    run = LoadRun(target="http://127.0.0.1:9", profile=profile)
    signals = GoldenSignals(Latency(1, 2, 3, 4), 1, 1, 0, 0, 0, Saturation(1, 1, 2))
    return LoadResult(run, schedule_of(profile), list(steps), signals, 0, {})


def test_every_step_held_gives_a_lower_bound() -> None:
    held = VerdictStatus.HELD
    result = judge(load_of(step(0, 100, held), step(1, 200, held)))
    assert result.lower_bound and result.capacity_rps == 200
    assert (
        result.to_json()["summary"]
        == "capacity at least 200 requests/s: every step held"
    )


def test_a_step_too_short_to_tell_ends_the_search_without_a_claim() -> None:
    held, unsure = VerdictStatus.HELD, VerdictStatus.INCONCLUSIVE
    result = judge(
        load_of(step(0, 100, held), step(1, 200, unsure), step(2, 400, held))
    )
    assert result.capacity_rps == 100 and not result.lower_bound
    assert "inconclusive" in (result.breach or "")


def test_no_step_held_means_no_capacity() -> None:
    result = judge(load_of(step(0, 100, VerdictStatus.DEVIATED)))
    assert result.capacity_rps is None
    assert result.to_json()["summary"].startswith("no capacity found")
