"""One client connection through a proxy and its connection upstream.

The client socket is accepted paused; the upstream is dialled; only then
does data flow, through one direction each way. When a direction ends (its
source closed, or a toxic closed it), its destination is closed and the
other direction ends behind whatever it still carries: Toxiproxy closes a
connection whole rather than passing half-closes on (link.go).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Iterable
from typing import Protocol

from faultdrill.clock import Clock
from faultdrill.proxy import address
from faultdrill.proxy.direction import Counters, Direction
from faultdrill.proxy.endpoint import Endpoint
from faultdrill.proxy.stream import Stream
from faultdrill.proxy.toxics.entry import ToxicEntry

log = logging.getLogger(__name__)


class ConnectionHost(Protocol):
    """The proxy, as its connections see it."""

    clock: Clock
    rng: random.Random

    def counters(self, stream: Stream) -> Counters: ...

    def toxics_for(self, stream: Stream) -> Iterable[ToxicEntry]: ...

    def connection_opened(self, connection: Connection) -> None: ...

    def connection_closed(self, connection: Connection) -> None: ...


class Connection:
    """A client socket, its upstream socket, and the two directions."""

    def __init__(self, host: ConnectionHost, upstream: str) -> None:
        self._host = host
        self._upstream = upstream
        self.client = Endpoint(self._client_made, self._endpoint_lost)
        self.server: Endpoint | None = None
        self.directions: dict[Stream, Direction] = {}
        self._dial: asyncio.Task[None] | None = None
        self._dialing = False
        self._closed = False

    @classmethod
    def factory(cls, host: ConnectionHost, upstream: str) -> Callable[[], Endpoint]:
        """A protocol factory for a listener: one connection per accept."""
        return lambda: cls(host, upstream).client

    def add(self, entry: ToxicEntry) -> None:
        direction = self.directions.get(entry.direction)
        if direction is not None:
            direction.add(entry)

    def update(self, entry: ToxicEntry) -> None:
        direction = self.directions.get(entry.direction)
        if direction is not None:
            direction.update(entry)

    def remove(self, entry: ToxicEntry) -> None:
        direction = self.directions.get(entry.direction)
        if direction is not None:
            direction.remove(entry.name)

    def abort(self) -> None:
        """Close both sockets now (the proxy was disabled or deleted)."""
        if self._dial is not None:
            self._dial.cancel()
        self._stop_stages()
        for endpoint in self._endpoints():
            endpoint.abort()

    def reset(self) -> None:
        """Close both sockets with a TCP RST."""
        self._stop_stages()
        for endpoint in self._endpoints():
            endpoint.reset()

    def source_closed(self, direction: Direction) -> None:
        for other in self.directions.values():
            if other is not direction:
                other.feed_eof()

    def _client_made(self, client: Endpoint) -> None:
        client.set_reading(False)
        self._host.connection_opened(self)
        self._dialing = True
        self._dial = asyncio.get_running_loop().create_task(self._connect())

    async def _connect(self) -> None:
        try:
            await self._dial_upstream()
        finally:
            self._dialing = False
            self._maybe_finish()

    async def _dial_upstream(self) -> None:
        # TODO(dial timeout): like Toxiproxy, a silent upstream holds this one
        # client until the kernel gives up (about 2 min); other connections
        # and the API are not affected. A timeout would need its own setting.
        loop = asyncio.get_running_loop()
        server = Endpoint(lambda _: None, self._endpoint_lost)
        try:
            # Parsed at each dial, as Toxiproxy does: a bad upstream is not
            # refused at creation, it fails every connection.
            host, port = address.upstream(self._upstream)
            await loop.create_connection(lambda: server, host, port)
        except (OSError, address.AddressError) as exc:
            # Toxiproxy closes the client when the dial fails: it sees EOF.
            log.debug("cannot reach upstream %s: %s", self._upstream, exc)
            self.client.close()
            return
        self.server = server
        if self.client.lost:
            server.close()
            return
        self._wire(self.client, server)
        self.client.replay_early()
        server.replay_early()
        self.client.set_reading(True)
        server.set_reading(True)

    def _wire(self, client: Endpoint, server: Endpoint) -> None:
        for stream, source, destination in (
            (Stream.UPSTREAM, client, server),
            (Stream.DOWNSTREAM, server, client),
        ):
            direction = Direction(
                stream,
                source,
                destination,
                self,
                self._host.clock,
                self._host.rng,
                self._host.counters(stream),
            )
            self.directions[stream] = direction
            for entry in self._host.toxics_for(stream):
                direction.add(entry)

    def _endpoints(self) -> list[Endpoint]:
        return [e for e in (self.client, self.server) if e is not None]

    def _endpoint_lost(self, endpoint: Endpoint) -> None:
        self._maybe_finish()

    def _maybe_finish(self) -> None:
        if self._closed or self._dialing:
            return
        if not all(e.lost for e in self._endpoints()):
            return
        self._closed = True
        self._stop_stages()
        self._host.connection_closed(self)

    def _stop_stages(self) -> None:
        for direction in self.directions.values():
            direction.stop()
