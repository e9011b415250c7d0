"""The threaded prober: streams per request, phases, samples, stopping."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

import pytest

from faultdrill.errors import InvalidInput
from faultdrill.probe import Prober, ProbeSample
from faultdrill.slo import VerdictStatus, evaluate
from faultdrill.slo.model import Request, default_slo_file

SLOS = default_slo_file().slos
# Generous bounds for a shared 2-core machine; the tests end as soon as the
# condition holds, typically within a few hundred milliseconds.
WAIT_S = 5.0


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


async def instant(_: Request) -> tuple[int | None, str | None]:
    return 200, None


def prober_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "faultdrill-prober"]


def test_slos_with_equal_requests_share_one_stream() -> None:
    prober = Prober(SLOS, "http://127.0.0.1:1")

    assert [r.key for r in prober.requests] == [
        "GET /",
        'POST /login {"password":"demo","user":"demo"}',
        "GET /api/videos/42",
    ]


def test_probes_every_request_of_the_slos_over_loopback(loopback_url: str) -> None:
    with Prober(SLOS, loopback_url, rate_per_s=50) as prober:
        wait_until(lambda: len({s.request for s in prober.samples()}) == 3)

    samples = prober.samples()
    assert {(s.status, s.error) for s in samples} == {(200, None)}
    assert all(0 <= s.latency_s < 5 for s in samples)


def test_samples_carry_the_phase_and_filter_by_phase_and_time() -> None:
    def count(phase: str) -> Callable[[], bool]:
        return lambda: len(prober.samples(phase=phase)) >= 5

    with Prober(SLOS[:1], "http://127.0.0.1:1", 200, sender=instant) as prober:
        prober.set_phase("before")
        wait_until(count("before"))
        prober.set_phase("inject")
        switched = time.monotonic()
        wait_until(count("inject"))

    assert {s.phase for s in prober.samples(phase="inject")} == {"inject"}
    later = prober.samples(since=switched)
    assert later
    assert all(s.intended_at >= switched for s in later)
    assert {s.phase for s in later} == {"inject"}


def test_stop_is_idempotent_and_ends_the_thread() -> None:
    prober = Prober(SLOS[:1], "http://127.0.0.1:1", 100, sender=instant).start()
    wait_until(lambda: len(prober.samples()) > 0)

    prober.stop()
    after_stop = len(prober.samples())
    prober.stop()

    assert prober_threads() == []
    assert len(prober.samples()) == after_stop


def test_stop_before_start_does_nothing() -> None:
    Prober(SLOS, "http://127.0.0.1:1").stop()


def test_a_prober_starts_only_once() -> None:
    with (
        Prober(SLOS[:1], "http://127.0.0.1:1", sender=instant) as prober,
        pytest.raises(RuntimeError, match="already started"),
    ):
        prober.start()


def test_refused_connections_are_failed_samples() -> None:
    # Port 1 on loopback: nothing listens there, the kernel refuses at once.
    with Prober(SLOS[:1], "http://127.0.0.1:1", rate_per_s=100) as prober:
        wait_until(lambda: len(prober.samples()) >= 3)

    sample: ProbeSample = prober.samples()[0]
    assert sample.status is None
    assert sample.error == "connect: connection refused"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"rate_per_s": 0}, "schedule"),
        ({"timeout_s": -1}, "schedule"),
        ({"max_duration_s": 0}, "schedule"),
        ({"base_url": "localhost:8080"}, "base_url"),
    ],
)
def test_impossible_settings_are_invalid_input(
    kwargs: dict[str, object], field: str
) -> None:
    settings: dict[str, object] = {"base_url": "http://127.0.0.1:1"} | kwargs

    with pytest.raises(InvalidInput) as caught:
        Prober(SLOS, **settings)  # type: ignore[arg-type]

    assert caught.value.problems[0].field == field


def test_probe_samples_feed_a_verdict(loopback_url: str) -> None:
    slo = default_slo_file().get("api-latency-p95")
    needed = 59  # p95 at 95% confidence with no slow request

    with Prober([slo], loopback_url, rate_per_s=100) as prober:
        prober.set_phase("steady")
        wait_until(lambda: len(prober.samples(phase="steady")) >= needed)

    verdict = evaluate(slo, prober.samples(phase="steady"))

    assert verdict.status is VerdictStatus.HELD
    assert verdict.latency is not None
    assert verdict.latency.objective_ms is not None
    assert verdict.latency.objective_ms < 500


def test_wait_answered_lets_a_phases_slow_requests_land() -> None:
    async def slow(_: Request) -> tuple[int | None, str | None]:
        await asyncio.sleep(1.0)
        return 200, None

    with Prober(SLOS[:1], "http://127.0.0.1:1", 50, sender=slow) as prober:
        prober.set_phase("during")
        started = prober.now()  # requests intended from here on are "during"
        wait_until(lambda: len(prober.unanswered()) >= 8)
        ended = prober.now()
        prober.set_phase(None)
        sent = [w for _, w in prober.unanswered() if started <= w < ended]
        assert prober.samples(phase="during") == []  # all still in flight

        assert prober.wait_answered(ended) == 0

        landed = prober.samples(phase="during")
        assert len(landed) >= len(sent)
        assert all(s.latency_s >= 0.99 for s in landed)
