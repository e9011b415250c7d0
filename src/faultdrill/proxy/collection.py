"""All proxies of a server, and the operations that span several of them.

Changes are serialised by one lock, so that a proxy and its toxics are
created atomically from any client's point of view (upstream issue #148).
"""

from __future__ import annotations

import asyncio
import logging
import random

from faultdrill.clock import Clock
from faultdrill.proxy import address, apierror
from faultdrill.proxy.apierror import ApiError
from faultdrill.proxy.proxy import Proxy
from faultdrill.proxy.proxyspec import ProxyChange, ProxySpec

log = logging.getLogger(__name__)


class ProxyCollection:
    """Proxies by name, in the order they were created."""

    def __init__(self, clock: Clock, rng: random.Random) -> None:
        self.lock = asyncio.Lock()
        self._proxies: dict[str, Proxy] = {}
        self._clock = clock
        self._rng = rng

    def all(self) -> list[Proxy]:
        return list(self._proxies.values())

    def get(self, name: str) -> Proxy:
        proxy = self._proxies.get(name)
        if proxy is None:
            raise apierror.PROXY_NOT_FOUND
        return proxy

    async def create(self, spec: ProxySpec) -> Proxy:
        """A new proxy, started if ``spec.enabled`` (Toxiproxy's ``Add``)."""
        if spec.name in self._proxies:
            raise apierror.PROXY_EXISTS
        proxy = self._new(spec)
        if spec.enabled:
            await proxy.start()
        self._proxies[spec.name] = proxy
        return proxy

    async def update(self, proxy: Proxy, change: ProxyChange) -> None:
        """Apply an update: a changed address restarts the proxy."""
        listen = proxy.listen if change.listen is None else change.listen
        upstream = proxy.upstream if change.upstream is None else change.upstream
        enabled = proxy.enabled if change.enabled is None else change.enabled
        if await self._differs(proxy, listen, upstream):
            proxy.stop()
            proxy.listen, proxy.upstream = listen, upstream
        if enabled and not proxy.enabled:
            await proxy.start()
        elif not enabled:
            proxy.stop()

    async def delete(self, name: str) -> None:
        proxy = self.get(name)
        proxy.stop()
        del self._proxies[name]

    async def populate(
        self, specs: list[ProxySpec]
    ) -> tuple[list[Proxy], ApiError | None]:
        """Create or replace each proxy in order; stop at the first failure.

        A proxy whose resolved listen address and upstream are unchanged is
        kept as it is, toxics and all.
        """
        done: list[Proxy] = []
        for spec in specs:
            try:
                done.append(await self._add_or_replace(spec))
            except ApiError as exc:
                return done, exc
        return done, None

    async def reset(self) -> None:
        """Enable every proxy and remove every toxic."""
        for proxy in self.all():
            await proxy.start()
            proxy.remove_all_toxics()

    def close(self) -> None:
        for proxy in self.all():
            proxy.stop()

    async def _add_or_replace(self, spec: ProxySpec) -> Proxy:
        existing = self._proxies.get(spec.name)
        if existing is not None:
            if not await self._differs(existing, spec.listen, spec.upstream):
                return existing
            existing.stop()
        proxy = self._new(spec)
        if spec.enabled:
            await proxy.start()
        self._proxies[spec.name] = proxy
        return proxy

    async def _differs(self, proxy: Proxy, listen: str, upstream: str) -> bool:
        """Whether ``listen``/``upstream`` name another address (``Differs``)."""
        try:
            resolved = await address.resolve(listen)
        except address.AddressError as exc:
            raise apierror.internal(str(exc)) from None
        return str(resolved) != proxy.listen or upstream != proxy.upstream

    def _new(self, spec: ProxySpec) -> Proxy:
        return Proxy(spec.name, spec.listen, spec.upstream, self._clock, self._rng)
