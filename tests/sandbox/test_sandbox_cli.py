"""``faultdrill sandbox up|status|down`` as a user types them."""

from __future__ import annotations

import os
import signal
from typing import Any, Protocol

import psutil
import pytest
from click.testing import CliRunner, Result

from faultdrill.cli.main import cli
from faultdrill.errors import InvalidInput, TargetUnavailable
from faultdrill.exitcodes import ExitCode, for_error
from faultdrill.sandbox import control
from faultdrill.sandbox.cli import sandbox
from faultdrill.sandbox.state import Component

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("no_process_left")]

FREE_PORTS = ["--web-port", "0", "--catalog-port", "0", "--proxy-port", "0"]


class StandinToxiproxy(Protocol):
    url: str
    proxies: dict[str, Any]


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(sandbox, list(args), env=env)


def exports(output: str) -> dict[str, str]:
    pairs = [line.removeprefix("export ").split("=", 1) for line in output.splitlines()]
    return {p[0]: p[1] for p in pairs if len(p) == 2}


def test_up_prints_urls_and_exports_then_status_and_down(
    toxiproxy: StandinToxiproxy,
) -> None:
    started = invoke("up", *FREE_PORTS, "--toxiproxy-url", toxiproxy.url)
    try:
        assert started.exit_code == 0, started.output
        exported = exports(started.output)
        assert exported["TOXIPROXY_URL"] == toxiproxy.url
        assert exported["FAULTDRILL_SANDBOX_URL"].startswith("http://127.0.0.1:")
        assert all(
            line.startswith(("#", "export ")) for line in started.output.splitlines()
        )

        status = invoke("status")
        assert status.exit_code == 0
        assert "FAIL" not in status.output
        assert "web -> proxy" in status.output
    finally:
        stopped = invoke("down")

    assert stopped.output == "the sandbox is down\n"
    assert invoke("status").output == "no sandbox is up\n"
    assert invoke("down").output == "no sandbox is up\n"


def test_up_takes_the_toxiproxy_url_from_the_environment_and_is_idempotent(
    toxiproxy: StandinToxiproxy,
) -> None:
    env = {"TOXIPROXY_URL": toxiproxy.url}
    try:
        first = invoke("up", *FREE_PORTS, env=env)
        second = invoke("up", *FREE_PORTS, env=env)
    finally:
        invoke("down")

    assert "catalog" not in toxiproxy.proxies
    assert first.exit_code == 0, first.output
    assert "outside server" in first.output
    assert second.exit_code == 0, second.output
    assert second.output.startswith("# the sandbox was already up\n")
    assert exports(second.output) == exports(first.output)


def test_a_toxiproxy_off_this_machine_is_invalid_input() -> None:
    result = invoke("up", *FREE_PORTS, "--toxiproxy-url", "http://10.0.0.1:8474")

    assert isinstance(result.exception, InvalidInput)
    assert "toxiproxy_url" in str(result.exception)
    assert "is not a Toxiproxy API on this machine" in str(result.exception)


def test_status_exits_3_when_a_part_does_not_answer() -> None:
    started = invoke("up", *FREE_PORTS, "--api-port", "0")
    try:
        assert started.exit_code == 0, started.output
        state = control.recorded()
        assert state is not None
        (catalog,) = [p for p in state.processes if p.component is Component.CATALOG]
        os.kill(catalog.pid, signal.SIGKILL)
        psutil.Process(catalog.pid).wait(timeout=10)

        ran = CliRunner().invoke(cli, ["sandbox", "status"])
        assert "FAIL" in ran.output
        assert isinstance(ran.exception, TargetUnavailable)
        assert for_error(ran.exception) == ExitCode.REFUSED
        assert "faultdrill sandbox down, then faultdrill sandbox up" in str(ran.exception)
    finally:
        invoke("down")
