"""``bandwidth``: limits a stream to ``rate`` KB/s (1 KB = 1000 bytes).

Chunks larger than a tenth of a second's worth are sent in pieces of that
size, so a slow rate shows as a steady trickle rather than long pauses.
A rate of 0 holds all data until the toxic is updated or removed; removal
then hands everything on (Toxiproxy hangs there, upstream issue #210).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from faultdrill.proxy.stage import StageIO
from faultdrill.proxy.toxics.base import Toxic

BYTES_PER_KB = 1000  # Toxiproxy's rate unit (toxics/bandwidth.go)
PIECE_SECONDS = 0.1  # largest piece: 100 ms of data (toxics/bandwidth.go)


@dataclasses.dataclass(frozen=True)
class Bandwidth(Toxic):
    type_name: ClassVar[str] = "bandwidth"
    go_struct: ClassVar[str] = "BandwidthToxic"

    rate: int = 0  # KB/s

    def problem(self) -> str | None:
        if self.rate < 0:
            return f"rate must be 0 (hold all data) or more KB/s, got {self.rate}"
        return None

    async def pipe(self, io: StageIO) -> None:
        bytes_per_second = self.rate * BYTES_PER_KB
        piece = max(1, int(bytes_per_second * PIECE_SECONDS))
        free_at = io.clock.now()
        while True:
            chunk = await io.next()
            if chunk.eof:
                io.forward()
                return
            if bytes_per_second == 0:
                await io.hold()
            size = min(len(chunk.data), piece)
            # A backlog is sent on schedule, so late wake-ups do not add up;
            # after a pause the schedule starts again from the arrival.
            free_at = max(free_at, chunk.stamp) + size / bytes_per_second
            await io.sleep_until(free_at)
            if size < len(chunk.data):
                io.forward_part(size)
            else:
                io.forward()
