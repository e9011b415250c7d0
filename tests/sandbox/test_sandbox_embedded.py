"""The sandbox with its embedded fault proxy: faults on it reach the video API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psutil
import pytest
import requests

from faultdrill.sandbox.config import SandboxConfig
from faultdrill.sandbox.control import running_sandbox
from faultdrill.sandbox.state import Component, SandboxState

pytestmark = pytest.mark.e2e

# Short, so that a hanging catalog turns into a 504 quickly.
DEPENDENCY_TIMEOUT = 0.3


@pytest.fixture(scope="module")
def shared_sandbox() -> Iterator[SandboxState]:
    config = SandboxConfig.ephemeral(dependency_timeout=DEPENDENCY_TIMEOUT)
    with running_sandbox(config) as state:
        yield state


@pytest.fixture
def sandbox(shared_sandbox: SandboxState) -> SandboxState:
    """The module's sandbox with its proxy enabled and free of toxics."""
    api(shared_sandbox, "POST", "/reset")
    return shared_sandbox


def api(sandbox: SandboxState, method: str, path: str, **body: Any) -> Any:
    url = f"{sandbox.toxiproxy_url}{path}"
    response = requests.request(method, url, json=body or None, timeout=5)
    response.raise_for_status()
    return response.json() if response.content else None


def video_status(sandbox: SandboxState) -> int:
    return requests.get(f"{sandbox.web_url}/api/videos/1", timeout=5).status_code


def test_the_embedded_proxy_carries_the_catalog(sandbox: SandboxState) -> None:
    proxy = api(sandbox, "GET", "/proxies/catalog")

    assert sandbox.embedded_proxy
    assert sandbox.process(Component.PROXY) is not None
    assert proxy["listen"] == sandbox.proxy_listen
    assert proxy["upstream"] == sandbox.catalog_url.removeprefix("http://")
    assert video_status(sandbox) == 200


def test_a_disabled_proxy_makes_the_api_answer_502_until_enabled(
    sandbox: SandboxState,
) -> None:
    api(sandbox, "POST", "/proxies/catalog", enabled=False)
    assert video_status(sandbox) == 502

    api(sandbox, "POST", "/proxies/catalog", enabled=True)
    assert video_status(sandbox) == 200


def test_a_timeout_toxic_makes_the_api_answer_504_until_removed(
    sandbox: SandboxState,
) -> None:
    api(sandbox, "POST", "/proxies/catalog/toxics", type="timeout", name="hang",
        attributes={"timeout": 0})  # fmt: skip
    assert video_status(sandbox) == 504

    api(sandbox, "DELETE", "/proxies/catalog/toxics/hang")
    assert video_status(sandbox) == 200


def test_leaving_the_block_stops_all_three_processes() -> None:
    with running_sandbox() as state:
        pids = [p.pid for p in state.processes]
        assert len(pids) == 3

    assert not any(psutil.pid_exists(pid) for pid in pids)
