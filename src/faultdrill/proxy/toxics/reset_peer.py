"""``reset_peer``: on the first data (or close), waits ``timeout`` ms and then
resets the connection with a real TCP RST (SO_LINGER 0), so the client sees
ECONNRESET.

Unlike Toxiproxy, the RST happens exactly when the toxic applies: also on
connections opened before it was added, and never when its toxicity draw
says it does not apply (upstream issue #603).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from faultdrill.proxy.stage import StageIO
from faultdrill.proxy.toxics.base import Toxic


@dataclasses.dataclass(frozen=True)
class ResetPeer(Toxic):
    type_name: ClassVar[str] = "reset_peer"
    go_struct: ClassVar[str] = "ResetToxic"

    timeout: int = 0  # milliseconds

    async def pipe(self, io: StageIO) -> None:
        first = await io.next()
        io.drop()
        await io.sleep_until(first.stamp + self.timeout / 1000)
        io.reset()
