"""``timeout``: swallows all data; closes after ``timeout`` ms of silence.

The timer restarts with every chunk that arrives; 0 never closes. Removing
the toxic closes the connections it applied to, as Toxiproxy does (its
TestTimeoutToxicClosesConnectionOnRemove; upstream issue #159).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from faultdrill.proxy.stage import StageIO
from faultdrill.proxy.toxics.base import Toxic


@dataclasses.dataclass(frozen=True)
class Timeout(Toxic):
    type_name: ClassVar[str] = "timeout"
    go_struct: ClassVar[str] = "TimeoutToxic"

    timeout: int = 0  # milliseconds

    async def pipe(self, io: StageIO) -> None:
        while True:
            if self.timeout > 0:
                chunk = await io.next_until(io.clock.now() + self.timeout / 1000)
            else:
                chunk = await io.next()
            if chunk is None or chunk.eof:
                io.close()
                return
            io.drop()

    def on_remove(self, io: StageIO) -> None:
        io.close()
