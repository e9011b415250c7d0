"""The sandbox as a target: its speed next to nginx, its login limit next to nginx's.

1. Throughput and latency, closed loop with a fixed number of connections,
   of: nginx answering a static file (the reference: a fast C server on the
   same loopback), the catalog directly, the web app's /healthz, and the
   video API, whose every request goes web -> fault proxy -> catalog.
2. The login limit (20 r/s, burst 10) under an open-model schedule of
   100 requests/s for 3 s, next to nginx ``limit_req`` with the same rate
   and burst (``nodelay``) and the formula 1 + burst + rate * T.

    python bench/bench_sandbox.py [--toxiproxy-url URL]

Without --toxiproxy-url the sandbox starts its embedded proxy. Takes about
30 s on two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from faultdrill.sandbox.config import SandboxConfig
from faultdrill.sandbox.control import running_sandbox

CONNECTIONS = 8  # enough to keep one server process busy on two cores
DURATION = 4.0  # seconds per target; percentiles settle within a second or two
LOGIN_RATE, LOGIN_BURST = 20.0, 10  # the sandbox's defaults
OFFERED_RATE, OFFERED_FOR = 100.0, 3.0  # five times the limit, for 3 s

NGINX_CONF = """
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    limit_req_zone $binary_remote_addr zone=login:1m rate={rate}r/s;
    server {{
        listen 127.0.0.1:{port};
        root {prefix}/www;
        location = /limited {{
            limit_req zone=login burst={burst} nodelay;
            limit_req_status 429;
        }}
    }}
}}
"""


@dataclass(frozen=True)
class Figures:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextmanager
def nginx() -> Iterator[str]:
    prefix = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    try:
        (prefix / "www").mkdir()
        (prefix / "www" / "index.html").write_text("ok\n")
        (prefix / "www" / "limited").write_text("ok\n")
        os.chmod(prefix, 0o755)  # the worker may run as another user
        port = free_port()
        conf = prefix / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                prefix=prefix, port=port, rate=int(LOGIN_RATE), burst=LOGIN_BURST
            )
        )
        server = subprocess.Popen(
            ["nginx", "-c", str(conf), "-p", str(prefix), "-g", "daemon off;"]
        )
        try:
            wait_listening(port)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(10)
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def wait_listening(port: int) -> None:
    for _ in range(100):  # 5 s at most
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port}")


async def closed_loop(url: str) -> Figures:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + DURATION

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        while (start := time.perf_counter()) < deadline:
            async with session.get(url) as response:
                await response.read()
                errors += response.status != 200
            latencies.append(time.perf_counter() - start)

    connector = aiohttp.TCPConnector(limit=CONNECTIONS)
    async with aiohttp.ClientSession(connector=connector) as session:
        began = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(CONNECTIONS)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return Figures(
        requests=len(latencies),
        seconds=elapsed,
        p50_ms=1000 * latencies[len(latencies) // 2],
        p99_ms=1000 * latencies[int(len(latencies) * 0.99)],
        errors=errors,
    )


async def open_model(method: str, url: str, body: bytes = b"") -> dict[int, int]:
    """Send on a fixed schedule regardless of answers; count answers by status."""
    counts: dict[int, int] = {}
    total = int(OFFERED_RATE * OFFERED_FOR)

    async def one(session: aiohttp.ClientSession) -> None:
        async with session.request(method, url, data=body) as response:
            await response.read()
            counts[response.status] = counts.get(response.status, 0) + 1

    async with aiohttp.ClientSession() as session:
        start = time.perf_counter()
        tasks = []
        for i in range(total):
            delay = start + i / OFFERED_RATE - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(session)))
        await asyncio.gather(*tasks)
    return counts


def throughput_table(rows: list[tuple[str, Figures]]) -> None:
    print(f"\n{CONNECTIONS} connections, {DURATION:.0f} s each, closed loop")
    print(f"{'target':<44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-200':>8}")
    for name, f in rows:
        print(
            f"{name:<44} {f.rate:>8.0f} {f.p50_ms:>8.2f} {f.p99_ms:>8.2f} {f.errors:>8}"
        )


def limit_table(sandbox: dict[int, int], reference: dict[int, int]) -> None:
    expected = 1 + LOGIN_BURST + LOGIN_RATE * OFFERED_FOR
    offered = int(OFFERED_RATE * OFFERED_FOR)
    print(
        f"\nlogin limit {LOGIN_RATE:.0f} r/s burst {LOGIN_BURST}, offered "
        f"{OFFERED_RATE:.0f} r/s for {OFFERED_FOR:.0f} s ({offered} requests)"
    )
    print(f"{'':<34} {'admitted':>9} {'429':>6} {'other':>6}")
    print(f"{'formula 1 + burst + rate * T':<34} {expected:>9.0f}")
    for name, counts in (("nginx limit_req nodelay", reference), ("sandbox", sandbox)):
        other = sum(n for s, n in counts.items() if s not in (200, 429))
        print(f"{name:<34} {counts.get(200, 0):>9} {counts.get(429, 0):>6} {other:>6}")


async def measure(web: str, catalog: str, reference: str) -> None:
    rows = [
        ("reference: nginx static file", await closed_loop(f"{reference}/")),
        ("catalog GET /videos (direct)", await closed_loop(f"{catalog}/videos")),
        ("web GET /healthz", await closed_loop(f"{web}/healthz")),
        ("web GET /api/videos (web->proxy->catalog)",
         await closed_loop(f"{web}/api/videos")),
    ]  # fmt: skip
    throughput_table(rows)

    login = b'{"user": "demo", "password": "demo"}'
    limited_reference = await open_model("GET", f"{reference}/limited")
    limited_sandbox = await open_model("POST", f"{web}/login", login)
    limit_table(limited_sandbox, limited_reference)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--toxiproxy-url")
    args = parser.parse_args()
    config = SandboxConfig.ephemeral(
        toxiproxy_url=args.toxiproxy_url,
        login_rate=LOGIN_RATE,
        login_burst=LOGIN_BURST,
    )
    with running_sandbox(config) as sandbox, nginx() as reference:
        print(f"sandbox {sandbox.web_url}, proxy at {sandbox.toxiproxy_url}")
        asyncio.run(measure(sandbox.web_url, sandbox.catalog_url, reference))


if __name__ == "__main__":
    main()
