"""The embedded proxy against a direct connection and socat, on loopback.

Prints each figure side by side with its reference and target:

1. bulk throughput of one stream: faultdrill at least 1.5x socat;
2. added round-trip latency, p50: at most 100 us over direct (Toxiproxy's
   published figure);
3. bulk throughput through a 100 ms latency toxic: at least 100 MB/s
   (Toxiproxy's TestLatencyToxicBandwidth);
4. latency toxic accuracy: added delay within +-2 ms of the request at p99,
   measured one way (both ends in this process, only the proxy between),
   beside the lateness of a bare event-loop timer at the same moment;
5. 1,000 concurrent connections held through the proxy with no errors.

The proxy runs as ``faultdrill proxy serve`` in its own process, socat with
its defaults (8 KiB buffer), peers in child processes. Run time is about a
minute on two cores.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _proxy_peers import BLOCK, start

BULK_BYTES = 1024 * 1024 * 1024  # per bulk run; ~1 s at loopback speeds
BULK_RUNS = 3  # the median of these is reported
LATENCY_BULK_BYTES = 512 * 1024 * 1024  # through the 100 ms toxic
ROUND_TRIPS = 5000  # per configuration, for the p50 of added latency
ROUND_TRIP_TURNS = 5  # configurations take turns this many times
ROUND_TRIP_WARMUP = 200
PAYLOAD = b"x" * 64  # bytes per round trip: a small request
TOXIC_LATENCY_MS = 20  # requested delay for the accuracy check
TOXIC_SAMPLES = 300  # one-way deliveries through the latency toxic
ONE_WAY_BASELINE = 1000  # one-way deliveries through the proxy without it
CONNECTIONS = 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def socat(upstream_port: int) -> Iterator[int]:
    port = free_port()
    command = [
        "socat",
        f"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork",
        f"TCP:127.0.0.1:{upstream_port}",
    ]
    process = subprocess.Popen(command)
    try:
        wait_listening(port)
        yield port
    finally:
        process.terminate()
        process.wait(10)


def wait_listening(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


@contextmanager
def faultdrill() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as scratch:
        ready = Path(scratch) / "ready.json"
        command = [sys.executable, "-m", "faultdrill", "proxy", "serve", "--port", "0"]
        process = subprocess.Popen([*command, "--ready-file", str(ready)])
        try:
            deadline = time.monotonic() + 15
            while not ready.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            yield str(json.loads(ready.read_text())["url"])
        finally:
            process.terminate()
            process.wait(10)


def make_proxy(api: str, name: str, upstream_port: int, latency_ms: int = 0) -> int:
    body = {
        "name": name,
        "listen": "127.0.0.1:0",
        "upstream": f"127.0.0.1:{upstream_port}",
    }
    reply = requests.post(f"{api}/proxies", json=body, timeout=5)
    reply.raise_for_status()
    if latency_ms:
        toxic = {"type": "latency", "attributes": {"latency": latency_ms}}
        requests.post(
            f"{api}/proxies/{name}/toxics", json=toxic, timeout=5
        ).raise_for_status()
    return int(reply.json()["listen"].rsplit(":", 1)[1])


def bulk_mbps(port: int, size: int) -> float:
    buffer = bytearray(BLOCK)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(struct.pack(">Q", size))
        received = 0
        started = time.perf_counter()
        while received < size:
            got = sock.recv_into(buffer)
            if not got:
                raise RuntimeError(f"stream ended after {received} of {size} bytes")
            received += got
        elapsed = time.perf_counter() - started
    return size / elapsed / 1e6


def round_trips(port: int, count: int) -> list[float]:
    """Round-trip times in seconds of PAYLOAD through an echo."""
    times = []
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for index in range(count + ROUND_TRIP_WARMUP):
            started = time.perf_counter()
            sock.sendall(PAYLOAD)
            got = 0
            while got < len(PAYLOAD):
                part = sock.recv(len(PAYLOAD) - got)
                if not part:
                    raise RuntimeError("echo closed")
                got += len(part)
            if index >= ROUND_TRIP_WARMUP:
                times.append(time.perf_counter() - started)
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def hold_connections(port: int, count: int) -> tuple[int, int]:
    """Open ``count`` connections, echo on each while all are open; errors."""
    errors = 0
    streams: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    gate = asyncio.Semaphore(200)

    async def open_one(index: int) -> None:
        nonlocal errors
        async with gate:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                message = f"hello {index:05d}\n".encode()
                writer.write(message)
                if await reader.readexactly(len(message)) != message:
                    errors += 1
                streams.append((reader, writer))
            except (OSError, asyncio.IncompleteReadError):
                errors += 1

    await asyncio.gather(*(open_one(i) for i in range(count)))
    held = len(streams)

    async def again(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal errors
        try:
            writer.write(b"still here\n")
            if await reader.readexactly(11) != b"still here\n":
                errors += 1
        except (OSError, asyncio.IncompleteReadError):
            errors += 1

    await asyncio.gather(*(again(r, w) for r, w in streams))
    for _, writer in streams:
        writer.close()
    return held, errors


def one_way_delays(
    client: socket.socket, server: socket.socket, count: int
) -> list[float]:
    """Seconds from a byte's send by ``server`` to its arrival at ``client``.

    Both ends live in this thread, so only the proxy's process and the
    kernel stand between the two timestamps.
    """
    delays = []
    for _ in range(count):
        started = time.perf_counter()
        server.sendall(b"d")
        if client.recv(1) != b"d":
            raise RuntimeError("one-way stream ended")
        delays.append(time.perf_counter() - started)
    return delays


def latency_errors_ms(api: str, latency_ms: int, count: int) -> list[float]:
    """Added downstream delay minus the requested one, per delivery, in ms."""
    with socket.create_server(("127.0.0.1", 0)) as upstream:
        port = make_proxy(api, "one_way", upstream.getsockname()[1])
        with socket.create_connection(("127.0.0.1", port)) as client:
            server, _ = upstream.accept()
            with server:
                for sock in (client, server):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                base = statistics.median(
                    one_way_delays(client, server, ONE_WAY_BASELINE)
                )
                toxic = {"type": "latency", "attributes": {"latency": latency_ms}}
                url = f"{api}/proxies/one_way/toxics"
                requests.post(url, json=toxic, timeout=5).raise_for_status()
                delays = one_way_delays(client, server, count)
    return [(d - base) * 1000 - latency_ms for d in delays]


def timer_errors_ms(delay_ms: int, count: int) -> list[float]:
    """How late the event loop's own timers fire right now, in ms.

    The latency toxic cannot be more punctual than the loop's timers; on a
    busy shared machine their lateness, not the proxy, sets the p99.
    """

    async def measure() -> list[float]:
        errors = []
        for _ in range(count):
            due = time.monotonic() + delay_ms / 1000
            while time.monotonic() < due:
                await asyncio.sleep(due - time.monotonic())
            errors.append((time.monotonic() - due) * 1000)
        return errors

    from faultdrill.proxy.loop import new_loop

    with asyncio.Runner(loop_factory=new_loop) as runner:
        return runner.run(measure())


def row(
    label: str, direct: str, socat_value: str, ours: str, target: str, met: bool
) -> None:
    verdict = "met" if met else "NOT met"
    figures = f"{direct:>12} {socat_value:>12} {ours:>12}"
    print(f"{label:<34} {figures}   {target:<26} {verdict}")


def main() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if shutil.which("socat") is None:
        raise SystemExit("socat is not installed")
    source, source_port = start("source")
    echo, echo_port = start("echo")
    try:
        with (
            socat(source_port) as socat_bulk,
            socat(echo_port) as socat_echo,
            faultdrill() as api,
        ):
            run(api, source_port, echo_port, socat_bulk, socat_echo)
    finally:
        source.kill()
        echo.kill()


def run(
    api: str, source_port: int, echo_port: int, socat_bulk: int, socat_echo: int
) -> None:
    ours_bulk = make_proxy(api, "bulk", source_port)
    ours_echo = make_proxy(api, "echo", echo_port)
    slow_bulk = make_proxy(api, "bulk_latency", source_port, latency_ms=100)
    print(f"{os.cpu_count()} CPUs; loopback; figures are medians unless noted\n")
    print(f"{'':<34} {'direct':>12} {'socat':>12} {'faultdrill':>12}   {'target':<26}")

    # Configurations take turns, so a noisy moment on the shared machine
    # hits all of them alike.
    ports = {"direct": source_port, "socat": socat_bulk, "ours": ours_bulk}
    bulk: dict[str, list[float]] = {name: [] for name in ports}
    for _ in range(BULK_RUNS):
        for name, port in ports.items():
            bulk[name].append(bulk_mbps(port, BULK_BYTES))
    direct, via_socat, ours = (statistics.median(bulk[n]) for n in ports)
    row(
        "bulk throughput, 1 stream (MB/s)",
        f"{direct:.0f}",
        f"{via_socat:.0f}",
        f"{ours:.0f}",
        f">= 1.5x socat ({1.5 * via_socat:.0f})",
        ours >= 1.5 * via_socat,
    )

    ports = {"direct": echo_port, "socat": socat_echo, "ours": ours_echo}
    rtt: dict[str, list[float]] = {name: [] for name in ports}
    for _ in range(ROUND_TRIP_TURNS):
        for name, port in ports.items():
            rtt[name] += round_trips(port, ROUND_TRIPS // ROUND_TRIP_TURNS)
    p50 = {name: statistics.median(v) * 1e6 for name, v in rtt.items()}
    added = p50["ours"] - p50["direct"]
    row(
        "round trip p50 (us)",
        f"{p50['direct']:.0f}",
        f"{p50['socat']:.0f}",
        f"{p50['ours']:.0f}",
        "",
        True,
    )
    row(
        "  added over direct, p50 (us)",
        "",
        f"{p50['socat'] - p50['direct']:.0f}",
        f"{added:.0f}",
        "<= 100",
        added <= 100,
    )

    slow = bulk_mbps(slow_bulk, LATENCY_BULK_BYTES)
    row(
        "bulk through 100 ms latency (MB/s)",
        "",
        "",
        f"{slow:.0f}",
        ">= 100",
        slow >= 100,
    )

    errors = latency_errors_ms(api, TOXIC_LATENCY_MS, TOXIC_SAMPLES)
    low, high = percentile(errors, 0.01), percentile(errors, 0.99)
    worst = max(abs(low), abs(high))
    row(
        f"latency {TOXIC_LATENCY_MS} ms: error p1..p99 (ms)",
        "",
        "",
        f"{low:+.2f}..{high:+.2f}",
        "within +-2",
        worst <= 2,
    )

    floor = timer_errors_ms(TOXIC_LATENCY_MS, TOXIC_SAMPLES)
    low, high = percentile(floor, 0.01), percentile(floor, 0.99)
    row(
        "  timer alone, same moment (ms)",
        "",
        "",
        f"{low:+.2f}..{high:+.2f}",
        "(machine floor)",
        True,
    )

    held, errors = asyncio.run(hold_connections(ours_echo, CONNECTIONS))
    row(
        f"{CONNECTIONS} concurrent connections",
        "",
        "",
        f"{held} held",
        "all held, 0 errors",
        held == CONNECTIONS and errors == 0,
    )
    if errors:
        print(f"  errors: {errors}")


if __name__ == "__main__":
    main()
