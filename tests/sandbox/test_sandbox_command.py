"""``faultdrill sandbox`` run as its own process, as a shell user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Protocol

import pytest

from faultdrill.exitcodes import ExitCode

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("no_process_left")]


class StandinToxiproxy(Protocol):
    url: str
    proxies: dict[str, Any]


def faultdrill(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, FAULTDRILL_HOME=str(home))
    return subprocess.run(
        [sys.executable, "-m", "faultdrill", "sandbox", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_exit_codes_of_up_conflicting_up_and_down(
    toxiproxy: StandinToxiproxy, sandbox_home: Path
) -> None:
    ports = ["--web-port", "0", "--catalog-port", "0", "--proxy-port", "0"]
    up = faultdrill(sandbox_home, "up", *ports, "--toxiproxy-url", toxiproxy.url)
    try:
        assert up.returncode == ExitCode.HELD, up.stderr
        assert f"export TOXIPROXY_URL={toxiproxy.url}\n" in up.stdout

        clash = faultdrill(sandbox_home, "up", "--toxiproxy-url", toxiproxy.url)
        assert clash.returncode == ExitCode.INVALID_INPUT
        assert "--web-port: the running sandbox has" in clash.stderr
    finally:
        down = faultdrill(sandbox_home, "down")

    assert down.returncode == ExitCode.HELD, down.stderr
    assert "catalog" not in toxiproxy.proxies
