"""``slow_close``: data passes; the close that follows waits ``delay`` ms."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from faultdrill.proxy.stage import StageIO
from faultdrill.proxy.toxics.base import Toxic


@dataclasses.dataclass(frozen=True)
class SlowClose(Toxic):
    type_name: ClassVar[str] = "slow_close"
    go_struct: ClassVar[str] = "SlowCloseToxic"

    delay: int = 0  # milliseconds

    async def pipe(self, io: StageIO) -> None:
        while True:
            chunk = await io.next()
            if chunk.eof:
                await io.sleep_until(io.clock.now() + self.delay / 1000)
                io.forward()
                return
            io.forward()
