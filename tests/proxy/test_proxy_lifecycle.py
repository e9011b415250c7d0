"""Connections are forgotten once closed, and stopping closes everything."""

from __future__ import annotations

import asyncio
import json

import pytest

from faultdrill.proxy.proxyspec import ProxySpec
from faultdrill.proxy.server import ProxyServer, ServerOptions
from faultdrill.proxy.toxics import parse

WAIT = 5.0  # seconds for loopback sockets to finish closing


async def _echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
    finally:
        writer.close()


async def _until(condition: object) -> None:
    assert callable(condition)
    async with asyncio.timeout(WAIT):
        while not condition():
            await asyncio.sleep(0.01)


@pytest.mark.parametrize("toxic", [None, "latency", "slicer"])
def test_closed_connections_leave_no_trace_in_the_proxy(toxic: str | None) -> None:
    async def scenario() -> None:
        upstream = await asyncio.start_server(_echo, "127.0.0.1", 0)
        address = f"127.0.0.1:{upstream.sockets[0].getsockname()[1]}"
        server = ProxyServer(ServerOptions(port=0))
        await server.start()
        await server.populate([ProxySpec("p", "127.0.0.1:0", address, True)])
        proxy = server.proxies.get("p")
        if toxic is not None:
            body = json.dumps(
                {"type": toxic, "attributes": {"latency": 1, "average_size": 1}}
            )
            proxy.add_toxic(parse.parse_new(body.encode(), proxy.toxics.exists))
        tasks_before = len(asyncio.all_tasks())
        host, port = proxy.listen.rsplit(":", 1)
        for _ in range(30):
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(b"x")
            assert await reader.readexactly(1) == b"x"
            writer.close()
            await writer.wait_closed()
        await _until(lambda: not proxy.connections)
        await _until(lambda: len(asyncio.all_tasks()) <= tasks_before)
        await server.close()
        upstream.close()
        await upstream.wait_closed()

    asyncio.run(scenario())


def test_closing_the_server_closes_open_client_connections() -> None:
    async def scenario() -> None:
        upstream = await asyncio.start_server(_echo, "127.0.0.1", 0)
        address = f"127.0.0.1:{upstream.sockets[0].getsockname()[1]}"
        server = ProxyServer(ServerOptions(port=0))
        await server.start()
        await server.populate([ProxySpec("p", "127.0.0.1:0", address, True)])
        host, port = server.proxies.get("p").listen.rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"y")
        assert await reader.readexactly(1) == b"y"
        await server.close()
        async with asyncio.timeout(WAIT):
            assert await reader.read() == b""
        writer.close()
        upstream.close()
        await upstream.wait_closed()

    asyncio.run(scenario())
