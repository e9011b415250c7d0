"""Many connections at once, and an API that answers while data is busy."""

from __future__ import annotations

import asyncio
import time

import requests
from proxy_helpers import Api, Upstream, connect

from faultdrill.proxy.embedded import EmbeddedProxy

CONNECTIONS = 300  # enough to show nothing is per-connection serial; the
# bench holds 1,000


class Echo:
    """An asyncio echo server that knows how many handlers are still open."""

    def __init__(self) -> None:
        self.open = 0
        self.all_closed = asyncio.Event()

    async def handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.open += 1
        self.all_closed.clear()
        try:
            while data := await reader.read(65536):
                writer.write(data)
        finally:
            writer.close()
            await writer.wait_closed()
            self.open -= 1
            if self.open == 0:
                self.all_closed.set()


async def _hold(port: int) -> int:
    streams = await asyncio.gather(
        *(asyncio.open_connection("127.0.0.1", port) for _ in range(CONNECTIONS))
    )
    ok = 0
    for round_ in range(2):
        for index, (_, writer) in enumerate(streams):
            writer.write(f"{round_}:{index:04d}".encode())
        for index, (reader, _) in enumerate(streams):
            expected = f"{round_}:{index:04d}".encode()
            ok += (
                await asyncio.wait_for(reader.readexactly(len(expected)), 10)
                == expected
            )
    for _, writer in streams:
        writer.close()
    await asyncio.gather(*(writer.wait_closed() for _, writer in streams))
    return ok


def test_hundreds_of_concurrent_connections_are_held_and_echo(
    toxiproxy: EmbeddedProxy,
) -> None:
    async def scenario() -> int:
        echo = Echo()
        upstream = await asyncio.start_server(echo.handle, "127.0.0.1", 0, backlog=1024)
        address = f"127.0.0.1:{upstream.sockets[0].getsockname()[1]}"
        body = {"name": "many", "listen": "127.0.0.1:0", "upstream": address}
        reply = await asyncio.to_thread(
            requests.post, f"{toxiproxy.url}/proxies", json=body, timeout=5
        )
        port = int(reply.json()["listen"].rsplit(":", 1)[1])
        try:
            return await _hold(port)
        finally:
            await asyncio.wait_for(echo.all_closed.wait(), 10)
            upstream.close()
            await upstream.wait_closed()

    assert asyncio.run(scenario()) == 2 * CONNECTIONS


def test_api_answers_while_a_slicer_cuts_a_large_transfer_into_bytes(
    api: Api, upstream: Upstream
) -> None:
    listen = api.proxy("p", upstream.address)["listen"]
    api.toxic("p", type="slicer", attributes={"average_size": 1})
    with connect(listen) as client:
        client.sendall(b"s" * 200_000)
        time.sleep(0.05)
        started = time.perf_counter()
        assert api.get("/proxies/p").status_code == 200
        assert time.perf_counter() - started < 2.0  # a hang, not a slow answer
