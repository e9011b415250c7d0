"""``latency``: delays each chunk by ``latency`` ms, give or take ``jitter``.

The delay runs from the moment the chunk arrived, not from when the stage
got to it, so a bulk transfer keeps its throughput and only gains latency.
"""

from __future__ import annotations

import dataclasses
import random
from typing import ClassVar

from faultdrill.proxy.stage import StageIO
from faultdrill.proxy.toxics.base import Toxic


@dataclasses.dataclass(frozen=True)
class Latency(Toxic):
    type_name: ClassVar[str] = "latency"
    go_struct: ClassVar[str] = "LatencyToxic"

    latency: int = 0  # milliseconds
    jitter: int = 0  # milliseconds, uniform in [-jitter, +jitter)

    def delay(self, rng: random.Random) -> float:
        """Seconds to add to one chunk; negative totals mean no delay."""
        millis = self.latency
        if self.jitter > 0:
            millis += rng.randrange(-self.jitter, self.jitter)
        return millis / 1000

    async def pipe(self, io: StageIO) -> None:
        while True:
            chunk = await io.next()
            if chunk.eof:
                io.forward()
                return
            due = chunk.stamp + self.delay(io.rng)
            await io.sleep_until(due)
            # The next latency stage counts from this release, so stacked
            # latencies add up (Toxiproxy's TestTwoLatencyToxics).
            chunk.stamp = max(chunk.stamp, due)
            io.forward()
