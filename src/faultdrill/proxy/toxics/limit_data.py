"""``limit_data``: lets ``bytes`` bytes through per connection and direction,
cutting the chunk that crosses the limit, then closes the connection.

The count is per connection; it survives updates of the toxic and starts
again from zero when the toxic is removed and added anew.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from faultdrill.proxy.stage import StageIO
from faultdrill.proxy.toxics.base import Toxic


@dataclasses.dataclass
class Sent:
    """Bytes this toxic has let through on one connection and direction."""

    count: int = 0


@dataclasses.dataclass(frozen=True)
class LimitData(Toxic):
    type_name: ClassVar[str] = "limit_data"
    go_struct: ClassVar[str] = "LimitDataToxic"

    bytes: int = 0

    def new_state(self) -> Sent:
        return Sent()

    async def pipe(self, io: StageIO) -> None:
        sent = io.state
        assert isinstance(sent, Sent)
        while True:
            chunk = await io.next()
            if chunk.eof:
                io.forward()
                return
            allowed = max(self.bytes - sent.count, 0)
            if allowed < len(chunk.data):
                io.truncate_head(allowed)
            if allowed > 0:
                sent.count += len(io.forward().data)
            else:
                io.drop()
            if self.bytes - sent.count <= 0:
                io.close()
                return
