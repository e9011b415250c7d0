"""The latency toxic's timing, on a fake clock."""

from __future__ import annotations

import asyncio

from proxy_harness import Harness

from faultdrill.proxy.toxics.latency import Latency


def test_latency_holds_a_chunk_until_its_delay_has_passed() -> None:
    async def scenario() -> None:
        h = Harness(Latency(latency=100))
        h.send(b"a")
        await h.advance(0.099)
        assert h.out.data == b""
        await h.advance(0.001)
        assert h.out.data == b"a"

    asyncio.run(scenario())


def test_latency_counts_from_arrival_so_back_to_back_chunks_are_not_throttled() -> None:
    async def scenario() -> None:
        h = Harness(Latency(latency=100))
        start = h.clock.now()
        for index in range(50):  # one chunk per millisecond
            h.clock.set(start + index / 1000)
            h.send(bytes([index]))
        await h.advance(0)
        h.clock.set(start + 0.1005)
        await h.advance(0)
        assert h.out.data == bytes([0])
        h.clock.set(start + 0.1495)
        await h.advance(0)
        # Each chunk left 100 ms after it arrived, not 100 ms after the
        # previous one left: 50 chunks took 150 ms, not 5 s.
        assert h.out.data == bytes(range(50))

    asyncio.run(scenario())


def test_jitter_stays_within_plus_or_minus_jitter_and_keeps_order() -> None:
    async def scenario() -> None:
        h = Harness(Latency(latency=100, jitter=20), seed=7)
        h.send(b"x")
        await h.advance(0.079)
        early = h.out.data
        await h.advance(0.041)
        assert early == b""
        assert h.out.data == b"x"

    asyncio.run(scenario())


def test_end_of_stream_follows_delayed_data_without_extra_delay() -> None:
    async def scenario() -> None:
        h = Harness(Latency(latency=100))
        h.send(b"last")
        h.send_eof()
        await h.advance(0.1)
        assert h.out.data == b"last"
        assert h.out.ended

    asyncio.run(scenario())


def test_removing_latency_hands_held_chunks_on_in_order() -> None:
    async def scenario() -> None:
        h = Harness(Latency(latency=10_000))
        for part in (b"1", b"2", b"3"):
            h.send(part)
        await h.advance(0.5)
        h.stage.remove()
        assert h.out.data == b"123"

    asyncio.run(scenario())


def test_zero_toxicity_passes_data_without_delay() -> None:
    async def scenario() -> None:
        h = Harness(Latency(latency=1000), toxicity=0.0)
        h.send(b"now")
        await h.advance(0)
        assert h.out.data == b"now"

    asyncio.run(scenario())
