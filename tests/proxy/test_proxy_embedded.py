"""EmbeddedProxy: the server in a background thread."""

from __future__ import annotations

import pytest
import requests

from faultdrill.errors import InvalidInput, TargetUnavailable
from faultdrill.proxy.embedded import EmbeddedProxy


def test_start_returns_once_the_api_answers_and_stop_closes_it() -> None:
    server = EmbeddedProxy().start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert requests.get(f"{server.url}/version", timeout=5).status_code == 200
        url = server.url
    finally:
        server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/version", timeout=2)


def test_stop_twice_and_stop_before_start_are_harmless() -> None:
    server = EmbeddedProxy()
    server.stop()
    server.start()
    server.stop()
    server.stop()


def test_url_before_start_says_to_start_first() -> None:
    with pytest.raises(TargetUnavailable, match="start"):
        _ = EmbeddedProxy().url


def test_two_servers_run_side_by_side_with_their_own_proxies() -> None:
    with EmbeddedProxy() as first, EmbeddedProxy() as second:
        body = {
            "name": "only-first",
            "upstream": "127.0.0.1:9",
            "listen": "127.0.0.1:0",
        }
        assert (
            requests.post(f"{first.url}/proxies", json=body, timeout=5).status_code
            == 201
        )
        assert requests.get(f"{second.url}/proxies", timeout=5).json() == {}


def test_a_taken_port_fails_start_with_a_clear_error() -> None:
    with EmbeddedProxy() as first:
        port = int(first.url.rsplit(":", 1)[1])
        with pytest.raises(InvalidInput, match="address already in use"):
            EmbeddedProxy(port=port).start()
