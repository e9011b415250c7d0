"""The prober's achieved request rate and reported latency, next to the truth.

1. Rate: the prober sends ``GET /fast`` at 200 and at 1,000 requests/s for a
   few seconds; the service counts what arrived. Printed: the target rate,
   the rate the service saw, and how many requests failed.
2. Latency: the service sleeps a known 100 ms or 300 ms before answering;
   printed next to that delay are the p50/p95/p99/max the prober reports
   (which also carry the loopback and event-loop overhead).
3. A stall: the service holds every answer for 1 s in the middle of a 3 s
   run. Requests due during the stall wait between 1 s and 0 s, so the true
   latency tail follows from the schedule alone; printed beside it are the
   prober's percentiles and those of a closed-loop client measuring from
   the actual send, as closed-loop load tools do, which hides the stall.

The service is an aiohttp app in a separate process on 127.0.0.1, so it
does not share the prober's interpreter. Takes about 25 s.

    python bench/bench_prober.py
"""

from __future__ import annotations

import asyncio
import json
import math
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from faultdrill.probe import Prober
from faultdrill.slo.latency import summarise
from faultdrill.slo.model import Slo

RATES = (200.0, 1000.0)  # requests/s: the brief's two rates
RATE_FOR_S = 3.0  # long enough for a steady count, short for a shared machine
DELAYS_MS = (100, 300)  # injected latencies the prober must report
LATENCY_RATE = 50.0  # requests/s for the latency runs: 150 samples each
LATENCY_FOR_S = 3.0
SETTLE_S = 0.5  # after the schedule ends, time for the last answers to land
STALL_RATE = 100.0  # requests/s of both clients in the stall run
STALL_FOR_S, STALL_AT_S, STALL_S = 3.0, 1.0, 1.0  # run, stall start, stall length
TAIL = (50.0, 90.0, 95.0, 99.0)  # percentiles compared in the stall run


def serve() -> None:
    """The service: /fast answers at once, /delay/<ms> after sleeping."""
    from aiohttp import web

    arrivals: list[float] = []

    async def fast(_: web.Request) -> web.Response:
        arrivals.append(time.monotonic())
        return web.Response(text="ok")

    async def delay(request: web.Request) -> web.Response:
        await asyncio.sleep(int(request.match_info["ms"]) / 1000)
        return web.Response(text="ok")

    stalled_until = [0.0]

    async def stallable(_: web.Request) -> web.Response:
        await asyncio.sleep(max(0.0, stalled_until[0] - time.monotonic()))
        return web.Response(text="ok")

    async def stall(request: web.Request) -> web.Response:
        stalled_until[0] = time.monotonic() + int(request.match_info["ms"]) / 1000
        return web.Response(text="stalled")

    async def stats(_: web.Request) -> web.Response:
        body = {"count": len(arrivals), "first": arrivals[:1], "last": arrivals[-1:]}
        arrivals.clear()
        return web.json_response(body)

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/fast", fast)
        app.router.add_get("/delay/{ms}", delay)
        app.router.add_get("/stats", stats)
        app.router.add_get("/stallable", stallable)
        app.router.add_get("/stall/{ms}", stall)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
        await site.start()
        print(runner.addresses[0][1], flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


@contextmanager
def service() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def probe_slo(path: str) -> Slo:
    return Slo.model_validate(
        {
            "name": "bench",
            "objective": 95,
            "sli": {"type": "latency", "threshold-ms": 1000, "request": {"path": path}},
        }
    )


def run_prober(url: str, slo: Slo, rate: float, seconds: float) -> Prober:
    prober = Prober([slo], url, rate_per_s=rate, max_duration_s=seconds)
    prober.start()
    time.sleep(seconds + SETTLE_S)
    prober.stop()
    return prober


def arrivals(url: str) -> tuple[int, float]:
    with urllib.request.urlopen(f"{url}/stats", timeout=5) as answer:
        stats = json.load(answer)
    count = stats["count"]
    span = stats["last"][0] - stats["first"][0] if count > 1 else 0.0
    return count, (count - 1) / span if span > 0 else 0.0


def bench_rate(url: str, rate: float) -> None:
    prober = run_prober(url, probe_slo("/fast"), rate, RATE_FOR_S)
    samples = prober.samples()
    count, seen_rate = arrivals(url)
    failed = sum(1 for s in samples if s.status != 200)
    latency = summarise(samples, 99)
    print(
        f"{'rate':<8} {rate:>8.0f}/s {seen_rate:>10.1f}/s   "
        f"{count} arrived, {len(samples)} sampled, {failed} failed, "
        f"p99 {latency.p99_ms} ms"
    )


def bench_latency(url: str, delay_ms: int) -> None:
    prober = run_prober(url, probe_slo(f"/delay/{delay_ms}"), LATENCY_RATE, 3.0)
    samples = prober.samples()
    latency = summarise(samples, 95)
    failed = sum(1 for s in samples if s.status != 200)
    print(
        f"{'latency':<8} {delay_ms:>8} ms "
        f"p50 {latency.p50_ms:.1f}  p95 {latency.p95_ms:.1f}  "
        f"p99 {latency.p99_ms:.1f}  max {latency.max_ms:.1f} ms   "
        f"({len(samples)} samples, {failed} failed)"
    )


def closed_loop(url: str, latencies: list[float]) -> None:
    """One request at a time at STALL_RATE, timed from the actual send."""
    start = time.monotonic()
    for i in range(int(STALL_RATE * STALL_FOR_S)):
        due = start + i / STALL_RATE
        if due >= start + STALL_FOR_S:
            return
        time.sleep(max(0.0, due - time.monotonic()))
        sent = time.monotonic()
        with urllib.request.urlopen(f"{url}/stallable", timeout=5) as answer:
            answer.read()
        latencies.append(time.monotonic() - sent)


def expected_stall_ms(percentile: float) -> float:
    # A share (STALL_S - x) / STALL_FOR_S of the schedule waits more than x.
    waiting = STALL_S - (1 - percentile / 100) * STALL_FOR_S
    return max(0.0, waiting) * 1000


def bench_stall(url: str) -> None:
    closed: list[float] = []
    client = threading.Thread(target=closed_loop, args=(url, closed))
    prober = Prober(
        [probe_slo("/stallable")], url, STALL_RATE, max_duration_s=STALL_FOR_S
    ).start()
    client.start()
    time.sleep(STALL_AT_S)
    urllib.request.urlopen(f"{url}/stall/{int(STALL_S * 1000)}", timeout=5).close()
    time.sleep(STALL_FOR_S - STALL_AT_S + SETTLE_S + STALL_S)
    prober.stop()
    client.join(10)
    opened = sorted(s.latency_s for s in prober.samples())
    print(f"stall {STALL_S:g} s in {STALL_FOR_S:g} s at {STALL_RATE:g}/s:")
    print(f"  {'':<22}" + "".join(f"{f'p{p:g}':>9}" for p in TAIL) + "  samples")
    rows = [
        ("expected (schedule)", [expected_stall_ms(p) for p in TAIL], None),
        ("open-model prober", [_rank_ms(opened, p) for p in TAIL], len(opened)),
        ("closed loop", [_rank_ms(sorted(closed), p) for p in TAIL], len(closed)),
    ]
    for name, values, count in rows:
        cells = "".join(f"{v:>9.1f}" for v in values)
        print(f"  {name:<22}{cells}  {count if count is not None else ''}")


def _rank_ms(ordered: list[float], percentile: float) -> float:
    rank = max(1, math.ceil(percentile / 100 * len(ordered)))
    return ordered[rank - 1] * 1000


def main() -> None:
    print(f"{'what':<8} {'target':>10} {'measured':>12}")
    with service() as url:
        for rate in RATES:
            bench_rate(url, rate)
        for delay_ms in DELAYS_MS:
            bench_latency(url, delay_ms)
        bench_stall(url)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        main()
