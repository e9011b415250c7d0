"""Unchanged Toxiproxy clients against the embedded server: the
toxiproxy-python client and the chaostoolkit-toxiproxy extension."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from proxy_helpers import Upstream, connect, recv_exactly

from faultdrill.proxy.embedded import EmbeddedProxy

toxiproxy_client = pytest.importorskip("toxiproxy")
toxiproxy_api = pytest.importorskip("toxiproxy.api")
chaos_proxy = pytest.importorskip("chaostoxi.proxy.actions")
chaos_probes = pytest.importorskip("chaostoxi.proxy.probes")
chaos_toxic = pytest.importorskip("chaostoxi.toxic.actions")


@pytest.fixture
def python_client(toxiproxy: EmbeddedProxy, monkeypatch: pytest.MonkeyPatch) -> Any:
    host, port = toxiproxy.url.removeprefix("http://").rsplit(":", 1)
    consumer = toxiproxy_api.APIConsumer
    monkeypatch.setattr(consumer, "host", host)
    monkeypatch.setattr(consumer, "port", int(port))
    return toxiproxy_client.Toxiproxy()


@pytest.fixture
def configuration(toxiproxy: EmbeddedProxy) -> Iterator[dict[str, Any]]:
    host, port = toxiproxy.url.removeprefix("http://").rsplit(":", 1)
    yield {"toxiproxy_host": host, "toxiproxy_port": int(port)}


def _round_trip(listen: str) -> float:
    with connect(listen) as client:
        started = time.perf_counter()
        client.sendall(b"?")
        assert recv_exactly(client, 1) == b"?"
        return time.perf_counter() - started


# toxiproxy-python


def test_python_client_sees_the_server_running_with_its_version(
    python_client: Any,
) -> None:
    assert python_client.running()
    assert python_client.version() == b'{"version": "2.12.0"}\n'


def test_python_client_creates_lists_and_destroys_proxies(
    python_client: Any, upstream: Upstream
) -> None:
    proxy = python_client.create(upstream=upstream.address, name="echo")
    assert proxy.listen.startswith("127.0.0.1:")
    assert set(python_client.proxies()) == {"echo"}
    assert python_client.get_proxy("echo").upstream == upstream.address
    python_client.destroy(proxy)
    assert python_client.proxies() == {}


def test_python_client_adds_and_removes_a_latency_toxic(
    python_client: Any, upstream: Upstream
) -> None:
    proxy = python_client.create(upstream=upstream.address, name="echo")
    proxy.add_toxic(type="latency", attributes={"latency": 150})
    toxic = proxy.get_toxic("latency_downstream")
    assert toxic.attributes == {"latency": 150, "jitter": 0}
    assert _round_trip(proxy.listen) >= 0.15
    proxy.destroy_toxic("latency_downstream")
    assert proxy.toxics() == {}


def test_python_client_takes_a_proxy_down_and_back(
    python_client: Any, upstream: Upstream
) -> None:
    proxy = python_client.create(upstream=upstream.address, name="echo")
    with proxy.down():
        assert python_client.get_proxy("echo").enabled is False
        with pytest.raises(ConnectionRefusedError):
            connect(proxy.listen)
    assert _round_trip(proxy.listen) < 1  # no latency toxic was left behind


def test_python_client_conflicts_and_missing_names_raise_its_errors(
    python_client: Any, upstream: Upstream
) -> None:
    from toxiproxy.exceptions import NotFound, ProxyExists

    python_client.create(upstream=upstream.address, name="echo")
    with pytest.raises(ProxyExists):
        python_client.create(upstream=upstream.address, name="echo")
    with pytest.raises(NotFound):
        toxiproxy_api.APIConsumer.get("/proxies/absent")


def test_python_client_populate_and_reset(
    python_client: Any, upstream: Upstream
) -> None:
    created = python_client.populate(
        [{"name": "one", "upstream": upstream.address, "listen": "127.0.0.1:0"}]
    )
    assert [p.name for p in created] == ["one"]
    proxy = python_client.get_proxy("one")
    proxy.add_toxic(type="latency", attributes={"latency": 10})
    proxy.disable()
    assert python_client.reset()
    assert python_client.get_proxy("one").enabled is True
    assert python_client.get_proxy("one").toxics() == {}
    python_client.destroy_all()
    assert python_client.proxies() == {}


# chaostoolkit-toxiproxy (module chaostoxi)


def test_chaostoxi_creates_a_proxy_and_records_its_port(
    configuration: dict[str, Any], upstream: Upstream
) -> None:
    assert chaos_proxy.create_proxy(
        proxy_name="web",
        upstream_host="127.0.0.1",
        upstream_port=upstream.port,
        listen_host="127.0.0.1",
        configuration=configuration,
    )
    port = configuration["web_PORT"]
    assert port.isdigit() and int(port) > 0
    assert chaos_probes.proxy_exist("web", configuration=configuration)
    listen = chaos_probes.get_proxy_attribute(
        "web", "listen", configuration=configuration
    )
    assert listen == f"127.0.0.1:{port}"


def test_chaostoxi_listens_on_all_interfaces_by_default(
    configuration: dict[str, Any], upstream: Upstream
) -> None:
    assert chaos_proxy.create_proxy(
        proxy_name="web",
        upstream_host="127.0.0.1",
        upstream_port=upstream.port,
        configuration=configuration,
    )
    listen = chaos_probes.get_proxy_attribute(
        "web", "listen", configuration=configuration
    )
    assert listen == f"[::]:{configuration['web_PORT']}"


def test_chaostoxi_toxics_disable_enable_and_reset(
    configuration: dict[str, Any], upstream: Upstream
) -> None:
    chaos_proxy.create_proxy(
        proxy_name="web",
        upstream_host="127.0.0.1",
        upstream_port=upstream.port,
        listen_host="127.0.0.1",
        configuration=configuration,
    )
    listen = f"127.0.0.1:{configuration['web_PORT']}"
    assert chaos_toxic.create_latency_toxic(
        "web", "slow", 150, configuration=configuration
    )
    assert _round_trip(listen) >= 0.15
    assert chaos_toxic.delete_toxic("web", "slow", configuration=configuration)
    for create in (
        lambda: chaos_toxic.create_bandwith_degradation_toxic(
            "web", "bw", 100, configuration
        ),
        lambda: chaos_toxic.create_slow_connection_close_toxic(
            "web", "sc", 10, configuration
        ),
        lambda: chaos_toxic.create_timeout_toxic("web", "to", 1000, configuration),
        lambda: chaos_toxic.create_slicer_toxic("web", "sl", 10, 2, 5, configuration),
        lambda: chaos_toxic.create_limiter_toxic("web", "li", 1000, configuration),
    ):
        assert create()
    assert chaos_proxy.disable_proxy("web", configuration=configuration)
    with pytest.raises(ConnectionRefusedError):
        connect(listen)
    assert chaos_proxy.enable_proxy("web", configuration=configuration)
    assert chaos_proxy.reset(configuration=configuration)
    assert (
        chaos_probes.get_proxy_attribute("web", "toxics", configuration=configuration)
        == []
    )
    chaos_proxy.delete_proxy("web", configuration=configuration)
    assert not chaos_probes.proxy_exist("web", configuration=configuration)
