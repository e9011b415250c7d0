"""SLO figures: Prometheus percentiles next to the truth, and the budget ledger.

1. Percentiles from Prometheus: the sandbox's catalog is slowed by 220 ms
   and the video API is called 120 times (8 at a time) while a local
   Prometheus scrapes it every second. Printed side by side: the exact p95
   the client measured, the p95 ``histogram_quantile`` reports with the
   bucket it interpolated in, what linear interpolation gives in that
   bucket, and the reference's example (a 220 ms spike in a (200, 300]
   bucket reads p95 = 295 ms). The client's figure includes its own
   overhead and loopback; the server's histogram times the handler only.
2. The budget ledger: 4 processes recording 250 spends each into one
   SQLite file at once (writes/s, none lost), then ``budget_status`` over
   10,000 spends of one SLO (median of 5 reads).

Everything runs on 127.0.0.1; takes about 30 s.

    python bench/bench_slo.py
"""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from faultdrill.budget.ledger import BudgetLedger
from faultdrill.budget.status import budget_status
from faultdrill.prometheus.client import PrometheusClient
from faultdrill.prometheus.local import binary, running_prometheus
from faultdrill.prometheus.source import PrometheusSource
from faultdrill.sandbox.control import running_sandbox
from faultdrill.slo.model import Slo

CATALOG_LATENCY_MS = 220  # the reference's example spike
CALLS, WORKERS = 120, 8  # 120 x 220 ms / 8 = 3.3 s of load
REFERENCE_BUCKET_MS, REFERENCE_P95_MS = (200.0, 300.0), 295.0
WRITERS, SPENDS_PER_WRITER = 4, 250
READ_SPENDS, READS = 10_000, 5
_WAIT_S = 30.0

_WRITER = """
import sys
from pathlib import Path
from faultdrill.budget.ledger import BudgetLedger
from faultdrill.budget.spend import Spend, SpendKind
ledger = BudgetLedger(Path(sys.argv[1]))
for i in range(int(sys.argv[3])):
    ledger.record(Spend(slo="api-5xx-ratio", kind=SpendKind.EXPERIMENT,
                        ref=f"{sys.argv[2]}-{i}", start=i, end=i + 1, burn_rate=1.0))
"""

LATENCY_SLO = Slo.model_validate(
    {
        "name": "api-latency-p95",
        "objective": 95,
        "sli": {
            "type": "latency",
            "threshold-ms": 500,
            "source": "prometheus",
            "prometheus": {
                "histogram": 'http_request_duration_seconds_bucket{route="/api/videos/{id}"}'
            },
        },
    }
)


def percentiles() -> None:
    if binary() is None:
        print("percentiles: skipped, no prometheus binary (apt-get install prometheus)")
        return
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_sandbox() as sandbox,
        running_prometheus(
            [sandbox.web_url.removeprefix("http://")], Path(tmp)
        ) as prom,
    ):
        client = PrometheusClient(prom.url)
        web = sandbox.web_url
        requests.get(f"{web}/api/videos/42", timeout=10)
        _wait(client, "count(http_request_duration_seconds_bucket)")
        time.sleep(1.5)
        measured = _slow_calls(sandbox.toxiproxy_url, sandbox.proxy_name, web)
        _wait(
            client,
            f'sum(http_requests_total{{route="/api/videos/{{id}}"}}) >= {CALLS + 1}',
        )
        time.sleep(1.5)
        reading = PrometheusSource(client).read(LATENCY_SLO, 60.0)
    exact = _exact_p95(measured)
    assert reading.bucket_ms is not None and reading.percentile_ms is not None
    low, high = reading.bucket_ms
    linear = low + (high - low) * 0.95
    print(f"{'':34} {'bucket (ms)':>14} {'p95 (ms)':>9}")
    print(f"{'reference: 220 ms spike':34} {'(200, 300]':>14} {REFERENCE_P95_MS:9.1f}")
    print(f"{'client-measured, exact':34} {'':>14} {exact:9.1f}")
    print(
        f"{'Prometheus histogram_quantile':34} {f'({low:g}, {high:g}]':>14} "
        f"{reading.percentile_ms:9.1f}"
    )
    print(f"{'linear interpolation, all in bucket':34} {'':>14} {linear:9.1f}")


def _slow_calls(api: str, proxy: str, web: str) -> list[float]:
    toxics = f"{api}/proxies/{proxy}/toxics"
    toxic = {"name": "bench", "type": "latency", "stream": "downstream",
             "attributes": {"latency": CATALOG_LATENCY_MS}}  # fmt: skip
    requests.post(toxics, json=toxic, timeout=10).raise_for_status()
    try:
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            return list(
                pool.map(lambda _: _timed(f"{web}/api/videos/42"), range(CALLS))
            )
    finally:
        requests.delete(f"{toxics}/bench", timeout=10)


def _timed(url: str) -> float:
    start = time.perf_counter()
    requests.get(url, timeout=10)
    return (time.perf_counter() - start) * 1000.0


def _exact_p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def _wait(client: PrometheusClient, promql: str) -> None:
    deadline = time.monotonic() + _WAIT_S
    while time.monotonic() < deadline:
        if client.query(promql):
            return
        time.sleep(0.2)
    raise SystemExit(f"Prometheus never answered {promql}")


def ledger() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "budget.sqlite"
        start = time.perf_counter()
        procs = [
            subprocess.Popen([sys.executable, "-c", _WRITER, str(path), f"w{n}",
                              str(SPENDS_PER_WRITER)])
            for n in range(WRITERS)
        ]  # fmt: skip
        codes = [p.wait(timeout=120) for p in procs]
        elapsed = time.perf_counter() - start
        written = len(BudgetLedger(path).spends("api-5xx-ratio"))
        print(f"ledger: {WRITERS} processes x {SPENDS_PER_WRITER} spends in "
              f"{elapsed:.2f} s (with interpreter start-up): "
              f"{written / elapsed:.0f} writes/s, {written} of "
              f"{WRITERS * SPENDS_PER_WRITER} kept, exit codes {codes}")  # fmt: skip
        _read_many(Path(tmp) / "read.sqlite")


def _read_many(path: Path) -> None:
    ledger = BudgetLedger(path)
    now = time.time()
    with ledger._transaction() as db:  # one transaction for the set-up only
        db.executemany(
            'INSERT INTO spend (slo, kind, ref, start, "end", burn_rate) '
            "VALUES (?, ?, ?, ?, ?, ?)",
            [("api-5xx-ratio", "experiment", f"r{i}", now - i * 200, now - i * 200 + 60,
              2.0) for i in range(READ_SPENDS)],
        )  # fmt: skip
    slo = Slo.model_validate(
        {"name": "api-5xx-ratio", "objective": 99.9,
         "sli": {"type": "error-ratio", "request": {"path": "/"}}}
    )  # fmt: skip
    times = []
    for _ in range(READS):
        start = time.perf_counter()
        status = budget_status(slo, ledger, now)
        times.append(time.perf_counter() - start)
    print(f"budget_status over {READ_SPENDS} spends: median "
          f"{statistics.median(times) * 1000:.1f} ms; {status.left_percent:.2f}% left")  # fmt: skip


if __name__ == "__main__":
    percentiles()
    ledger()
