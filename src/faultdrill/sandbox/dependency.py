"""The web app's client for the catalog, reached through the fault proxy.

One ``aiohttp.ClientSession`` with a keep-alive connection pool, as a real
service would hold, so faults on the proxy hit pooled connections too. Every
failure becomes a :class:`DependencyFailure` naming its kind, which the web
app turns into 504 (timeout) or 502 (anything else).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import aiohttp

from faultdrill.sandbox.metrics import DependencyErrorKind

log = logging.getLogger(__name__)

# Connections kept to the catalog at most: above the few dozen concurrent
# requests a local load test sends, below the 1024 file descriptors a
# default ulimit gives the process.
POOL_SIZE = 100

# How long an idle pooled connection is kept: aiohttp's default, 15 s.
KEEPALIVE_SECONDS = 15.0


class DependencyFailure(Exception):
    """The catalog did not give a usable answer."""

    def __init__(self, kind: DependencyErrorKind, detail: str) -> None:
        self.kind = kind
        self.detail = detail
        super().__init__(f"catalog {kind.value}: {detail}")


@dataclass(frozen=True)
class CatalogAnswer:
    status: int
    body: Any


class CatalogClient:
    """GETs JSON from the catalog at ``base_url`` within ``timeout`` seconds."""

    name = "catalog"

    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(
            limit=POOL_SIZE, keepalive_timeout=KEEPALIVE_SECONDS
        )
        # trust_env stays off: the catalog is on loopback, never behind the
        # HTTP proxy a developer's environment may name.
        self._session = aiohttp.ClientSession(
            connector=connector, timeout=self.timeout, trust_env=False
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get(self, path: str) -> CatalogAnswer:
        """The status and JSON body of ``GET path``; 200 and 404 are answers."""
        if self._session is None:
            raise RuntimeError("CatalogClient.start() must run before get()")
        url = self.base_url + path
        try:
            async with self._session.get(url) as response:
                return await _answer(response)
        except TimeoutError as exc:
            raise DependencyFailure(DependencyErrorKind.TIMEOUT, f"GET {url}") from exc
        except (aiohttp.ClientError, ValueError) as exc:
            detail = f"GET {url}: {type(exc).__name__}: {exc}"
            raise DependencyFailure(DependencyErrorKind.UNREACHABLE, detail) from exc


async def _answer(response: aiohttp.ClientResponse) -> CatalogAnswer:
    if response.status not in (200, 404):
        detail = f"GET {response.url} answered {response.status}"
        raise DependencyFailure(DependencyErrorKind.BAD_STATUS, detail)
    return CatalogAnswer(response.status, await response.json())
