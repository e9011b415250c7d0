"""``slicer``: cuts each chunk into pieces of about ``average_size`` bytes
(give or take ``size_variation``), sent ``delay`` microseconds apart.

Pieces come from halving a chunk, with the midpoint moved at random by up
to the variation, until each piece is small enough. The midpoint is kept
inside the chunk, so a variation as large as the average cannot break it
(upstream issue #541), and an average of 0, which Toxiproxy splits forever,
is refused.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import random
from typing import ClassVar

from faultdrill.proxy.stage import StageIO
from faultdrill.proxy.toxics.base import Toxic


@dataclasses.dataclass(frozen=True)
class Slicer(Toxic):
    type_name: ClassVar[str] = "slicer"
    go_struct: ClassVar[str] = "SlicerToxic"

    average_size: int = 0  # bytes
    size_variation: int = 0  # bytes
    delay: int = 0  # microseconds between pieces

    def problem(self) -> str | None:
        if self.average_size < 1:
            return (
                f"average_size must be at least 1 byte, got {self.average_size} "
                "(0 would slice forever)"
            )
        if self.size_variation < 0:
            return f"size_variation must be 0 or more bytes, got {self.size_variation}"
        if self.delay < 0:
            return f"delay must be 0 or more microseconds, got {self.delay}"
        return None

    def cut_points(self, size: int, rng: random.Random) -> list[int]:
        """Where to cut a chunk of ``size`` bytes, in order (ends excluded)."""
        cuts: list[int] = []
        pending = [(0, size)]
        while pending:
            start, end = pending.pop()
            if (end - start) - self.average_size <= self.size_variation:
                cuts.append(end)
                continue
            middle = start + (end - start) // 2
            if self.size_variation > 0:
                middle += rng.randrange(-self.size_variation, self.size_variation)
            middle = min(max(middle, start + 1), end - 1)
            pending.append((middle, end))
            pending.append((start, middle))
        return cuts[:-1]

    def pieces(self, data: bytes, rng: random.Random) -> list[bytes]:
        edges = [0, *self.cut_points(len(data), rng), len(data)]
        return [data[a:b] for a, b in itertools.pairwise(edges)]

    async def pipe(self, io: StageIO) -> None:
        limit = self.average_size + self.size_variation
        send_at = io.clock.now()
        while True:
            chunk = await io.next()
            if chunk.eof:
                io.forward()
                return
            if len(chunk.data) > limit:
                io.split_head(self.pieces(chunk.data, io.rng))
            # Pieces go out on a schedule, delay apart, from the arrival.
            send_at = max(send_at, chunk.stamp)
            await io.sleep_until(send_at)
            io.forward()
            send_at += self.delay / 1_000_000
            if self.delay == 0:
                await asyncio.sleep(0)  # let other connections and the API run
