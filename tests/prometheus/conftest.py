"""A sandbox, a Prometheus scraping it every second, and known traffic.

The traffic is sent once per module, after Prometheus has seen every
series once (``increase()`` only counts what happens between two scrapes
of a series), and the tests read it back through PromQL:

    pages      90 x GET / (200) and 10 x GET /nope (404)
    logins     30 good and 10 wrong passwords, each from its own client,
               then 15 at once from one client: 11 admitted (1 + burst 10),
               4 rejected with 429
    api        40 x GET /api/videos/42 with 220 ms of catalog latency
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from faultdrill.prometheus.client import PrometheusClient
from faultdrill.prometheus.local import LocalPrometheus, binary, running_prometheus
from faultdrill.prometheus.rules import rules_yaml
from faultdrill.sandbox.config import LimitKey, SandboxConfig
from faultdrill.sandbox.control import running_sandbox
from faultdrill.sandbox.state import SandboxState
from faultdrill.slo.model import SloFile, load_slo_file

SLO_FILE = Path(__file__).with_name("sandbox_slos.yaml")
PAGES_OK, PAGES_MISSING = 90, 10
LOGINS_OK, LOGINS_WRONG = 30, 10
BURST_SENT, BURST = 15, 10
SLOW_CALLS, CATALOG_LATENCY_MS, SLOW_WORKERS = 40, 220, 4
WAIT_S = 30.0  # for Prometheus to scrape what was sent; it takes 1-2 s
_POLL_S = 0.2
_TIMEOUT_S = 10.0

requires_prometheus = pytest.mark.skipif(
    binary() is None,
    reason="the prometheus binary is not installed (scripts/bootstrap test "
    "installs Debian's prometheus package)",
)


@dataclass(frozen=True)
class World:
    sandbox: SandboxState
    prometheus: LocalPrometheus
    client: PrometheusClient
    slos: SloFile
    rules: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    if binary() is None:
        pytest.skip("the prometheus binary is not installed")
    slos = load_slo_file(SLO_FILE)
    directory = tmp_path_factory.mktemp("prometheus")
    rules = directory / "rules.yaml"
    rules.write_text(rules_yaml(slos), encoding="utf-8")
    config = SandboxConfig.ephemeral(login_key=LimitKey.HEADER)
    with running_sandbox(config) as sandbox:
        target = sandbox.web_url.removeprefix("http://")
        with running_prometheus([target], directory, 1.0, [rules]) as prometheus:
            client = PrometheusClient(prometheus.url)
            _send_traffic(sandbox, client)
            yield World(sandbox, prometheus, client, slos, rules)


def _send_traffic(sandbox: SandboxState, client: PrometheusClient) -> None:
    web = sandbox.web_url
    _warm_up(web)
    _wait(client, 'count(http_requests_total{route!="/metrics"})', lambda v: v >= 4)
    _wait(client, "count(http_request_duration_seconds_bucket)", lambda v: v > 0)
    _wait(client, 'sum(login_attempts_total{outcome="failure"})', lambda v: v >= 1)
    time.sleep(1.5)  # one more scrape, so the warm-up is a past sample

    _many(PAGES_OK, lambda i: requests.get(f"{web}/", timeout=_TIMEOUT_S))
    _many(PAGES_MISSING, lambda i: requests.get(f"{web}/nope", timeout=_TIMEOUT_S))
    _many(LOGINS_OK, lambda i: _login(web, f"ok-{i}", "demo"))
    _many(LOGINS_WRONG, lambda i: _login(web, f"wrong-{i}", "nope"))
    _many(BURST_SENT, lambda i: _login(web, "one-client", "demo"))
    _slow_api(sandbox)

    _wait(client, 'sum(http_requests_total{route="/"})', lambda v: v >= 1 + PAGES_OK)
    _wait(
        client,
        'sum(http_requests_total{route="/api/videos/{id}"})',
        lambda v: v >= 1 + SLOW_CALLS,
    )
    _wait(client, 'sum(login_attempts_total{outcome="rate_limited"})', lambda v: v > 0)
    time.sleep(1.5)  # and the recording rules evaluated once more


def _warm_up(web: str) -> None:
    requests.get(f"{web}/", timeout=_TIMEOUT_S)
    requests.get(f"{web}/nope", timeout=_TIMEOUT_S)
    requests.get(f"{web}/api/videos/42", timeout=_TIMEOUT_S)
    _login(web, "warm-ok", "demo")
    _login(web, "warm-wrong", "nope")
    for _ in range(BURST + 2):  # a rate_limited sample too
        _login(web, "warm-burst", "demo")


def _slow_api(sandbox: SandboxState) -> None:
    toxics = f"{sandbox.toxiproxy_url}/proxies/{sandbox.proxy_name}/toxics"
    toxic: dict[str, Any] = {
        "name": "slow",
        "type": "latency",
        "stream": "downstream",
        "attributes": {"latency": CATALOG_LATENCY_MS},
    }
    requests.post(toxics, json=toxic, timeout=_TIMEOUT_S).raise_for_status()
    try:
        web = sandbox.web_url
        # A few at a time: on two busy cores, 40 at once queue behind each
        # other and land buckets above the injected latency.
        _many(
            SLOW_CALLS,
            lambda i: requests.get(f"{web}/api/videos/42", timeout=_TIMEOUT_S),
            workers=SLOW_WORKERS,
        )
    finally:
        requests.delete(f"{toxics}/slow", timeout=_TIMEOUT_S).raise_for_status()


def _login(web: str, client_id: str, password: str) -> requests.Response:
    return requests.post(
        f"{web}/login",
        json={"user": "demo", "password": password},
        headers={"X-Client-Id": client_id},
        timeout=_TIMEOUT_S,
    )


def _many(
    count: int, call: Callable[[int], requests.Response], workers: int = 20
) -> None:
    with ThreadPoolExecutor(max_workers=min(count, workers)) as pool:
        list(pool.map(call, range(count)))


def _wait(client: PrometheusClient, promql: str, ok: Callable[[float], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    value: float | None = None
    while time.monotonic() < deadline:
        value = client.scalar(promql)
        if value is not None and ok(value):
            return
        time.sleep(_POLL_S)
    raise AssertionError(f"Prometheus never got there: {promql} = {value}")
