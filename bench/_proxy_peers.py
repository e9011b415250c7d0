"""Loopback peers for bench_proxy.py, each run in a child process.

- ``source``: a client sends an 8-byte big-endian length N; the server
  sends N bytes back and closes (bulk throughput, downstream).
- ``echo``: echoes whatever it reads (round trips, many connections).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
import socket
import struct
import threading
from multiprocessing.synchronize import Event

BLOCK = 1024 * 1024  # bytes per send/recv in bulk transfers


def _raise_nofile() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _source(listener: socket.socket) -> None:
    block = memoryview(b"\x5a" * BLOCK)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=_send_bulk, args=(conn, block), daemon=True).start()


def _send_bulk(conn: socket.socket, block: memoryview) -> None:
    with conn:
        header = conn.recv(8, socket.MSG_WAITALL)
        if len(header) < 8:
            return  # a probe that only checked the port is open
        (remaining,) = struct.unpack(">Q", header)
        while remaining > 0:
            sent = conn.send(block[: min(remaining, BLOCK)])
            remaining -= sent


async def _echo_handler(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


def _echo(listener: socket.socket) -> None:
    async def main() -> None:
        server = await asyncio.start_server(_echo_handler, sock=listener, backlog=4096)
        async with server:
            await server.serve_forever()

    try:
        import uvloop

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())


def _child(kind: str, listener: socket.socket, ready: Event) -> None:
    _raise_nofile()
    ready.set()
    if kind == "source":
        _source(listener)
    else:
        _echo(listener)


def start(kind: str) -> tuple[multiprocessing.Process, int]:
    """Start a peer; returns the process and its loopback port."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=4096)
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    process = context.Process(target=_child, args=(kind, listener, ready), daemon=True)
    process.start()
    ready.wait(10)
    port = listener.getsockname()[1]
    listener.close()
    return process, port
