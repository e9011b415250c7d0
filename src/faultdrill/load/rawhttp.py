"""One HTTP/1.1 request per connection, from a chosen local address.

Rate-limit measurements need two things a pooled client hides: the client
address (a per-IP limit keys on it) and the moment a request leaves (a
volley must reach the limiter at once). So each request gets a connection of
its own, bound to its key's address, opened first and written when asked;
``Connection: close`` lets the server end it, and the answer is read to EOF.
Only the status and ``Retry-After`` are kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from faultdrill.errors import InvalidInput
from faultdrill.load.keys import SOURCE, ClientKey, connect_host
from faultdrill.slo.model import Request

# The status line and headers of any answer we expect fit easily; a server
# sending more is misbehaving, and the limit keeps a bad one from eating memory.
MAX_HEAD_BYTES = 64 * 1024
# The rest of the answer is read and thrown away, up to this much, so the
# server's close is orderly instead of a reset.
MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Answer:
    """How one request ended: a status, or None and why not."""

    status: int | None
    retry_after: str | None = None
    error: str | None = None


Exchange = Callable[[], Awaitable[Answer]]
"""Writes the request on an open connection and reads the answer."""


class ConnectFailed(Exception):
    """The connection could not be opened; ``reason`` is short and countable."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RawHttpClient:
    """Sends ``request`` to ``base_url``, one connection per request."""

    def __init__(self, base_url: str, request: Request) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidInput.single(
                SOURCE,
                "url",
                f"{base_url!r} is not an http(s) URL like http://127.0.0.1:8780",
            )
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._tls = ssl.create_default_context() if parts.scheme == "https" else None
        self._path = parts.path.rstrip("/") + request.path
        self._request = request

    async def connect(self, key: ClientKey) -> Exchange:
        """Open a connection for ``key``; ConnectFailed if none can be had."""
        local = (key.source, 0) if key.source else None
        try:
            reader, writer = await asyncio.open_connection(
                connect_host(self._host),
                self._port,
                ssl=self._tls,
                local_addr=local,
                server_hostname=self._host if self._tls else None,
            )
        except OSError as exc:
            raise ConnectFailed(_os_reason("connect", exc)) from exc
        payload = self._bytes(key)
        return lambda: _exchange(reader, writer, payload)

    def _bytes(self, key: ClientKey) -> bytes:
        body_value = key.body(self._request.body)
        body = b"" if body_value is None else json.dumps(body_value).encode()
        headers = {
            "Host": f"{self._host}:{self._port}",
            "User-Agent": "faultdrill-ratelimit",
            "Connection": "close",
        }
        if body_value is not None:
            headers["Content-Type"] = "application/json"
        if body or self._request.method.value in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = str(len(body))
        headers |= key.headers(self._request.headers)
        head = f"{self._request.method.value} {self._path} HTTP/1.1\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        return (head + "\r\n").encode("latin-1") + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, payload: bytes
) -> Answer:
    try:
        writer.write(payload)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if len(head) > MAX_HEAD_BYTES:
            return Answer(None, error="bad response: head too long")
        answer = parse_head(head)
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            await reader.read(MAX_BODY_BYTES)
        return answer
    except asyncio.IncompleteReadError:
        return Answer(None, error="server disconnected")
    except asyncio.LimitOverrunError:
        return Answer(None, error="bad response: head too long")
    except OSError as exc:
        return Answer(None, error=_os_reason("socket", exc))
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def parse_head(head: bytes) -> Answer:
    """Status and Retry-After from a response's status line and headers."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        return Answer(None, error="bad response: no status line")
    retry_after = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "retry-after":
            retry_after = value.strip()
    return Answer(int(parts[1]), retry_after)


def _os_reason(stage: str, error: OSError) -> str:
    # errno's text groups well; messages with addresses would not.
    reason = os.strerror(error.errno) if error.errno else type(error).__name__
    return f"{stage}: {reason.lower()}"
