"""/metrics: Toxiproxy's byte counters, only when enabled."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from proxy_helpers import Upstream, connect, recv_exactly

from faultdrill.proxy.embedded import EmbeddedProxy


@pytest.fixture
def metered() -> Iterator[EmbeddedProxy]:
    with EmbeddedProxy(proxy_metrics=True) as server:
        yield server


def _sample(text: str, name: str, direction: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + "{") and f'direction="{direction}"' in line:
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} {direction} not in metrics")


def test_metrics_count_bytes_per_direction(
    metered: EmbeddedProxy, upstream: Upstream
) -> None:
    body = {"name": "echo", "listen": "127.0.0.1:0", "upstream": upstream.address}
    listen = requests.post(f"{metered.url}/proxies", json=body, timeout=5).json()[
        "listen"
    ]
    with connect(listen) as client:
        client.sendall(b"x" * 1000)
        assert len(recv_exactly(client, 1000)) == 1000
    text = requests.get(f"{metered.url}/metrics", timeout=5).text
    for direction in ("upstream", "downstream"):
        assert _sample(text, "toxiproxy_proxy_received_bytes_total", direction) == 1000
        assert _sample(text, "toxiproxy_proxy_sent_bytes_total", direction) == 1000
    assert f'listener="{listen}",proxy="echo",upstream="{upstream.address}"' in text


def test_runtime_metrics_serve_process_figures() -> None:
    with EmbeddedProxy(runtime_metrics=True) as server:
        text = requests.get(f"{server.url}/metrics", timeout=5).text
    assert "process_open_fds" in text
    assert "toxiproxy_proxy_received_bytes_total" not in text
