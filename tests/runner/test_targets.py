"""Which Toxiproxy API a run uses: flag, environment, configuration, sandbox, embedded."""

from __future__ import annotations

import pytest
import requests

from faultdrill.errors import InvalidInput, TargetUnavailable
from faultdrill.runner.targets import (
    ProxyApi,
    check_proxies_exist,
    configured_api,
    proxies_named,
    toxiproxy_api,
)

FLAG = "http://127.0.0.1:18474/"
ENV = "http://127.0.0.1:28474"
CONFIGURED = {"toxiproxy_url": "http://127.0.0.1:38474"}


def test_the_flag_wins_over_the_environment_and_the_configuration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TOXIPROXY_URL", ENV)
    assert configured_api(FLAG, CONFIGURED) == ProxyApi(
        "http://127.0.0.1:18474", "--toxiproxy-url"
    )


def test_the_environment_wins_over_the_configuration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TOXIPROXY_URL", ENV)
    assert configured_api(None, CONFIGURED) == ProxyApi(ENV, "TOXIPROXY_URL")


def test_the_configuration_is_used_when_nothing_else_names_an_api() -> None:
    assert configured_api(None, CONFIGURED) == ProxyApi(
        "http://127.0.0.1:38474", "configuration.toxiproxy_url"
    )


def test_with_nothing_named_and_no_sandbox_the_run_gets_an_embedded_server() -> None:
    assert configured_api(None, {}) is None
    with toxiproxy_api(None, {}) as api:
        assert api.origin == "embedded"
        assert api.url.startswith("http://127.0.0.1:")
        answer = requests.get(f"{api.url}/version", timeout=5)
        assert answer.status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{api.url}/version", timeout=5)


def test_a_named_api_that_does_not_answer_is_refused_naming_where_it_came_from() -> (
    None
):
    # Port 9 (discard) on loopback: nothing listens there in a test machine.
    with (
        pytest.raises(
            TargetUnavailable, match=r"127\.0\.0\.1:9 \(from --toxiproxy-url\)"
        ),
        toxiproxy_api("http://127.0.0.1:9", {}),
    ):
        pass


def network_step(func: str, **arguments: object) -> dict[str, object]:
    return {
        "type": "action",
        "name": func,
        "provider": {
            "type": "python",
            "module": "chaosfaultdrill.network",
            "func": func,
            "arguments": arguments,
        },
    }


def test_the_proxies_a_method_acts_on_are_named_once() -> None:
    steps = [
        network_step("add_latency", proxy="catalog", latency_ms=1),
        network_step("disable_proxy", proxy="auth"),
        network_step("remove_toxic", proxy="catalog", name="x"),
    ]
    assert proxies_named(steps) == ["auth", "catalog"]


def test_a_method_that_creates_its_proxies_needs_none_beforehand() -> None:
    create = {
        "type": "action",
        "name": "make",
        "provider": {"type": "python", "module": "chaostoxi.proxy.actions",
                     "func": "create_proxy", "arguments": {"proxy_name": "p"}},
    }  # fmt: skip
    assert proxies_named([create, network_step("add_latency", proxy="p")]) == []


def test_an_empty_embedded_server_is_refused_with_what_to_do() -> None:
    with toxiproxy_api(None, {}) as api:
        with pytest.raises(TargetUnavailable) as refused:
            check_proxies_exist(api, ["catalog"])
        check_proxies_exist(api, [])  # nothing named, nothing to check
    message = str(refused.value)
    assert "has no proxy 'catalog'" in message
    assert "the embedded server starts empty" in message
    assert "nothing was injected" in message


def test_a_server_with_the_proxy_passes() -> None:
    with toxiproxy_api(None, {}) as api:
        created = requests.post(
            f"{api.url}/proxies",
            json={"name": "catalog", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:9"},
            timeout=5,
        )
        assert created.status_code == 201, created.text
        check_proxies_exist(api, ["catalog"])


@pytest.mark.parametrize("url", ["notaurl", "ftp://127.0.0.1:8474", "http://:8474", "http://h:0"])
def test_a_url_that_is_no_http_url_is_invalid_input_naming_its_origin(url: str) -> None:
    with pytest.raises(InvalidInput, match=r"--toxiproxy-url: .* is not an HTTP URL"):
        configured_api(url, {})
