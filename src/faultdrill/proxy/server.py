"""The whole embedded server on one event loop: proxies plus their API."""

from __future__ import annotations

import logging
import random
import socket
from dataclasses import dataclass

from aiohttp import web

from faultdrill.clock import Clock, MonotonicClock
from faultdrill.errors import InvalidInput
from faultdrill.proxy import address, metrics
from faultdrill.proxy.api import Api
from faultdrill.proxy.apierror import ApiError
from faultdrill.proxy.collection import ProxyCollection
from faultdrill.proxy.proxyspec import ProxySpec

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"  # loopback unless told otherwise
DEFAULT_PORT = 8474  # Toxiproxy's API port (cmd/server/server.go)


class PopulateFailed(Exception):
    """Proxy number ``position`` (0-based) of a populate list could not start."""

    def __init__(self, position: int, error: ApiError) -> None:
        super().__init__(error.message)
        self.position = position
        self.error = error


@dataclass(frozen=True)
class ServerOptions:
    """How to run the server; the defaults match ``toxiproxy-server``."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    proxy_metrics: bool = False
    runtime_metrics: bool = False
    seed: int | None = None  # for reproducible jitter, toxicity and slicing


class ProxyServer:
    """Proxies and the HTTP API that manages them; ``start`` inside a loop."""

    def __init__(self, options: ServerOptions, clock: Clock | None = None) -> None:
        self.options = options
        self.proxies = ProxyCollection(
            clock or MonotonicClock(), random.Random(options.seed)
        )
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Listen for API requests; returns the API's URL (real port)."""
        sock = await self._bind()
        collectors = None
        if self.options.proxy_metrics or self.options.runtime_metrics:
            collectors = metrics.registry(
                self.proxies, self.options.proxy_metrics, self.options.runtime_metrics
            )
        self._runner = web.AppRunner(
            Api(self.proxies, collectors).app(), access_log=None
        )
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()
        host, port = sock.getsockname()[:2]
        self.url = f"http://{address.join(host, port)}"
        log.info("Toxiproxy-compatible API listening on %s", self.url)
        return self.url

    async def populate(self, specs: list[ProxySpec]) -> None:
        """Create proxies as ``/populate`` would; raise at the first failure."""
        async with self.proxies.lock:
            done, error = await self.proxies.populate(specs)
        if error is not None:
            raise PopulateFailed(len(done), error)

    async def close(self) -> None:
        """Close every proxy, connection and the API."""
        async with self.proxies.lock:
            self.proxies.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _bind(self) -> socket.socket:
        where = address.join(self.options.host, self.options.port)
        try:
            return address.bind(await address.resolve(where))
        except (address.AddressError, ApiError) as exc:
            message = (
                f"cannot listen for the API: {exc}; choose a free port, or 0 for any"
            )
            raise InvalidInput.single("--host/--port", where, message) from None
