"""Fixtures for the sandbox tests, and a stand-in Toxiproxy API.

The stand-in answers /version, /populate, GET and DELETE /proxies/{name}, and
forwards each proxy's TCP connections to its upstream with no toxics at all,
on an event loop in a thread of the test process: enough to test the
sandbox's outside-server mode without any real Toxiproxy.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import psutil
import pytest
from aiohttp import web

from helpers.processes import running_children

T = TypeVar("T")


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


class _Forwarder:
    def __init__(self, name: str, upstream: str) -> None:
        self.name = name
        self.upstream = upstream
        self.listen = ""
        self._server: asyncio.Server | None = None

    async def start(self, listen: str) -> None:
        host, port = listen.rsplit(":", 1)
        self._server = await asyncio.start_server(self._serve, host, int(port))
        bound = self._server.sockets[0].getsockname()
        self.listen = f"{bound[0]}:{bound[1]}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(
        self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter
    ) -> None:
        host, port = self.upstream.rsplit(":", 1)
        try:
            upstream_r, upstream_w = await asyncio.open_connection(host, int(port))
        except OSError:
            client_w.close()
            return
        await asyncio.gather(_pipe(client_r, upstream_w), _pipe(upstream_r, client_w))

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "listen": self.listen,
            "upstream": self.upstream,
            "enabled": True,
            "toxics": [],
        }


class StandinToxiproxy:
    """Use as a context manager; ``url`` is its API address."""

    def __init__(self) -> None:
        self.proxies: dict[str, _Forwarder] = {}
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    def __enter__(self) -> StandinToxiproxy:
        self._thread.start()
        self._call(self._start())
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/version", self._version)
        app.router.add_post("/populate", self._populate)
        app.router.add_get("/proxies/{name}", self._get)
        app.router.add_delete("/proxies/{name}", self._delete)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def _stop(self) -> None:
        for proxy in self.proxies.values():
            await proxy.stop()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _version(self, request: web.Request) -> web.Response:
        return web.json_response({"version": "standin"})

    async def _populate(self, request: web.Request) -> web.Response:
        created = []
        for item in await request.json():
            old = self.proxies.pop(item["name"], None)
            if old is not None:
                await old.stop()
            proxy = _Forwarder(item["name"], item["upstream"])
            await proxy.start(item["listen"])
            self.proxies[proxy.name] = proxy
            created.append(proxy.describe())
        return web.json_response({"proxies": created}, status=201)

    async def _get(self, request: web.Request) -> web.Response:
        proxy = self.proxies.get(request.match_info["name"])
        if proxy is None:
            return web.json_response(
                {"error": "proxy not found", "status": 404}, status=404
            )
        return web.json_response(proxy.describe())

    async def _delete(self, request: web.Request) -> web.Response:
        proxy = self.proxies.pop(request.match_info["name"], None)
        if proxy is None:
            return web.json_response(
                {"error": "proxy not found", "status": 404}, status=404
            )
        await proxy.stop()
        return web.Response(status=204)


@pytest.fixture
def sandbox_home(faultdrill_home: Path) -> Path:
    return faultdrill_home


sandbox_children = running_children


@pytest.fixture
def no_process_left() -> Iterator[None]:
    """Fails the test if it leaves a child process running; kills leftovers."""
    yield
    left = sandbox_children()
    described = [_describe(p) for p in left]
    for child in left:
        child.kill()
    psutil.wait_procs(left, timeout=5)
    assert described == []


def _describe(process: psutil.Process) -> str:
    try:
        return f"pid {process.pid}: {' '.join(process.cmdline())}"
    except psutil.NoSuchProcess:
        return f"pid {process.pid}"


@pytest.fixture
def toxiproxy() -> Iterator[StandinToxiproxy]:
    with StandinToxiproxy() as server:
        yield server
