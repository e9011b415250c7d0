"""The two directions data flows through a proxy."""

from __future__ import annotations

import enum


class Stream(enum.Enum):
    """``upstream`` is client to server; ``downstream`` is server to client."""

    UPSTREAM = "upstream"
    DOWNSTREAM = "downstream"

    @classmethod
    def parse(cls, text: str) -> Stream | None:
        """Toxiproxy matches the stream name in any case (stream/direction.go)."""
        try:
            return cls(text.lower())
        except ValueError:
            return None
