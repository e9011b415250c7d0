"""``noop``: passes data unchanged; also what a toxic does when its
toxicity draw says it does not apply to a connection."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from faultdrill.proxy.stage import StageIO
from faultdrill.proxy.toxics.base import Toxic, pass_through


@dataclasses.dataclass(frozen=True)
class Noop(Toxic):
    type_name: ClassVar[str] = "noop"
    go_struct: ClassVar[str] = "NoopToxic"

    async def pipe(self, io: StageIO) -> None:
        await pass_through(io)
