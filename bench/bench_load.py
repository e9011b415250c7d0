"""Load and rate-limit figures, side by side with their references.

1. Achieved rate at 100, 500 and 2,000 requests/s against the sandbox's
   homepage: faultdrill's constant profile next to plain Locust running the
   same locustfile (locustfiles/homepage.py, ``constant_throughput(10)`` per
   user and as many users as the rate needs). The steady rate leaves out the
   first second (spawning) of each run, for both.
2. nginx ``limit_req`` at 20 r/s in several configurations, measured by
   faultdrill's open-model validation: the limiter rate it measures, the
   burst, and the admitted count next to the leaky-bucket rule.

    python bench/bench_load.py [--seconds 8]

Takes about 90 s on two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from faultdrill.load.limit import DeclaredLimit
from faultdrill.load.profile import ConstantProfile
from faultdrill.load.run import LoadRun, run_load
from faultdrill.load.validate import RateLimitTest, validate
from faultdrill.sandbox.control import running_sandbox
from faultdrill.slo.model import Request

REPO = Path(__file__).resolve().parents[1]
LOCUSTFILE = REPO / "locustfiles" / "homepage.py"
RATES = (100, 500, 2000)
USER_RATE = 10  # locustfiles/homepage.py and faultdrill's default pace
WARMUP_S = 1.0  # left out of the steady rate, as faultdrill does

NGINX_RATE = 20
NGINX_OFFERED, NGINX_SECONDS = 100.0, 4.0


@dataclass(frozen=True)
class RateFigures:
    steady_rps: float
    p95_ms: float | None
    generator_cpu_pct: float | None


def faultdrill_rate(url: str, rate: float, seconds: float) -> RateFigures:
    profile = ConstantProfile(type="constant", rate=rate, duration_s=seconds)
    result = run_load(LoadRun(target=url, profile=profile, locustfile=LOCUSTFILE))
    (step,) = result.steps
    return RateFigures(
        step.steady_rps or 0.0, step.latency.p95_ms, step.saturation.generator_cpu_pct
    )


def plain_locust_rate(url: str, rate: float, seconds: float) -> RateFigures:
    users = math.ceil(rate / USER_RATE)
    with tempfile.TemporaryDirectory(prefix="bench-locust-") as tmp:
        prefix = Path(tmp) / "run"
        command = [
            sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
            "--host", url, "-u", str(users), "-r", str(users * 10),
            "-t", f"{seconds:g}s", "--csv", str(prefix), "--csv-full-history",
            "--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0",
        ]  # fmt: skip
        started = time.time()
        cpu = _children_cpu()
        subprocess.run(command, check=True, capture_output=True, timeout=seconds + 60)
        used = _children_cpu() - cpu
        elapsed = time.time() - started
        with open(f"{prefix}_stats_history.csv", newline="") as history_file:
            history = list(csv.DictReader(history_file))
    rows = [r for r in history if r["Name"] == "Aggregated"]
    return RateFigures(_steady(rows), _p95(rows), 100 * used / elapsed)


def _steady(rows: list[dict[str, str]]) -> float:
    """Requests per second between one second in and the last row."""
    first = float(rows[0]["Timestamp"])
    steady = [r for r in rows if float(r["Timestamp"]) >= first + WARMUP_S]
    start, end = steady[0], steady[-1]
    count = int(end["Total Request Count"]) - int(start["Total Request Count"])
    return count / (float(end["Timestamp"]) - float(start["Timestamp"]))


def _p95(rows: list[dict[str, str]]) -> float | None:
    value = rows[-1].get("Total 95%") or rows[-1].get("95%")
    return float(value) if value not in (None, "", "N/A") else None


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def rate_table(url: str, seconds: float) -> None:
    print(f"\nachieved rate against the sandbox homepage, {seconds:g} s per run")
    print(
        f"{'target':>7} {'tool':<14} {'steady r/s':>11} {'error':>8} {'p95 ms':>8} {'gen CPU%':>9}"
    )
    for rate in RATES:
        for name, measure in (
            ("plain Locust", plain_locust_rate),
            ("faultdrill", faultdrill_rate),
        ):
            f = measure(url, rate, seconds)
            error = 100 * (f.steady_rps - rate) / rate
            p95 = "-" if f.p95_ms is None else f"{f.p95_ms:.1f}"
            cpu = "-" if f.generator_cpu_pct is None else f"{f.generator_cpu_pct:.0f}"
            print(
                f"{rate:>7} {name:<14} {f.steady_rps:>11.1f} {error:>+7.2f}% {p95:>8} {cpu:>9}"
            )


@dataclass(frozen=True)
class NginxLimit:
    name: str
    burst: int
    nodelay: bool
    status: int

    def location(self) -> str:
        options = f" burst={self.burst}" if self.burst else ""
        options += " nodelay" if self.nodelay and self.burst else ""
        return (
            f"location = /{self.name} {{ limit_req zone={self.name}{options}; "
            f"limit_req_status {self.status}; }}"
        )


NGINX_LIMITS = [
    NginxLimit("b0_429", 0, False, 429),
    NginxLimit("b5_nodelay_429", 5, True, 429),
    NginxLimit("b5_delay_503", 5, False, 503),
    NginxLimit("b10_nodelay_503", 10, True, 503),
]


@contextmanager
def nginx(limits: list[NginxLimit]) -> Iterator[str]:
    prefix = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    try:
        (prefix / "www").mkdir()
        for limit in limits:
            (prefix / "www" / limit.name).write_text("ok\n")
        os.chmod(prefix, 0o755)  # the worker may run as another user
        port = _free_port()
        zones = "\n".join(
            f"limit_req_zone $binary_remote_addr zone={x.name}:1m rate={NGINX_RATE}r/s;"
            for x in limits
        )
        temp = "\n".join(
            f"{kind}_temp_path {prefix}/{kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        locations = "\n".join(x.location() for x in limits)
        (prefix / "nginx.conf").write_text(
            f"worker_processes 1;\nevents {{ worker_connections 1024; }}\n"
            f"http {{ access_log off; {temp} {zones}\n"
            f"server {{ listen 127.0.0.1:{port}; root {prefix}/www; {locations} }} }}\n"
        )
        directives = (
            f"daemon off; pid {prefix}/nginx.pid; error_log {prefix}/error.log;"
        )
        server = subprocess.Popen(
            ["nginx", "-p", str(prefix), "-c", "nginx.conf", "-g", directives],
            stdin=subprocess.DEVNULL,
        )
        try:
            _wait_listening(port)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(10)
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _wait_listening(port: int) -> None:
    for _ in range(100):  # 5 s at most
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"nginx is not listening on 127.0.0.1:{port}")


def limit_table() -> None:
    print(
        f"\nnginx limit_req rate={NGINX_RATE}r/s, offered {NGINX_OFFERED:g}/s for "
        f"{NGINX_SECONDS:g} s (open model), one fresh client address per run"
    )
    print(
        f"{'configuration':<26} {'rate r/s':>9} {'error':>7} {'fit range':>15} "
        f"{'burst':>6} {'admitted':>9} {'rule':>5} {'status':>7} {'passed':>7}"
    )
    with nginx(NGINX_LIMITS) as url:
        for limit in NGINX_LIMITS:
            declared = DeclaredLimit(
                rate=NGINX_RATE, burst=limit.burst, nodelay=limit.nodelay,
                status=limit.status, retry_after=False,  # type: ignore[arg-type]
            )  # fmt: skip
            test = RateLimitTest(
                f"{url}/{limit.name}", Request(path=f"/{limit.name}"), declared,
                NGINX_OFFERED, NGINX_SECONDS,
            )  # fmt: skip
            report = asyncio.run(validate(test)).report
            rate = report.rate.per_s or 0.0
            fit = f"{report.rate.low or 0:.2f}-{report.rate.high or 0:.2f}"
            burst = "-" if report.volley is None else str(report.volley.burst)
            statuses = ",".join(str(s) for s in report.schedule.statuses if s != 200)
            described = f"burst={limit.burst}{' nodelay' if limit.nodelay else ''} {limit.status}"
            print(
                f"{described:<26} {rate:>9.2f} {100 * (rate - NGINX_RATE) / NGINX_RATE:>+6.1f}% "
                f"{fit:>15} {burst:>6} {report.schedule.admitted:>9} "
                f"{report.expected.admitted:>5} {statuses:>7} {report.passed!s:>7}"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    with running_sandbox() as sandbox:
        print(f"sandbox {sandbox.web_url}; {os.cpu_count()} cores")
        rate_table(sandbox.web_url, args.seconds)
    if shutil.which("nginx"):
        limit_table()
    else:
        print("\nnginx is not installed: rate-limit figures skipped")


if __name__ == "__main__":
    main()
