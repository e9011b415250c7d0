"""``faultdrill proxy serve`` as a process: ready file, config, signals."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from proxy_helpers import Upstream

READY_WAIT = 15.0  # seconds for the interpreter to start and bind on loopback


def _serve(*args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "faultdrill", "proxy", "serve", *args]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _wait_ready(process: subprocess.Popen[str], ready: Path) -> dict[str, object]:
    deadline = time.monotonic() + READY_WAIT
    while time.monotonic() < deadline:
        if ready.exists():
            info: dict[str, object] = json.loads(ready.read_text())
            return info
        if process.poll() is not None:
            raise AssertionError(f"serve exited early: {process.communicate()}")
        time.sleep(0.05)
    raise AssertionError("serve never wrote its ready file")


@pytest.fixture
def served(
    tmp_path: Path, upstream: Upstream
) -> Iterator[tuple[subprocess.Popen[str], dict[str, object]]]:
    config = tmp_path / "proxies.json"
    config.write_text(
        json.dumps(
            [{"name": "echo", "listen": "127.0.0.1:0", "upstream": upstream.address}]
        )
    )
    ready = tmp_path / "ready.json"
    process = _serve("--port", "0", "--config", str(config), "--ready-file", str(ready))
    try:
        yield process, _wait_ready(process, ready)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def test_serve_writes_ready_file_and_creates_configured_proxies(
    served: tuple[subprocess.Popen[str], dict[str, object]],
) -> None:
    process, info = served
    assert info["pid"] == process.pid
    url = str(info["url"])
    assert url.startswith("http://127.0.0.1:")
    proxies = requests.get(f"{url}/proxies", timeout=5).json()
    assert list(proxies) == ["echo"]
    assert proxies["echo"]["enabled"] is True


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_exits_0_on_stop_signal(
    served: tuple[subprocess.Popen[str], dict[str, object]], signum: signal.Signals
) -> None:
    process, info = served
    process.send_signal(signum)
    _, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert f"API on {info['url']}" in err
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{info['url']}/version", timeout=2)


def test_bad_config_names_the_file_and_field_and_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "proxies.json"
    config.write_text(
        json.dumps([{"name": "ok", "upstream": "127.0.0.1:1"}, {"name": "db"}])
    )
    process = _serve("--port", "0", "--config", str(config))
    _, err = process.communicate(timeout=20)
    assert process.returncode == 2
    assert str(config) in err
    assert "[1].upstream" in err


def test_config_that_is_not_a_list_is_refused_with_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "proxies.json"
    config.write_text('{"name": "db"}')
    process = _serve("--port", "0", "--config", str(config))
    _, err = process.communicate(timeout=20)
    assert process.returncode == 2
    assert str(config) in err


def test_config_proxy_that_cannot_bind_names_its_entry_and_exits_2(
    tmp_path: Path,
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "proxies.json"
        proxies = [
            {"name": "fine", "upstream": "127.0.0.1:1", "listen": "127.0.0.1:0"},
            {"name": "clash", "upstream": "127.0.0.1:1", "listen": f"127.0.0.1:{port}"},
        ]
        config.write_text(json.dumps(proxies))
        process = _serve("--port", "0", "--config", str(config))
        _, err = process.communicate(timeout=20)
    assert process.returncode == 2
    assert f"{config}: [1].listen: proxy 'clash' cannot start" in err
    assert "address already in use" in err


def test_host_moves_the_api_to_the_address_it_names(tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    process = _serve("--host", "127.0.0.2", "--port", "0", "--ready-file", str(ready))
    try:
        url = str(_wait_ready(process, ready)["url"])
        assert url.startswith("http://127.0.0.2:")
        assert requests.get(f"{url}/version", timeout=5).status_code == 200
        port = url.rsplit(":", 1)[1]
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/version", timeout=2)
    finally:
        process.kill()
        process.communicate(timeout=10)
