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

    def midpoint(self, size: int, rng: random.Random) -> int:
        """Where to cut a piece of ``size`` bytes in two (never at an end)."""
        middle = size // 2
        if self.size_variation > 0:
            middle += rng.randrange(-self.size_variation, self.size_variation)
        return min(max(middle, 1), size - 1)

    def small_enough(self, size: int) -> bool:
        return size - self.average_size <= self.size_variation

    def pieces(self, data: bytes, rng: random.Random) -> list[bytes]:
        """All the pieces of ``data``, in order, as the stage sends them."""
        done: list[bytes] = []
        pending = [data]
        while pending:
            piece = pending.pop()
            if self.small_enough(len(piece)):
                done.append(piece)
                continue
            cut = self.midpoint(len(piece), rng)
            pending += [piece[cut:], piece[:cut]]
        return done

    async def pipe(self, io: StageIO) -> None:
        send_at = io.clock.now()
        while True:
            chunk = await io.next()
            if chunk.eof:
                io.forward()
                return
            if not self.small_enough(len(chunk.data)):
                # Halve the head in place; the left half is cut further first,
                # so pieces leave in order and no big list is built at once.
                cut = self.midpoint(len(chunk.data), io.rng)
                io.split_head([chunk.data[:cut], chunk.data[cut:]])
                continue
            # Pieces go out on a schedule, delay apart, from the arrival.
            send_at = max(send_at, chunk.stamp)
            await io.sleep_until(send_at)
            io.forward()
            send_at += self.delay / 1_000_000
            if self.delay == 0:
                await asyncio.sleep(0)  # let other connections and the API run
