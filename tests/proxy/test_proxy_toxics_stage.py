"""Each toxic's behaviour on one stage, on a fake clock (no sockets)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

import pytest
from proxy_harness import Harness, entry

from faultdrill.proxy.toxics.bandwidth import Bandwidth
from faultdrill.proxy.toxics.limit_data import LimitData
from faultdrill.proxy.toxics.noop import Noop
from faultdrill.proxy.toxics.reset_peer import ResetPeer
from faultdrill.proxy.toxics.slicer import Slicer
from faultdrill.proxy.toxics.slow_close import SlowClose
from faultdrill.proxy.toxics.timeout import Timeout


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(scenario())  # type: ignore[arg-type]


def test_noop_passes_everything_including_the_end() -> None:
    async def scenario() -> None:
        h = Harness(Noop())
        h.send(b"a")
        h.send(b"b")
        h.send_eof()
        await h.advance(0)
        assert h.out.data == b"ab" and h.out.ended

    run(scenario)


# bandwidth


def test_bandwidth_sends_at_the_rate_in_kilobytes_of_1000() -> None:
    async def scenario() -> None:
        h = Harness(Bandwidth(rate=1000))  # 1,000,000 bytes per second
        h.send(b"x" * 480_000)
        await h.advance(0.479)
        assert len(h.out.data) < 480_000
        await h.advance(0.0011)
        assert len(h.out.data) == 480_000

    run(scenario)


def test_bandwidth_splits_large_chunks_into_a_tenth_of_a_second_each() -> None:
    async def scenario() -> None:
        h = Harness(Bandwidth(rate=10))  # 1,000 bytes per 100 ms
        h.send(b"y" * 2500)
        await h.advance(0.1)
        assert [len(c.data) for c in h.out.chunks] == [1000]
        await h.advance(0.1)
        await h.advance(0.05)
        assert [len(c.data) for c in h.out.chunks] == [1000, 1000, 500]

    run(scenario)


def test_bandwidth_zero_holds_data_and_removal_hands_it_all_on() -> None:
    async def scenario() -> None:
        h = Harness(Bandwidth(rate=0))
        h.send(b"held")
        h.send(b"back")
        await h.advance(60)
        assert h.out.data == b""
        h.stage.remove()
        assert h.out.data == b"heldback"

    run(scenario)


def test_bandwidth_update_to_a_rate_releases_held_data() -> None:
    async def scenario() -> None:
        h = Harness(Bandwidth(rate=0))
        h.send(b"z" * 100)
        await h.advance(1)
        h.stage.update(entry(Bandwidth(rate=1)))
        await h.advance(0.1)
        assert h.out.data == b"z" * 100

    run(scenario)


# slow_close


def test_slow_close_passes_data_and_delays_only_the_end() -> None:
    async def scenario() -> None:
        h = Harness(SlowClose(delay=500))
        h.send(b"data")
        h.send_eof()
        await h.advance(0)
        assert h.out.data == b"data" and not h.out.ended
        await h.advance(0.499)
        assert not h.out.ended
        await h.advance(0.001)
        assert h.out.ended

    run(scenario)


# timeout


def test_timeout_swallows_data_and_closes_after_silence() -> None:
    async def scenario() -> None:
        h = Harness(Timeout(timeout=100))
        h.send(b"lost")
        await h.advance(0.099)
        assert h.out.chunks == []
        await h.advance(0.002)
        assert h.out.data == b"" and h.out.ended
        assert h.host.released == 4

    run(scenario)


def test_timeout_timer_restarts_with_each_chunk() -> None:
    async def scenario() -> None:
        h = Harness(Timeout(timeout=100))
        for _ in range(5):
            await h.advance(0.08)
            h.send(b".")
        await h.advance(0.08)
        assert not h.out.ended
        await h.advance(0.03)
        assert h.out.ended

    run(scenario)


def test_timeout_zero_never_closes_but_still_swallows() -> None:
    async def scenario() -> None:
        h = Harness(Timeout(timeout=0))
        h.send(b"gone")
        await h.advance(3600)
        assert h.out.chunks == []

    run(scenario)


def test_removing_timeout_closes_the_connection() -> None:
    async def scenario() -> None:
        h = Harness(Timeout(timeout=0))
        h.send(b"gone")
        await h.advance(1)
        h.stage.remove()
        assert h.out.ended and h.out.data == b""

    run(scenario)


def test_removing_a_timeout_that_did_not_apply_keeps_the_connection() -> None:
    async def scenario() -> None:
        h = Harness(Timeout(timeout=0), toxicity=0.0)
        h.send(b"kept")
        await h.advance(0)
        h.stage.remove()
        assert h.out.data == b"kept" and not h.out.ended

    run(scenario)


# reset_peer


def test_reset_peer_drops_first_data_then_resets_after_timeout() -> None:
    async def scenario() -> None:
        h = Harness(ResetPeer(timeout=200))
        h.send(b"first")
        await h.advance(0.199)
        assert h.host.resets == 0
        await h.advance(0.0011)
        assert h.host.resets == 1
        assert h.out.chunks == []

    run(scenario)


def test_reset_peer_waits_for_data_before_counting() -> None:
    async def scenario() -> None:
        h = Harness(ResetPeer(timeout=0))
        await h.advance(10)
        assert h.host.resets == 0
        h.send(b"go")
        await h.advance(0)
        assert h.host.resets == 1

    run(scenario)


def test_reset_peer_with_toxicity_zero_never_resets() -> None:
    async def scenario() -> None:
        h = Harness(ResetPeer(timeout=0), toxicity=0.0)
        h.send(b"through")
        await h.advance(1)
        assert h.host.resets == 0 and h.out.data == b"through"

    run(scenario)


# slicer


@pytest.mark.parametrize(
    ("average", "variation"), [(1, 0), (10, 5), (100, 100), (7, 50), (4096, 0)]
)
def test_slicer_pieces_rebuild_the_chunk_and_respect_the_size_bound(
    average: int, variation: int
) -> None:
    data = bytes(random.Random(3).randrange(256) for _ in range(20_000))
    slicer = Slicer(average_size=average, size_variation=variation)
    pieces = slicer.pieces(data, random.Random(5))
    assert b"".join(pieces) == data
    assert all(0 < len(p) <= average + variation for p in pieces)


def test_slicer_sends_pieces_delay_microseconds_apart() -> None:
    async def scenario() -> None:
        h = Harness(Slicer(average_size=10, delay=1000))
        h.send(b"0123456789" * 4)
        await h.advance(0)
        assert len(h.out.chunks) == 1
        await h.advance(0.001)
        assert len(h.out.chunks) == 2
        await h.advance(0.002)
        assert h.out.data == b"0123456789" * 4

    run(scenario)


def test_removing_slicer_mid_chunk_hands_on_the_rest_in_order() -> None:
    async def scenario() -> None:
        h = Harness(Slicer(average_size=1, delay=1_000_000))
        h.send(b"abcdef")
        h.send(b"gh")
        await h.advance(0)
        h.stage.remove()
        assert h.out.data == b"abcdefgh"

    run(scenario)


# limit_data


def test_limit_data_cuts_the_crossing_chunk_and_closes() -> None:
    async def scenario() -> None:
        h = Harness(LimitData(bytes=5))
        h.send(b"abc")
        h.send(b"defg")
        await h.advance(0)
        assert h.out.data == b"abcde" and h.out.ended

    run(scenario)


def test_limit_data_zero_closes_on_the_first_chunk() -> None:
    async def scenario() -> None:
        h = Harness(LimitData(bytes=0))
        await h.advance(0)
        assert not h.out.ended
        h.send(b"x")
        await h.advance(0)
        assert h.out.data == b"" and h.out.ended

    run(scenario)


def test_limit_data_count_survives_an_update() -> None:
    async def scenario() -> None:
        h = Harness(LimitData(bytes=10))
        h.send(b"123456")
        await h.advance(0)
        h.stage.update(entry(LimitData(bytes=8)))
        h.send(b"789")
        await h.advance(0)
        assert h.out.data == b"12345678" and h.out.ended

    run(scenario)


# toxicity


def test_toxicity_is_drawn_per_stage_start() -> None:
    async def scenario() -> None:
        applied = 0
        for seed in range(200):
            h = Harness(Bandwidth(rate=0), toxicity=0.25, seed=seed)
            h.send(b"?")
            await h.advance(0)
            applied += h.out.data == b""
            h.stage.stop()
        assert 25 <= applied <= 75

    run(scenario)
