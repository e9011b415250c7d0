"""Toxic effects seen by real clients on loopback."""

from __future__ import annotations

import socket
import time

import pytest
from proxy_helpers import Api, Upstream, connect, recv_exactly, recv_until_closed


def _proxy(api: Api, upstream: Upstream) -> str:
    return str(api.proxy("p", upstream.address)["listen"])


def test_reset_peer_gives_the_client_a_connection_reset(
    api: Api, upstream: Upstream
) -> None:
    listen = _proxy(api, upstream)
    api.toxic("p", type="reset_peer", stream="upstream", attributes={"timeout": 0})
    with connect(listen) as client:
        client.sendall(b"hello")
        with pytest.raises(ConnectionResetError):
            client.recv(10)


def test_reset_peer_also_resets_connections_opened_before_it(
    api: Api, upstream: Upstream
) -> None:
    listen = _proxy(api, upstream)
    with connect(listen) as client:
        client.sendall(b"a")
        assert recv_exactly(client, 1) == b"a"
        api.toxic("p", type="reset_peer", stream="upstream")
        client.sendall(b"b")
        with pytest.raises(ConnectionResetError):
            client.recv(10)


def test_timeout_swallows_data_then_closes(api: Api, upstream: Upstream) -> None:
    listen = _proxy(api, upstream)
    api.toxic("p", type="timeout", attributes={"timeout": 200})
    with connect(listen) as client:
        started = time.perf_counter()
        client.sendall(b"nothing comes back")
        assert recv_until_closed(client) == b""
        assert time.perf_counter() - started >= 0.19


def test_removing_timeout_closes_the_connections_it_held(
    api: Api, upstream: Upstream
) -> None:
    listen = _proxy(api, upstream)
    api.toxic("p", type="timeout", attributes={"timeout": 0})
    with connect(listen) as client:
        client.sendall(b"x")
        client.settimeout(0.2)
        with pytest.raises(TimeoutError):
            client.recv(10)
        client.settimeout(5)
        assert api.delete("/proxies/p/toxics/timeout_downstream").status_code == 204
        assert recv_until_closed(client) == b""


def test_limit_data_forwards_the_limit_then_closes(
    api: Api, upstream: Upstream
) -> None:
    listen = _proxy(api, upstream)
    api.toxic("p", type="limit_data", attributes={"bytes": 10})
    with connect(listen) as client:
        client.sendall(b"0123456789abcdefghij")
        assert recv_until_closed(client) == b"0123456789"


def test_limit_data_counts_afresh_per_connection_and_per_toxic(
    api: Api, upstream: Upstream
) -> None:
    listen = _proxy(api, upstream)
    toxic = api.toxic("p", type="limit_data", attributes={"bytes": 10})
    with connect(listen) as first:
        first.sendall(b"0123456789abcdefghij")
        assert recv_until_closed(first) == b"0123456789"
    with connect(listen) as second:  # a new connection starts from zero
        second.sendall(b"ABCDEFGHIJKLMNOP")
        assert recv_until_closed(second) == b"ABCDEFGHIJ"
    with connect(listen) as third:
        third.sendall(b"abcdef")
        assert recv_exactly(third, 6) == b"abcdef"  # 6 of its 10 sent
        assert api.delete(f"/proxies/p/toxics/{toxic['name']}").status_code == 204
        api.toxic("p", type="limit_data", attributes={"bytes": 10})
        third.sendall(b"0123456789XYZ")  # the new toxic counts from zero
        assert recv_until_closed(third) == b"0123456789"


def test_slow_close_delays_the_close_not_the_data(api: Api, upstream: Upstream) -> None:
    listen = _proxy(api, upstream)
    api.toxic("p", type="slow_close", attributes={"delay": 300})
    with connect(listen) as client:
        client.sendall(b"data")
        assert recv_exactly(client, 4) == b"data"
        started = time.perf_counter()
        client.shutdown(socket.SHUT_WR)
        assert recv_until_closed(client) == b""
        assert time.perf_counter() - started >= 0.29


def test_bandwidth_limits_the_rate(api: Api, upstream: Upstream) -> None:
    listen = _proxy(api, upstream)
    api.toxic("p", type="bandwidth", attributes={"rate": 100})  # 100,000 B/s
    with connect(listen) as client:
        started = time.perf_counter()
        client.sendall(b"b" * 50_000)
        assert recv_exactly(client, 50_000) == b"b" * 50_000
        assert time.perf_counter() - started >= 0.45


def test_slicer_delivers_everything_in_order(api: Api, upstream: Upstream) -> None:
    listen = _proxy(api, upstream)
    api.toxic(
        "p",
        type="slicer",
        attributes={"average_size": 64, "size_variation": 32, "delay": 10},
    )
    payload = bytes(range(256)) * 200
    with connect(listen) as client:
        client.sendall(payload)
        assert recv_exactly(client, len(payload)) == payload


def test_stacked_latencies_add_up(api: Api, upstream: Upstream) -> None:
    listen = _proxy(api, upstream)
    api.toxic("p", name="one", type="latency", attributes={"latency": 150})
    api.toxic("p", name="two", type="latency", attributes={"latency": 150})
    with connect(listen) as client:
        started = time.perf_counter()
        client.sendall(b"z")
        assert recv_exactly(client, 1) == b"z"
        assert time.perf_counter() - started >= 0.3


def test_toxicity_zero_leaves_connections_untouched(
    api: Api, upstream: Upstream
) -> None:
    listen = _proxy(api, upstream)
    api.toxic("p", type="timeout", toxicity=0)
    with connect(listen) as client:
        client.sendall(b"fine")
        assert recv_exactly(client, 4) == b"fine"
