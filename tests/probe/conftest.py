"""A small HTTP service on 127.0.0.1, in its own thread, for real-socket tests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from aiohttp import web


def _app() -> web.Application:
    async def ok(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def login(request: web.Request) -> web.Response:
        body = await request.json()
        good = body == {"user": "demo", "password": "demo"}
        return web.Response(status=200 if good else 401)

    async def unavailable(_: web.Request) -> web.Response:
        return web.Response(status=503)

    app = web.Application()
    app.router.add_get("/", ok)
    app.router.add_get("/api/videos/42", ok)
    app.router.add_post("/login", login)
    app.router.add_get("/fail", unavailable)
    return app


class LoopbackService:
    """Serves ``_app`` on an ephemeral loopback port until ``close``."""

    def __init__(self) -> None:
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._runner: web.AppRunner | None = None

    def start(self) -> LoopbackService:
        self._thread.start()
        assert self._ready.wait(5), "loopback service did not start"
        return self

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._ready.set()
        self._loop.run_forever()
        assert self._runner is not None
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    async def _serve(self) -> None:
        self._runner = web.AppRunner(_app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"


@pytest.fixture(scope="module")
def loopback_url() -> Iterator[str]:
    """Base URL of a small service on 127.0.0.1: /, /api/videos/42, /login, /fail."""
    service = LoopbackService().start()
    yield service.url
    service.close()
