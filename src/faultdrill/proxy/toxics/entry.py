"""A toxic as the API knows it: name, stream, toxicity and the toxic itself."""

from __future__ import annotations

import dataclasses
from typing import Any

from faultdrill.proxy.gojson import go_float
from faultdrill.proxy.stream import Stream
from faultdrill.proxy.toxics.base import Toxic


@dataclasses.dataclass(frozen=True)
class ToxicEntry:
    """One toxic installed on a proxy (Toxiproxy's ``ToxicWrapper``)."""

    name: str
    stream: str  # as the client sent it; matched in any case
    direction: Stream
    toxicity: float  # chance, per connection, that the toxic applies
    toxic: Toxic

    @property
    def type(self) -> str:
        return self.toxic.type_name

    def to_json(self) -> dict[str, Any]:
        """The toxic's JSON, fields in Toxiproxy's order."""
        return {
            "attributes": self.toxic.attributes(),
            "name": self.name,
            "type": self.type,
            "stream": self.stream,
            "toxicity": go_float(self.toxicity),
        }
