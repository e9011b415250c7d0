"""The Toxiproxy API's rules: bodies, defaults, checks, errors, headers."""

from __future__ import annotations

import socket

import pytest
from proxy_helpers import Api, Upstream, connect, recv_exactly

# Request bodies and their errors


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "bad request body: EOF"),
        (b"   ", "bad request body: EOF"),
        (b"{", "bad request body: unexpected EOF"),
        (
            b"x",
            "bad request body: invalid character 'x' looking for beginning of value",
        ),
        (
            b"[]",
            "bad request body: json: cannot unmarshal array into Go value of type "
            "proxy.Proxy",
        ),
        (b'{"upstream":"a:1"}', "missing required field: name"),
        (b'{"name":"n"}', "missing required field: upstream"),
        (b"[" * 100_000, "bad request body: exceeded max depth"),
        (b'{"name":"n","upstream":""}', "missing required field: upstream"),
        (
            b'{"name":"n","upstream":"a:1","enabled":"yes"}',
            "bad request body: json: cannot unmarshal string into Go struct field "
            "Proxy.enabled of type bool",
        ),
    ],
)
def test_bad_create_bodies_answer_400_with_toxiproxy_messages(
    api: Api, body: bytes, message: str
) -> None:
    reply = api.post("/proxies", data=body)
    assert reply.status_code == 400
    assert reply.text == f'{{"error":"{message}","status":400}}\n'.replace("'", "'")
    assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


def test_only_the_first_json_value_is_read_and_fields_match_any_case(
    api: Api, upstream: Upstream
) -> None:
    fields = f'"NAME":"n","Upstream":"{upstream.address}","listen":"127.0.0.1:0"'
    body = f"{{{fields}}} trailing"
    reply = api.post("/proxies", data=body)
    assert reply.status_code == 201
    assert reply.json()["name"] == "n"


def test_unknown_fields_like_toxics_are_ignored_on_create(
    api: Api, upstream: Upstream
) -> None:
    reply = api.post(
        "/proxies",
        json={
            "name": "n",
            "upstream": upstream.address,
            "listen": "127.0.0.1:0",
            "toxics": [{"type": "latency"}],
            "Logger": {},
        },
    )
    assert reply.status_code == 201
    assert reply.json()["toxics"] == []


# Listen addresses


@pytest.mark.parametrize(
    ("listen", "host"),
    [
        ("localhost:0", "127.0.0.1"),
        ("127.0.0.1:0", "127.0.0.1"),
        ("0.0.0.0:0", "[::]"),
        (":0", "[::]"),
        ("", "[::]"),
        ("[::1]:0", "[::1]"),
    ],
)
def test_listen_reads_back_as_the_bound_address(
    api: Api, upstream: Upstream, listen: str, host: str
) -> None:
    body = api.proxy("p", upstream.address, listen=listen)
    bound_host, port = str(body["listen"]).rsplit(":", 1)
    assert bound_host == host
    assert int(port) > 0


def test_disabled_proxy_keeps_its_listen_unresolved(
    api: Api, upstream: Upstream
) -> None:
    reply = api.post(
        "/proxies",
        json={
            "name": "p",
            "listen": "localhost:0",
            "upstream": upstream.address,
            "enabled": False,
        },
    )
    assert reply.status_code == 201
    assert reply.json()["listen"] == "localhost:0"
    assert reply.json()["enabled"] is False


def test_port_in_use_answers_500_with_the_bind_error(
    api: Api, upstream: Upstream
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        reply = api.post(
            "/proxies",
            json={"name": "p", "listen": f"127.0.0.1:{port}", "upstream": "x:1"},
        )
    assert reply.status_code == 500
    assert reply.json() == {
        "error": f"listen tcp 127.0.0.1:{port}: bind: address already in use",
        "status": 500,
    }
    assert api.get("/proxies").json() == {}


def test_listen_without_a_port_answers_500(api: Api) -> None:
    reply = api.post(
        "/proxies", json={"name": "p", "listen": "127.0.0.1", "upstream": "x:1"}
    )
    assert reply.status_code == 500
    assert "missing port in address" in reply.json()["error"]


def test_name_conflict_is_checked_before_binding(api: Api, upstream: Upstream) -> None:
    first = api.proxy("p", upstream.address)
    again = api.post(
        "/proxies",
        json={"name": "p", "listen": first["listen"], "upstream": upstream.address},
    )
    assert again.status_code == 409


# Updating proxies


@pytest.mark.parametrize("method", ["post", "patch"])
def test_update_keeps_omitted_fields_and_ignores_name(
    api: Api, upstream: Upstream, method: str
) -> None:
    created = api.proxy("p", upstream.address)
    reply = getattr(api, method)("/proxies/p", json={"name": "other"})
    assert reply.status_code == 200
    assert reply.json() == created


def test_disabling_closes_open_connections_and_the_listener(
    api: Api, upstream: Upstream
) -> None:
    created = api.proxy("p", upstream.address)
    with connect(created["listen"]) as client:
        client.sendall(b"hi")
        assert recv_exactly(client, 2) == b"hi"
        reply = api.post("/proxies/p", json={"enabled": False})
        assert reply.json()["enabled"] is False
        assert reply.json()["listen"] == created["listen"]
        assert client.recv(10) == b""
    with pytest.raises(ConnectionRefusedError):
        connect(created["listen"])


def test_enabling_again_listens_on_the_same_port_with_toxics_kept(
    api: Api, upstream: Upstream
) -> None:
    created = api.proxy("p", upstream.address)
    api.toxic("p", type="latency", attributes={"latency": 1})
    api.post("/proxies/p", json={"enabled": False})
    again = api.post("/proxies/p", json={"enabled": True}).json()
    assert again["listen"] == created["listen"]
    assert len(again["toxics"]) == 1
    with connect(again["listen"]) as client:
        client.sendall(b"ok")
        assert recv_exactly(client, 2) == b"ok"


def test_changing_the_upstream_drops_open_connections(
    api: Api, upstream: Upstream
) -> None:
    created = api.proxy("p", upstream.address)
    other = Upstream()
    try:
        with connect(created["listen"]) as client:
            client.sendall(b"a")
            assert recv_exactly(client, 1) == b"a"
            reply = api.patch("/proxies/p", json={"upstream": other.address})
            assert reply.json()["upstream"] == other.address
            assert client.recv(10) == b""
        with connect(reply.json()["listen"]) as client:
            client.sendall(b"b")
            assert recv_exactly(client, 1) == b"b"
        assert other.accepted == 1
    finally:
        other.close()


def test_update_of_unknown_proxy_is_404_before_the_body_is_read(api: Api) -> None:
    reply = api.post("/proxies/nope", data=b"")
    assert reply.status_code == 404


def test_update_with_empty_body_is_400_eof(api: Api, upstream: Upstream) -> None:
    api.proxy("p", upstream.address)
    reply = api.patch("/proxies/p", data=b"")
    assert reply.json() == {"error": "bad request body: EOF", "status": 400}


def test_upstream_that_refuses_closes_the_client(api: Api) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{closed.getsockname()[1]}"
    created = api.proxy("p", dead)
    with connect(created["listen"]) as client:
        assert client.recv(10) == b""


# Toxics


def test_toxic_defaults(api: Api, upstream: Upstream) -> None:
    api.proxy("p", upstream.address)
    toxic = api.toxic("p", type="slow_close")
    assert toxic == {
        "attributes": {"delay": 0},
        "name": "slow_close_downstream",
        "type": "slow_close",
        "stream": "downstream",
        "toxicity": 1,
    }


def test_toxic_keeps_explicit_zero_toxicity_and_stream_as_sent(
    api: Api, upstream: Upstream
) -> None:
    api.proxy("p", upstream.address)
    toxic = api.toxic("p", type="noop", stream="UpStream", toxicity=0)
    assert toxic["toxicity"] == 0
    assert toxic["stream"] == "UpStream"
    assert toxic["name"] == "noop_UpStream"
    assert toxic["attributes"] == {}


def test_toxics_list_upstream_chain_first(api: Api, upstream: Upstream) -> None:
    api.proxy("p", upstream.address)
    api.toxic("p", name="d1", type="noop")
    api.toxic("p", name="u1", type="noop", stream="upstream")
    api.toxic("p", name="d2", type="noop")
    names = [t["name"] for t in api.get("/proxies/p/toxics").json()]
    assert names == ["u1", "d1", "d2"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (
            {"type": "latency", "stream": "sideways"},
            400,
            "stream was invalid, can be either upstream or downstream",
        ),
        ({"type": "nope"}, 400, "invalid toxic type"),
        ({}, 400, "invalid toxic type"),
        (
            {"type": "latency", "attributes": {"latency": 1.5}},
            400,
            "bad request body: json: cannot unmarshal number 1.5 into Go struct field "
            "LatencyToxic.latency of type int64",
        ),
        (
            {"type": "latency", "toxicity": "high"},
            400,
            "bad request body: json: cannot unmarshal string into Go struct field "
            "ToxicWrapper.toxicity of type float32",
        ),
        (
            {"type": "bandwidth", "attributes": {"rate": -1}},
            400,
            "invalid attributes for bandwidth toxic: "
            "rate must be 0 (hold all data) or more KB/s, got -1",
        ),
        (
            {"type": "slicer", "attributes": {"average_size": 0}},
            400,
            "invalid attributes for slicer toxic: "
            "average_size must be at least 1 byte, got 0 (0 would slice forever)",
        ),
    ],
)
def test_bad_toxics_are_refused(
    api: Api, upstream: Upstream, body: dict[str, object], status: int, message: str
) -> None:
    api.proxy("p", upstream.address)
    reply = api.post("/proxies/p/toxics", json=body)
    assert reply.status_code == status
    assert reply.json() == {"error": message, "status": status}
    assert api.get("/proxies/p/toxics").json() == []


def test_toxic_names_are_unique_across_both_streams(
    api: Api, upstream: Upstream
) -> None:
    api.proxy("p", upstream.address)
    api.toxic("p", name="same", type="latency", stream="upstream")
    reply = api.post("/proxies/p/toxics", json={"name": "same", "type": "latency"})
    assert reply.status_code == 409
    assert reply.json() == {"error": "toxic already exists", "status": 409}


def test_toxic_attributes_null_or_unknown_keys_are_accepted(
    api: Api, upstream: Upstream
) -> None:
    api.proxy("p", upstream.address)
    first = api.toxic("p", name="a", type="latency", attributes=None)
    second = api.toxic(
        "p", name="b", type="latency", attributes={"latency": 3, "colour": 1}
    )
    assert first["attributes"] == {"latency": 0, "jitter": 0}
    assert second["attributes"] == {"latency": 3, "jitter": 0}


@pytest.mark.parametrize("method", ["post", "patch"])
def test_toxic_update_merges_attributes_and_keeps_toxicity(
    api: Api, upstream: Upstream, method: str
) -> None:
    api.proxy("p", upstream.address)
    api.toxic(
        "p", type="latency", toxicity=0.5, attributes={"latency": 100, "jitter": 10}
    )
    reply = getattr(api, method)(
        "/proxies/p/toxics/latency_downstream",
        json={"attributes": {"latency": 200}, "name": "renamed", "stream": "upstream"},
    )
    assert reply.status_code == 200
    assert reply.json() == {
        "attributes": {"latency": 200, "jitter": 10},
        "name": "latency_downstream",
        "type": "latency",
        "stream": "downstream",
        "toxicity": 0.5,
    }
    assert api.get("/proxies/p/toxics/latency_downstream").json() == reply.json()


def test_toxic_update_errors(api: Api, upstream: Upstream) -> None:
    api.proxy("p", upstream.address)
    api.toxic("p", type="latency")
    assert api.post("/proxies/p/toxics/nope", json={}).status_code == 404
    assert api.post("/proxies/nope/toxics/latency_downstream", json={}).json() == {
        "error": "proxy not found",
        "status": 404,
    }
    empty = api.post("/proxies/p/toxics/latency_downstream", data=b"")
    assert empty.json() == {"error": "bad request body: EOF", "status": 400}


def test_get_unknown_toxic_is_404(api: Api, upstream: Upstream) -> None:
    api.proxy("p", upstream.address)
    reply = api.get("/proxies/p/toxics/nope")
    assert reply.json() == {"error": "toxic not found", "status": 404}


# Routing and headers


def test_unknown_path_is_go_404_without_request_id(api: Api) -> None:
    reply = api.get("/nope")
    assert reply.status_code == 404
    assert reply.text == "404 page not found\n"
    assert reply.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "X-Toxiproxy-Request-Id" not in reply.headers


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/proxies"),
        ("HEAD", "/version"),
        ("DELETE", "/reset"),
        ("GET", "/populate"),
    ],
)
def test_wrong_method_is_405_with_empty_body(api: Api, method: str, path: str) -> None:
    reply = api.session.request(method, api.base + path, timeout=5)
    assert reply.status_code == 405
    assert reply.content == b""
    assert "X-Toxiproxy-Request-Id" not in reply.headers


def test_routed_responses_carry_distinct_request_ids(api: Api) -> None:
    first = api.get("/proxies").headers["X-Toxiproxy-Request-Id"]
    second = api.get("/proxies").headers["X-Toxiproxy-Request-Id"]
    assert len(first) == 20 and first != second


def test_browsers_are_refused_with_403(api: Api) -> None:
    reply = api.get(
        "/proxies", headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64)"}
    )
    assert reply.status_code == 403
    assert reply.text == "User agent not allowed\n"
    assert "X-Toxiproxy-Request-Id" in reply.headers


def test_no_server_header(api: Api) -> None:
    assert "Server" not in api.get("/version").headers


def test_metrics_route_is_absent_unless_enabled(api: Api) -> None:
    reply = api.get("/metrics")
    assert reply.status_code == 404
    assert reply.text == "404 page not found\n"


def test_upstream_is_not_checked_at_creation_but_fails_each_connection(
    api: Api,
) -> None:
    created = api.proxy("p", "no-port-here")
    assert created["upstream"] == "no-port-here"
    with connect(created["listen"]) as client:
        assert client.recv(10) == b""
