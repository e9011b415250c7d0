"""Core endpoints of the Toxiproxy API and the latency toxic end to end."""

from __future__ import annotations

import time

from proxy_helpers import Api, Upstream, connect, recv_exactly


def test_version_reports_the_toxiproxy_api_version(api: Api) -> None:
    reply = api.get("/version")
    assert reply.status_code == 200
    assert reply.text == '{"version": "2.12.0"}\n'
    assert reply.headers["Content-Type"] == "application/json;charset=utf-8"


def test_created_proxy_reports_the_real_port_for_port_zero(
    api: Api, upstream: Upstream
) -> None:
    body = api.proxy("echo", upstream.address)
    assert body["name"] == "echo"
    assert body["upstream"] == upstream.address
    assert body["enabled"] is True
    assert body["toxics"] == []
    host, port = str(body["listen"]).rsplit(":", 1)
    assert host == "127.0.0.1" and int(port) > 0


def test_created_proxy_answers_201_with_toxiproxy_field_order(
    api: Api, upstream: Upstream
) -> None:
    reply = api.post(
        "/proxies",
        json={"name": "a", "listen": "127.0.0.1:0", "upstream": upstream.address},
    )
    assert reply.status_code == 201
    assert reply.headers["Content-Type"] == "application/json"
    assert reply.text.startswith('{"name":"a","listen":"127.0.0.1:')
    assert reply.text.endswith(
        f'"upstream":"{upstream.address}","enabled":true,"Logger":{{}},"toxics":[]}}'
    )


def test_proxy_data_passes_through(api: Api, upstream: Upstream) -> None:
    body = api.proxy("echo", upstream.address)
    with connect(body["listen"]) as client:
        client.sendall(b"ping")
        assert recv_exactly(client, 4) == b"ping"


def test_listing_proxies_is_keyed_by_name(api: Api, upstream: Upstream) -> None:
    assert api.get("/proxies").json() == {}
    api.proxy("b", upstream.address)
    api.proxy("a", upstream.address)
    listing = api.get("/proxies").json()
    assert list(listing) == ["a", "b"]
    assert listing["a"]["name"] == "a"


def test_get_proxy_returns_it_and_unknown_is_404(api: Api, upstream: Upstream) -> None:
    created = api.proxy("echo", upstream.address)
    assert api.get("/proxies/echo").json() == created
    missing = api.get("/proxies/nope")
    assert missing.status_code == 404
    assert missing.text == '{"error":"proxy not found","status":404}\n'


def test_duplicate_proxy_name_is_409(api: Api, upstream: Upstream) -> None:
    api.proxy("echo", upstream.address)
    again = api.post("/proxies", json={"name": "echo", "upstream": upstream.address})
    assert again.status_code == 409
    assert again.json() == {"error": "proxy already exists", "status": 409}


def test_deleted_proxy_is_gone_and_its_port_closed(
    api: Api, upstream: Upstream
) -> None:
    body = api.proxy("echo", upstream.address)
    assert api.delete("/proxies/echo").status_code == 204
    assert api.get("/proxies/echo").status_code == 404
    assert api.delete("/proxies/echo").status_code == 404
    try:
        connect(body["listen"]).close()
    except ConnectionRefusedError:
        return
    raise AssertionError("the deleted proxy still accepts connections")


def test_toxic_create_list_delete(api: Api, upstream: Upstream) -> None:
    api.proxy("echo", upstream.address)
    toxic = api.toxic("echo", type="latency", attributes={"latency": 10, "jitter": 1})
    assert toxic == {
        "attributes": {"latency": 10, "jitter": 1},
        "name": "latency_downstream",
        "type": "latency",
        "stream": "downstream",
        "toxicity": 1,
    }
    assert api.get("/proxies/echo/toxics").json() == [toxic]
    assert api.get("/proxies/echo").json()["toxics"] == [toxic]
    assert api.delete("/proxies/echo/toxics/latency_downstream").status_code == 204
    assert api.get("/proxies/echo/toxics").json() == []
    gone = api.delete("/proxies/echo/toxics/latency_downstream")
    assert gone.status_code == 404
    assert gone.json() == {"error": "toxic not found", "status": 404}


def test_reset_removes_toxics_and_enables_proxies(api: Api, upstream: Upstream) -> None:
    api.proxy("echo", upstream.address)
    api.toxic("echo", type="latency", attributes={"latency": 10})
    api.post("/proxies/echo", json={"enabled": False})
    reply = api.post("/reset")
    assert reply.status_code == 204
    assert reply.content == b""
    proxy = api.get("/proxies/echo").json()
    assert proxy["enabled"] is True
    assert proxy["toxics"] == []


def _round_trip(listen: object) -> float:
    with connect(listen) as client:
        started = time.perf_counter()
        client.sendall(b"x")
        assert recv_exactly(client, 1) == b"x"
        return time.perf_counter() - started


def test_latency_toxic_delays_the_downstream(api: Api, upstream: Upstream) -> None:
    body = api.proxy("echo", upstream.address)
    api.toxic("echo", type="latency", attributes={"latency": 200})
    assert _round_trip(body["listen"]) >= 0.2


def test_latency_toxic_delays_the_upstream(api: Api, upstream: Upstream) -> None:
    body = api.proxy("echo", upstream.address)
    api.toxic("echo", type="latency", stream="upstream", attributes={"latency": 200})
    assert _round_trip(body["listen"]) >= 0.2


def test_latency_applies_to_a_connection_opened_before_the_toxic(
    api: Api, upstream: Upstream
) -> None:
    body = api.proxy("echo", upstream.address)
    with connect(body["listen"]) as client:
        client.sendall(b"a")
        assert recv_exactly(client, 1) == b"a"
        api.toxic("echo", type="latency", attributes={"latency": 200})
        started = time.perf_counter()
        client.sendall(b"b")
        assert recv_exactly(client, 1) == b"b"
        assert time.perf_counter() - started >= 0.2
