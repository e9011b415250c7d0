"""The real sender: HTTP requests over kept-alive connections with aiohttp."""

from __future__ import annotations

import os
from types import TracebackType

import aiohttp

from faultdrill.errors import InvalidInput
from faultdrill.slo.model import Request
from faultdrill.urls import is_http_url


class HttpSender:
    """Sends probe requests to ``base_url``; use as ``async with``.

    Transport failures become an error string, never an exception, so each
    one is a failed sample. The dispatcher owns the timeout: aiohttp's own is
    off, so a request is never cut short by two clocks.
    """

    def __init__(self, base_url: str, connections: int) -> None:
        self._base = check_base_url(base_url)
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> HttpSender:
        # One pool, as many connections as requests may be outstanding, so
        # requests never queue inside the client where no one measures them.
        connector = aiohttp.TCPConnector(limit=self._connections)
        self._session = aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=None)
        )
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __call__(self, request: Request) -> tuple[int | None, str | None]:
        if self._session is None:
            raise RuntimeError("HttpSender used outside 'async with'")
        try:
            async with self._session.request(
                request.method.value,
                self._base + request.path,
                json=request.body,
                headers=request.headers or None,
                allow_redirects=False,
            ) as response:
                await response.read()
                return response.status, None
        except aiohttp.ClientError as exc:
            return None, describe(exc)
        except OSError as exc:  # aiohttp wraps most; a raw one is still a failure
            return None, _os_reason("socket", exc)


def describe(error: aiohttp.ClientError) -> str:
    """A short, countable name for a transport failure."""
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, aiohttp.ClientConnectorError):
        return _os_reason("connect", error.os_error)
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return "server disconnected"
    if isinstance(error, aiohttp.ClientOSError):
        return _os_reason("socket", error)
    if isinstance(error, aiohttp.ClientPayloadError):
        return "truncated body"
    if isinstance(error, aiohttp.ClientResponseError):
        return f"bad response: {error.message}"
    return type(error).__name__


def _os_reason(stage: str, error: OSError) -> str:
    # errno's own text ("connection refused") groups well; asyncio's messages
    # carry the address and would make every failure its own kind.
    reason = os.strerror(error.errno) if error.errno else type(error).__name__
    return f"{stage}: {reason.lower()}"


def check_base_url(
    base_url: str, source: str = "prober", field: str = "base_url"
) -> str:
    """``http(s)://host[:port][/prefix]`` without a trailing slash."""
    if not is_http_url(base_url) or "${" in base_url:
        raise InvalidInput.single(
            source,
            field,
            f"{base_url!r} is not an http(s) URL; give one like "
            "'http://127.0.0.1:8080' (a ${key} must name a configuration key)",
        )
    return base_url.rstrip("/")
