"""One socket of a proxied connection, as an asyncio protocol.

An endpoint is the source of one direction (what it reads goes there) and
the destination of the other (that direction writes into it). It passes
events on and lets the directions control when it reads.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from faultdrill.proxy.direction import Direction

log = logging.getLogger(__name__)

# Write buffer limits of each socket: above HIGH its source stops reading
# until the buffer drains to LOW. Sized for a quarter-megabyte read (the
# event loop's receive buffer) to pass in one write; measured with
# bench/bench_proxy.py.
WRITE_HIGH = 1024 * 1024
WRITE_LOW = 256 * 1024
LINGER_RESET = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close sends RST


class Endpoint(asyncio.Protocol):
    """A socket of a proxied connection."""

    def __init__(
        self,
        on_made: Callable[[Endpoint], None],
        on_lost: Callable[[Endpoint], None],
    ) -> None:
        self.transport: asyncio.Transport | None = None
        self.outgoing: Direction | None = None
        self.incoming: Direction | None = None
        self.lost = False
        self._reading = True
        self._early: list[bytes] = []  # read before the connection was wired
        self._early_eof = False
        self._on_made = on_made
        self._on_lost = on_lost

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport, so no isinstance.
        self.transport = cast(asyncio.Transport, transport)
        self.transport.set_write_buffer_limits(high=WRITE_HIGH, low=WRITE_LOW)
        self._on_made(self)

    def data_received(self, data: bytes) -> None:
        if self.outgoing is not None:
            self.outgoing.feed(data)
            return
        # uvloop starts reading after connection_made even when it paused
        # reading there; keep what comes early and pause again.
        self._early.append(data)
        self._reading = True
        self.set_reading(False)

    def eof_received(self) -> bool:
        if self.outgoing is not None:
            self.outgoing.feed_eof()
        else:
            self._early_eof = True
        return True  # keep the socket open for writing until the chain ends

    def replay_early(self) -> None:
        """Feed what arrived before ``outgoing`` was set."""
        assert self.outgoing is not None
        early, self._early = self._early, []
        for data in early:
            self.outgoing.feed(data)
        if self._early_eof:
            self.outgoing.feed_eof()

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if exc is not None:
            log.debug("socket lost: %s", exc)
        if self.outgoing is not None:
            self.outgoing.feed_eof()
        if self.incoming is not None:
            self.incoming.destination_lost()
        self._on_lost(self)

    def pause_writing(self) -> None:
        if self.incoming is not None:
            self.incoming.destination_full(True)

    def resume_writing(self) -> None:
        if self.incoming is not None:
            self.incoming.destination_full(False)

    @property
    def writable(self) -> bool:
        return self.transport is not None and not self.transport.is_closing()

    def write(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.write(data)

    def set_reading(self, reading: bool) -> None:
        if reading == self._reading or not self.writable:
            return
        assert self.transport is not None
        self._reading = reading
        if reading:
            self.transport.resume_reading()
        else:
            self.transport.pause_reading()

    def close(self) -> None:
        """Send what is buffered, then close (a FIN)."""
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def abort(self) -> None:
        """Close now, dropping what is buffered."""
        if self.transport is not None and not self.lost:
            self.transport.abort()

    def reset(self) -> None:
        """Close now with a TCP RST."""
        if self.transport is None or self.lost:
            return
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RESET)
            except OSError as exc:
                log.debug("cannot set SO_LINGER for a reset: %s", exc)
        self.transport.abort()
