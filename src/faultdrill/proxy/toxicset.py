"""The toxics of one proxy: one ordered chain per stream, names unique
across both (Toxiproxy's TestAddConflictingToxicsMultistream)."""

from __future__ import annotations

from faultdrill.proxy import apierror
from faultdrill.proxy.stream import Stream
from faultdrill.proxy.toxics.entry import ToxicEntry


class ToxicSet:
    """Toxic entries per stream, in the order they were added."""

    def __init__(self) -> None:
        self._chains: dict[Stream, list[ToxicEntry]] = {s: [] for s in Stream}

    def exists(self, name: str) -> bool:
        return any(e.name == name for e in self.in_order())

    def get(self, name: str) -> ToxicEntry:
        for entry in self.in_order():
            if entry.name == name:
                return entry
        raise apierror.TOXIC_NOT_FOUND

    def chain(self, stream: Stream) -> list[ToxicEntry]:
        return list(self._chains[stream])

    def in_order(self) -> list[ToxicEntry]:
        """Upstream chain first, then downstream (``GetToxicArray``)."""
        return self._chains[Stream.UPSTREAM] + self._chains[Stream.DOWNSTREAM]

    def add(self, entry: ToxicEntry) -> None:
        if self.exists(entry.name):
            raise apierror.TOXIC_EXISTS
        self._chains[entry.direction].append(entry)

    def replace(self, entry: ToxicEntry) -> None:
        chain = self._chains[entry.direction]
        for index, current in enumerate(chain):
            if current.name == entry.name:
                chain[index] = entry
                return
        raise apierror.TOXIC_NOT_FOUND

    def remove(self, name: str) -> ToxicEntry:
        entry = self.get(name)
        self._chains[entry.direction].remove(entry)
        return entry
