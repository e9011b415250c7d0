"""One direction of a connection: source socket, toxic chain, destination.

With no toxic in the direction, each read is written straight to the
destination. Otherwise reads enter the chain as stamped chunks and the
direction itself is the chain's final receiver. Either way the source stops
reading while the destination's buffer is full or the chain holds too much.
"""

from __future__ import annotations

import random
from typing import Protocol

from faultdrill.clock import Clock
from faultdrill.proxy.endpoint import Endpoint
from faultdrill.proxy.pipe import Chunk
from faultdrill.proxy.stage import Stage
from faultdrill.proxy.stream import Stream
from faultdrill.proxy.toxics.entry import ToxicEntry

# Bytes a chain may hold before its source stops reading. Toxiproxy buffers
# 1024 chunks of up to 32 KiB between stages (link.go); the same 32 MiB lets
# a 100 ms latency carry over 300 MB/s.
CHAIN_HIGH = 32 * 1024 * 1024
CHAIN_LOW = CHAIN_HIGH // 2


class Counters:
    """Bytes read from the source and written to the destination."""

    __slots__ = ("received", "sent")

    def __init__(self) -> None:
        self.received = 0
        self.sent = 0


class ConnectionControl(Protocol):
    """What a direction may ask of its connection."""

    def reset(self) -> None: ...

    def source_closed(self, direction: Direction) -> None:
        """``direction`` ended; the other one must end behind its data."""
        ...


class Direction:
    """Data moving one way through a proxied connection."""

    def __init__(
        self,
        stream: Stream,
        source: Endpoint,
        destination: Endpoint,
        control: ConnectionControl,
        clock: Clock,
        rng: random.Random,
        counters: Counters,
    ) -> None:
        self.stream = stream
        self.source = source
        self.destination = destination
        self.chain: list[Stage] = []
        self.held = 0  # bytes inside the chain
        self.ended = False  # the end of stream reached the destination
        self._control = control
        self._clock = clock
        self._rng = rng
        self._counters = counters
        self._eof_fed = False
        self._destination_full = False
        self._chain_full = False
        source.outgoing = self
        destination.incoming = self

    @property
    def clock(self) -> Clock:
        return self._clock

    @property
    def rng(self) -> random.Random:
        return self._rng

    def feed(self, data: bytes) -> None:
        """Data read from the source."""
        self._counters.received += len(data)
        if not self.chain:
            self._write(data)
            return
        self.held += len(data)
        self.chain[0].put(Chunk(data, self._clock.now()))
        if not self._chain_full and self.held > CHAIN_HIGH:
            self._chain_full = True
            self._sync_reading()

    def feed_eof(self) -> None:
        """The source closed (or failed); the end travels behind its data."""
        if self._eof_fed:
            return
        self._eof_fed = True
        if self.chain:
            self.chain[0].put(Chunk(b"", self._clock.now(), eof=True))
        else:
            self._end()

    def put(self, chunk: Chunk) -> None:
        """What comes out of the last stage of the chain."""
        if chunk.eof:
            self._end()
            return
        self.release(len(chunk.data))
        self._write(chunk.data)

    def release(self, nbytes: int) -> None:
        self.held -= nbytes
        if self._chain_full and self.held <= CHAIN_LOW:
            self._chain_full = False
            self._sync_reading()

    def reset_connection(self) -> None:
        self._control.reset()

    def destination_full(self, full: bool) -> None:
        self._destination_full = full
        self._sync_reading()

    def destination_lost(self) -> None:
        self._destination_full = False

    def add(self, entry: ToxicEntry) -> None:
        stage = Stage(entry, self, self)
        if self.chain:
            self.chain[-1].output = stage
        self.chain.append(stage)
        stage.start()

    def update(self, entry: ToxicEntry) -> None:
        for stage in self.chain:
            if stage.entry.name == entry.name:
                stage.update(entry)

    def remove(self, name: str) -> None:
        for index, stage in enumerate(self.chain):
            if stage.entry.name == name:
                if index > 0:
                    self.chain[index - 1].output = stage.output
                del self.chain[index]
                stage.remove()
                return

    def stop(self) -> None:
        """Stop every stage (the connection is gone)."""
        for stage in self.chain:
            stage.stop()

    def _write(self, data: bytes) -> None:
        if self.ended or not self.destination.writable:
            return
        self.destination.write(data)
        self._counters.sent += len(data)

    def _end(self) -> None:
        if self.ended:
            return
        self.ended = True
        self.destination.close()
        self._control.source_closed(self)

    def _sync_reading(self) -> None:
        self.source.set_reading(not (self._destination_full or self._chain_full))
