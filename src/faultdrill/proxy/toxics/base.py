"""What every toxic is: integer attributes, and a behaviour on a pipe.

A toxic is immutable; updating one builds a new value, and open connections
restart the stage with it. State that must survive an update (how many
bytes ``limit_data`` has let through) lives in ``new_state()``'s object,
which the stage keeps.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from typing import ClassVar

from faultdrill.proxy.stage import StageIO


@dataclasses.dataclass(frozen=True)
class Toxic(ABC):
    """Base of every toxic type; subclasses are frozen dataclasses of ints."""

    type_name: ClassVar[str]
    go_struct: ClassVar[str]  # the Go type Toxiproxy names in decode errors

    def attributes(self) -> dict[str, int]:
        """Attributes in Toxiproxy's field order, as its JSON shows them."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def problem(self) -> str | None:
        """Why these attributes cannot work (answered as 400), or ``None``."""
        return None

    def new_state(self) -> object | None:
        """Per-connection state that outlives updates; ``None`` if stateless."""
        return None

    @abstractmethod
    async def pipe(self, io: StageIO) -> None:
        """Handle chunks until the stream ends here (EOF sent or closed)."""

    def on_remove(self, io: StageIO) -> None:
        """When removed from a live connection: hand on everything held."""
        io.flush()


async def pass_through(io: StageIO) -> None:
    """Forward every chunk unchanged until the end of the stream."""
    while True:
        chunk = await io.next()
        io.forward()
        if chunk.eof:
            return
