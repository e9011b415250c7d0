"""Drive one toxic stage on a fake clock, without sockets."""

from __future__ import annotations

import asyncio
import random

from faultdrill.clock import FakeClock
from faultdrill.proxy.pipe import Chunk
from faultdrill.proxy.stage import Stage
from faultdrill.proxy.stream import Stream
from faultdrill.proxy.toxics.base import Toxic
from faultdrill.proxy.toxics.entry import ToxicEntry


class Collector:
    """The receiver at the end of a stage: keeps what comes out."""

    def __init__(self) -> None:
        self.chunks: list[Chunk] = []

    def put(self, chunk: Chunk) -> None:
        self.chunks.append(chunk)

    @property
    def data(self) -> bytes:
        return b"".join(c.data for c in self.chunks)

    @property
    def ended(self) -> bool:
        return any(c.eof for c in self.chunks)


class FakeHost:
    """A direction stand-in: fake clock, seeded randomness, counters."""

    def __init__(self, clock: FakeClock, seed: int = 1) -> None:
        self._clock = clock
        self._rng = random.Random(seed)
        self.released = 0
        self.resets = 0

    @property
    def clock(self) -> FakeClock:
        return self._clock

    @property
    def rng(self) -> random.Random:
        return self._rng

    def release(self, nbytes: int) -> None:
        self.released += nbytes

    def reset_connection(self) -> None:
        self.resets += 1


def entry(toxic: Toxic, toxicity: float = 1.0, name: str = "t") -> ToxicEntry:
    return ToxicEntry(name, "downstream", Stream.DOWNSTREAM, toxicity, toxic)


async def settle() -> None:
    """Let every ready task run until they all wait."""
    for _ in range(500):
        await asyncio.sleep(0)


class Harness:
    """One stage between a feeder and a collector, on a fake clock."""

    def __init__(self, toxic: Toxic, toxicity: float = 1.0, seed: int = 1) -> None:
        self.clock = FakeClock()
        self.host = FakeHost(self.clock, seed)
        self.out = Collector()
        self.stage = Stage(entry(toxic, toxicity), self.out, self.host)
        self.stage.start()

    def send(self, data: bytes) -> None:
        self.stage.put(Chunk(data, self.clock.now()))

    def send_eof(self) -> None:
        self.stage.put(Chunk(b"", self.clock.now(), eof=True))

    async def advance(self, seconds: float) -> None:
        await settle()
        self.clock.advance(seconds)
        await settle()


class FakeEndpoint:
    """A socket stand-in for a Direction: records writes and closes."""

    def __init__(self) -> None:
        self.outgoing: object = None
        self.incoming: object = None
        self.written = bytearray()
        self.closed = False
        self.reading = True

    @property
    def writable(self) -> bool:
        return not self.closed

    def write(self, data: bytes) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True

    def set_reading(self, reading: bool) -> None:
        self.reading = reading


class FakeControl:
    """A connection stand-in for a Direction."""

    def __init__(self) -> None:
        self.resets = 0
        self.ended: list[object] = []

    def reset(self) -> None:
        self.resets += 1

    def source_closed(self, direction: object) -> None:
        self.ended.append(direction)
