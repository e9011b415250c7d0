"""/populate: validate all first, keep unchanged proxies, replace changed
ones, stop at the first failure."""

from __future__ import annotations

import socket

from proxy_helpers import Api, Upstream


def _item(
    name: str, upstream: str, listen: str = "127.0.0.1:0", **more: object
) -> dict[str, object]:
    return {"name": name, "listen": listen, "upstream": upstream, **more}


def test_populate_creates_proxies_and_answers_201(api: Api, upstream: Upstream) -> None:
    reply = api.post(
        "/populate", json=[_item("a", upstream.address), _item("b", upstream.address)]
    )
    assert reply.status_code == 201
    assert reply.headers["Content-Type"] == "application/json"
    assert [p["name"] for p in reply.json()["proxies"]] == ["a", "b"]
    assert sorted(api.get("/proxies").json()) == ["a", "b"]


def test_populate_with_an_empty_list_answers_null_proxies(api: Api) -> None:
    reply = api.post("/populate", json=[])
    assert reply.status_code == 201
    assert reply.text == '{"proxies":null}'


def test_populate_validates_every_item_before_creating_any(
    api: Api, upstream: Upstream
) -> None:
    reply = api.post(
        "/populate", json=[_item("a", upstream.address), {"upstream": "x:1"}]
    )
    assert reply.status_code == 400
    assert reply.json() == {
        "error": "missing required field: name at proxy 2",
        "status": 400,
        "proxies": None,
    }
    assert api.get("/proxies").json() == {}


def test_populate_bad_body_uses_the_populate_error_shape(api: Api) -> None:
    reply = api.post("/populate", data=b"")
    assert reply.status_code == 400
    assert reply.json() == {
        "error": "bad request body: EOF",
        "status": 400,
        "proxies": None,
    }


def test_populate_keeps_an_unchanged_proxy_with_its_toxics(
    api: Api, upstream: Upstream
) -> None:
    created = api.proxy("a", upstream.address, listen="localhost:0")
    api.toxic("a", type="latency", attributes={"latency": 5})
    port = str(created["listen"]).rsplit(":", 1)[1]
    # localhost resolves to the stored 127.0.0.1 (upstream issue #131)
    item = _item("a", upstream.address, listen=f"localhost:{port}", enabled=False)
    reply = api.post("/populate", json=[item])
    assert reply.status_code == 201
    kept = reply.json()["proxies"][0]
    assert kept["enabled"] is True
    assert len(kept["toxics"]) == 1
    assert api.get("/proxies/a").json() == kept


def test_populate_replaces_a_changed_proxy_without_its_toxics(
    api: Api, upstream: Upstream
) -> None:
    api.proxy("a", upstream.address)
    api.toxic("a", type="latency")
    other = Upstream()
    try:
        reply = api.post("/populate", json=[_item("a", other.address)])
        replaced = reply.json()["proxies"][0]
        assert replaced["upstream"] == other.address
        assert replaced["toxics"] == []
    finally:
        other.close()


def test_populate_with_port_zero_always_replaces(api: Api, upstream: Upstream) -> None:
    api.proxy("a", upstream.address)
    api.toxic("a", type="latency")
    reply = api.post(
        "/populate", json=[_item("a", upstream.address, listen="127.0.0.1:0")]
    )
    assert reply.json()["proxies"][0]["toxics"] == []


def test_populate_stops_at_the_first_failure_and_keeps_earlier_ones(
    api: Api, upstream: Upstream
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        items = [
            _item("first", upstream.address),
            _item("clash", upstream.address, listen=f"127.0.0.1:{port}"),
            _item("never", upstream.address),
        ]
        reply = api.post("/populate", json=items)
    assert reply.status_code == 500
    body = reply.json()
    assert body["error"] == f"listen tcp 127.0.0.1:{port}: bind: address already in use"
    assert body["status"] == 500
    assert [p["name"] for p in body["proxies"]] == ["first"]
    assert sorted(api.get("/proxies").json()) == ["first"]


def test_populate_leaves_other_proxies_alone_and_ignores_toxics(
    api: Api, upstream: Upstream
) -> None:
    api.proxy("other", upstream.address)
    item = _item("new", upstream.address, toxics=[{"type": "latency"}])
    reply = api.post("/populate", json=[item])
    assert reply.json()["proxies"][0]["toxics"] == []
    assert sorted(api.get("/proxies").json()) == ["new", "other"]


def test_populate_item_disabled_is_created_disabled(
    api: Api, upstream: Upstream
) -> None:
    reply = api.post("/populate", json=[_item("a", upstream.address, enabled=False)])
    assert reply.json()["proxies"][0]["enabled"] is False
