"""Which Toxiproxy API a run uses: flag, environment, configuration, sandbox, embedded."""

from __future__ import annotations

import pytest
import requests

from faultdrill.errors import TargetUnavailable
from faultdrill.runner.targets import ProxyApi, configured_api, toxiproxy_api

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
        "http://127.0.0.1:38474", "configuration"
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
