"""One proxy: a listener, its upstream, its toxics and open connections.

Every change applies to open connections at once: a toxic added, updated
or removed reaches every connection's stage; disabling closes the listener
and every open socket (Toxiproxy's ``stop``); enabling binds again.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

from faultdrill.clock import Clock
from faultdrill.proxy import address
from faultdrill.proxy.connection import Connection
from faultdrill.proxy.direction import Counters
from faultdrill.proxy.stream import Stream
from faultdrill.proxy.toxics.entry import ToxicEntry
from faultdrill.proxy.toxicset import ToxicSet

log = logging.getLogger(__name__)


class Proxy:
    """A named TCP proxy from ``listen`` to ``upstream``."""

    def __init__(
        self, name: str, listen: str, upstream: str, clock: Clock, rng: random.Random
    ) -> None:
        self.name = name
        self.listen = listen  # the bound address once enabled
        self.upstream = upstream
        self.enabled = False
        self.toxics = ToxicSet()
        self.clock = clock
        self.rng = rng
        self.connections: set[Connection] = set()
        self._counters = {s: Counters() for s in Stream}
        self._server: asyncio.base_events.Server | None = None

    def to_json(self) -> dict[str, Any]:
        """The proxy's JSON, fields in Toxiproxy's order (``proxyToxics``)."""
        return {
            "name": self.name,
            "listen": self.listen,
            "upstream": self.upstream,
            "enabled": self.enabled,
            "Logger": {},  # an exported field of Toxiproxy's struct since 2.5.0
            "toxics": [entry.to_json() for entry in self.toxics.in_order()],
        }

    async def start(self) -> None:
        """Listen on ``listen``; a no-op when already enabled."""
        if self.enabled:
            return
        endpoint = await address.resolve_for_api(self.listen)
        sock = address.bind(endpoint)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            Connection.factory(self, self.upstream), sock=sock
        )
        self.listen = str(address.bound(sock, endpoint))
        self.enabled = True
        log.info(
            "proxy %s listening on %s for %s", self.name, self.listen, self.upstream
        )

    def stop(self) -> None:
        """Stop listening and close every open connection."""
        if not self.enabled:
            return
        self.enabled = False
        if self._server is not None:
            self._server.close()
            self._server = None
        for connection in list(self.connections):
            connection.abort()
        log.info("proxy %s stopped", self.name)

    def add_toxic(self, entry: ToxicEntry) -> None:
        self.toxics.add(entry)
        for connection in list(self.connections):
            connection.add(entry)
        log.info("proxy %s: toxic %s added", self.name, entry.name)

    def update_toxic(self, entry: ToxicEntry) -> None:
        self.toxics.replace(entry)
        for connection in list(self.connections):
            connection.update(entry)
        log.info("proxy %s: toxic %s updated", self.name, entry.name)

    def remove_toxic(self, name: str) -> None:
        entry = self.toxics.remove(name)
        for connection in list(self.connections):
            connection.remove(entry)
        log.info("proxy %s: toxic %s removed", self.name, name)

    def remove_all_toxics(self) -> None:
        for entry in self.toxics.in_order():
            self.remove_toxic(entry.name)

    # ConnectionHost: what connections ask of their proxy.

    def counters(self, stream: Stream) -> Counters:
        return self._counters[stream]

    def toxics_for(self, stream: Stream) -> list[ToxicEntry]:
        return self.toxics.chain(stream)

    def connection_opened(self, connection: Connection) -> None:
        self.connections.add(connection)

    def connection_closed(self, connection: Connection) -> None:
        self.connections.discard(connection)
