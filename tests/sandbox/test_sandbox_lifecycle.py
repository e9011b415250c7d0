"""up, status and down with real processes on loopback, every port picked free."""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import psutil
import pytest
import requests

from faultdrill.errors import InvalidInput, TargetUnavailable
from faultdrill.sandbox import control
from faultdrill.sandbox.config import SandboxConfig
from faultdrill.sandbox.state import Component, SandboxState


class StandinToxiproxy(Protocol):
    """What these tests use of the stand-in server from conftest."""

    url: str
    proxies: dict[str, Any]


pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("no_process_left")]


def outside(toxiproxy: StandinToxiproxy, **changes: object) -> SandboxConfig:
    return SandboxConfig.ephemeral(toxiproxy_url=toxiproxy.url, **changes)


@pytest.fixture
def sandbox(toxiproxy: StandinToxiproxy) -> Iterator[SandboxState]:
    state = control.up(outside(toxiproxy))
    try:
        yield state
    finally:
        control.down()


def get(url: str) -> requests.Response:
    return requests.get(url, timeout=5)


def pids(state: SandboxState) -> list[int]:
    return [p.pid for p in state.processes]


def test_up_serves_the_video_api_through_the_proxy(
    sandbox: SandboxState, toxiproxy: StandinToxiproxy
) -> None:
    assert get(f"{sandbox.web_url}/api/videos/1").json()["id"] == 1
    proxy = toxiproxy.proxies["catalog"]
    assert proxy.listen == sandbox.proxy_listen
    assert proxy.upstream == sandbox.catalog_url.removeprefix("http://")
    assert sandbox.toxiproxy_url == toxiproxy.url
    assert not sandbox.embedded_proxy


def test_up_records_state_that_status_returns(
    sandbox: SandboxState, sandbox_home: Path
) -> None:
    assert control.status() == sandbox
    assert (sandbox_home / "sandbox" / "state.json").is_file()
    assert [p.component for p in sandbox.processes] == [
        Component.CATALOG,
        Component.WEB,
    ]


def test_children_run_in_their_own_process_groups(sandbox: SandboxState) -> None:
    for pid in pids(sandbox):
        assert os.getpgid(pid) == pid
        assert os.getsid(pid) == pid


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_fixed_ports_are_the_ones_used(toxiproxy: StandinToxiproxy) -> None:
    asked = {"web_port": free_port(), "catalog_port": free_port()}
    asked["proxy_port"] = free_port()

    state = control.up(outside(toxiproxy, **asked))
    try:
        assert {k: state.ports[k] for k in asked} == asked
        assert get(f"{state.web_url}/api/videos").status_code == 200
    finally:
        control.down()


def test_up_again_returns_the_running_sandbox(
    sandbox: SandboxState, toxiproxy: StandinToxiproxy
) -> None:
    again = control.up(outside(toxiproxy, web_port=sandbox.ports["web_port"]))

    assert again == sandbox


def test_up_with_another_port_or_limit_is_refused(
    sandbox: SandboxState, toxiproxy: StandinToxiproxy
) -> None:
    taken = sandbox.ports["web_port"]
    wanted = outside(toxiproxy, web_port=taken + 1, login_rate=5)

    with pytest.raises(InvalidInput) as caught:
        control.up(wanted)

    message = str(caught.value)
    assert f"--web-port: the running sandbox has {taken}, not {taken + 1}" in message
    assert "--login-rate" in message
    assert "sandbox down" in message
    assert control.status() == sandbox


def test_down_stops_every_process_and_forgets_the_sandbox(
    toxiproxy: StandinToxiproxy,
) -> None:
    state = control.up(outside(toxiproxy))

    control.down()

    assert not any(psutil.pid_exists(pid) for pid in pids(state))
    assert control.status() is None
    assert control.recorded() is None
    assert "catalog" not in toxiproxy.proxies


def test_down_when_nothing_is_up_is_fine() -> None:
    control.down()
    control.down()

    assert control.status() is None


def test_a_dead_part_makes_status_none_and_up_starts_afresh(
    sandbox: SandboxState, toxiproxy: StandinToxiproxy
) -> None:
    web = sandbox.process(Component.WEB)
    assert web is not None
    os.kill(web.pid, signal.SIGKILL)
    psutil.Process(web.pid).wait(5)

    assert control.status() is None

    fresh = control.up(outside(toxiproxy))
    assert set(pids(fresh)).isdisjoint(pids(sandbox))
    assert get(f"{fresh.web_url}/healthz").status_code == 200


def test_a_component_that_cannot_start_stops_the_others(
    toxiproxy: StandinToxiproxy, sandbox_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if the port were taken between the up-front check and the bind.
    monkeypatch.setattr(control, "_check_ports_free", lambda config: None)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        config = outside(toxiproxy, web_port=taken.getsockname()[1])

        with pytest.raises(TargetUnavailable) as caught:
            control.up(config)

    message = str(caught.value)
    assert "the sandbox web exited before it was ready" in message
    assert str(sandbox_home / "sandbox" / "web.log") in message
    assert "address already in use" in message.lower()
    assert control.recorded() is None
    assert "catalog" not in toxiproxy.proxies


def test_an_unreachable_toxiproxy_stops_the_catalog() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"

    with pytest.raises(TargetUnavailable, match="no Toxiproxy API answers at"):
        control.up(SandboxConfig.ephemeral(toxiproxy_url=url))

    assert control.recorded() is None


def test_running_sandbox_uses_a_temporary_home_and_restores_it(
    toxiproxy: StandinToxiproxy, sandbox_home: Path
) -> None:
    with control.running_sandbox(outside(toxiproxy)) as state:
        inside = Path(os.environ["FAULTDRILL_HOME"])
        assert inside != sandbox_home
        assert control.status() == state

    assert os.environ["FAULTDRILL_HOME"] == str(sandbox_home)
    assert not inside.exists()
    assert not any(psutil.pid_exists(pid) for pid in pids(state))
