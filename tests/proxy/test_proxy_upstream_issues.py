"""Toxiproxy's reported hangs, panics and surprises, as regression tests.

Each test names the Shopify/toxiproxy issue it comes from. The API must
keep answering promptly whatever the data path is doing.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from proxy_helpers import Api, Upstream, connect, recv_exactly, recv_until_closed

API_PROMPT = 2.0  # seconds: an API call slower than this counts as a hang


def _timed(call: object) -> float:
    started = time.perf_counter()
    assert callable(call)
    call()
    return time.perf_counter() - started


def test_issue_88_deleting_a_timeout_toxic_does_not_lock_the_api(
    api: Api, upstream: Upstream
) -> None:
    listen = api.proxy("p", upstream.address)["listen"]
    api.toxic("p", type="timeout", attributes={"timeout": 0})
    with connect(listen) as client:
        client.sendall(b"x" * 10_000)
        client.settimeout(0.3)
        with pytest.raises(TimeoutError):  # swallowed: the toxic holds the echo
            client.recv(10)
        client.settimeout(5)
        elapsed = _timed(lambda: api.delete("/proxies/p/toxics/timeout_downstream"))
        assert elapsed < API_PROMPT
        assert recv_until_closed(client) == b""


def test_issue_159_latency_then_timeout_then_removing_latency_keeps_the_api_alive(
    api: Api, upstream: Upstream
) -> None:
    listen = api.proxy("p", upstream.address)["listen"]
    api.toxic(
        "p", name="lat", type="latency", stream="upstream", attributes={"latency": 5000}
    )
    api.toxic(
        "p", name="to", type="timeout", stream="upstream", attributes={"timeout": 0}
    )
    with connect(listen) as client:
        client.sendall(b"request")
        assert _timed(lambda: api.delete("/proxies/p/toxics/lat")) < API_PROMPT
        assert _timed(lambda: api.get("/proxies")) < API_PROMPT
        assert api.delete("/proxies/p/toxics/to").status_code == 204
        assert recv_until_closed(client) == b""


def test_issue_121_timeout_blocks_data_from_the_start(
    api: Api, upstream: Upstream
) -> None:
    listen = api.proxy("p", upstream.address)["listen"]
    api.toxic("p", type="timeout", stream="upstream", attributes={"timeout": 1000})
    with connect(listen) as client:
        client.sendall(b"early")
        client.settimeout(0.3)
        with pytest.raises(TimeoutError):
            client.recv(10)
    assert upstream.accepted == 1


def test_issue_210_removing_bandwidth_zero_delivers_the_held_data(
    api: Api, upstream: Upstream
) -> None:
    listen = api.proxy("p", upstream.address)["listen"]
    api.toxic("p", type="bandwidth", attributes={"rate": 0})
    with connect(listen) as client:
        client.sendall(b"stalled")
        client.settimeout(0.3)
        with pytest.raises(TimeoutError):
            client.recv(10)
        client.settimeout(5)
        assert (
            _timed(lambda: api.delete("/proxies/p/toxics/bandwidth_downstream"))
            < API_PROMPT
        )
        assert recv_exactly(client, 7) == b"stalled"


def _flood_source() -> tuple[socket.socket, threading.Event]:
    """A server that sends as fast as it can to whoever connects."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        block = b"f" * 65536
        with conn:
            while not stop.is_set():
                try:
                    conn.sendall(block)
                except OSError:
                    return

    threading.Thread(target=serve, daemon=True).start()
    return listener, stop


def test_issues_412_558_removing_latency_under_heavy_traffic_to_a_broken_client(
    api: Api,
) -> None:
    listener, stop = _flood_source()
    try:
        upstream = f"127.0.0.1:{listener.getsockname()[1]}"
        listen = api.proxy("p", upstream)["listen"]
        api.toxic("p", type="latency", attributes={"latency": 100, "jitter": 50})
        client = connect(listen)
        assert len(client.recv(65536)) > 0
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()  # a RST: the proxy's writes now hit a broken pipe
        elapsed = _timed(lambda: api.delete("/proxies/p/toxics/latency_downstream"))
        assert elapsed < API_PROMPT
        assert _timed(lambda: api.get("/proxies/p")) < API_PROMPT
    finally:
        stop.set()
        listener.close()


def test_issue_603_reset_peer_with_toxicity_zero_does_not_reset(
    api: Api, upstream: Upstream
) -> None:
    listen = api.proxy("p", upstream.address)["listen"]
    api.toxic("p", type="reset_peer", toxicity=0)
    with connect(listen) as client:
        client.sendall(b"ok")
        assert recv_exactly(client, 2) == b"ok"
        client.shutdown(socket.SHUT_WR)
        assert recv_until_closed(client) == b""  # a FIN, not a reset


def test_issue_541_slicer_variation_larger_than_average_does_not_break(
    api: Api, upstream: Upstream
) -> None:
    listen = api.proxy("p", upstream.address)["listen"]
    api.toxic("p", type="slicer", attributes={"average_size": 2, "size_variation": 50})
    payload = bytes(range(256)) * 40
    with connect(listen) as client:
        client.sendall(payload)
        assert recv_exactly(client, len(payload)) == payload


def test_issue_541_slicer_average_zero_is_refused_not_a_crash(
    api: Api, upstream: Upstream
) -> None:
    api.proxy("p", upstream.address)
    reply = api.post("/proxies/p/toxics", json={"type": "slicer"})
    assert reply.status_code == 400
    assert api.get("/version").status_code == 200


def test_issue_131_update_with_localhost_for_the_same_address_keeps_connections(
    api: Api, upstream: Upstream
) -> None:
    listen = str(api.proxy("p", upstream.address, listen="localhost:0")["listen"])
    port = listen.rsplit(":", 1)[1]
    with connect(listen) as client:
        client.sendall(b"1")
        assert recv_exactly(client, 1) == b"1"
        api.patch("/proxies/p", json={"listen": f"localhost:{port}"})
        client.sendall(b"2")
        assert recv_exactly(client, 1) == b"2"


def test_issue_655_latency_applies_to_one_stream_only(api: Api) -> None:
    greeter = Upstream(greeting=b"hello")
    try:
        listen = api.proxy("p", greeter.address)["listen"]
        api.toxic("p", type="latency", stream="upstream", attributes={"latency": 3000})
        with connect(listen) as client:
            started = time.perf_counter()
            assert recv_exactly(client, 5) == b"hello"
            assert time.perf_counter() - started < 2.0  # not held for 3 s
    finally:
        greeter.close()


def test_issue_148_every_connection_after_a_toxic_is_created_is_subject_to_it(
    api: Api, upstream: Upstream
) -> None:
    listen = api.proxy("p", upstream.address)["listen"]
    api.toxic("p", type="latency", attributes={"latency": 200})

    def round_trip(index: int) -> float:
        with connect(listen) as client:
            started = time.perf_counter()
            client.sendall(bytes([index]))
            assert recv_exactly(client, 1) == bytes([index])
            return time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=20) as pool:
        times = list(pool.map(round_trip, range(20)))
    assert min(times) >= 0.2
