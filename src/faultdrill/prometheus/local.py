"""A Prometheus server of our own on loopback, for tests, demos and benches.

    with running_prometheus(["127.0.0.1:8780"], directory=tmp) as prom:
        PrometheusClient(prom.url).query("up")

It scrapes the given targets' ``/metrics`` every ``scrape_interval_s``,
evaluates the given rule files as often, keeps its data in ``directory``,
and is stopped (SIGTERM, then SIGKILL) when the block ends.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from faultdrill.errors import TargetUnavailable

log = logging.getLogger(__name__)

BINARY = "prometheus"  # Debian's package installs /usr/bin/prometheus
HOST = "127.0.0.1"
# Startup replays an empty write-ahead log: a second or two; allow for a
# loaded machine.
READY_TIMEOUT_S = 30.0
# Prometheus flushes its head block on SIGTERM; an empty one takes well
# under a second.
STOP_TIMEOUT_S = 10.0
_POLL_S = 0.1


@dataclass(frozen=True)
class LocalPrometheus:
    url: str
    process: subprocess.Popen[bytes]
    log_file: Path


def binary() -> str | None:
    """The path of the prometheus binary, or None if it is not installed."""
    return shutil.which(BINARY)


@contextlib.contextmanager
def running_prometheus(
    targets: Sequence[str],
    directory: Path,
    scrape_interval_s: float = 1.0,
    rule_files: Sequence[Path] = (),
) -> Iterator[LocalPrometheus]:
    path = binary()
    if path is None:
        raise TargetUnavailable(
            "no prometheus binary on PATH; install it (Debian: apt-get install "
            "prometheus, or scripts/bootstrap test)"
        )
    directory.mkdir(parents=True, exist_ok=True)
    config = _write_config(directory, targets, scrape_interval_s, rule_files)
    port = _free_port()
    log_file = directory / "prometheus.log"
    with log_file.open("wb") as log_handle:
        process = subprocess.Popen(
            [
                path,
                f"--config.file={config}",
                f"--storage.tsdb.path={directory / 'data'}",
                f"--web.listen-address={HOST}:{port}",
            ],
            stdout=log_handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = LocalPrometheus(f"http://{HOST}:{port}", process, log_file)
    try:
        _wait_ready(server)
        yield server
    finally:
        _stop(process)


def _write_config(
    directory: Path,
    targets: Sequence[str],
    scrape_interval_s: float,
    rule_files: Sequence[Path],
) -> Path:
    interval = f"{int(scrape_interval_s * 1000)}ms"
    config = {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": [str(p) for p in rule_files],
        "scrape_configs": [
            {"job_name": "targets", "static_configs": [{"targets": list(targets)}]}
        ],
    }
    path = directory / "prometheus.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_ready(server: LocalPrometheus) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{server.url}/-/ready", timeout=1) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(_POLL_S)
    tail = server.log_file.read_text(errors="replace")[-2000:]
    raise TargetUnavailable(f"prometheus did not become ready; its log ends:\n{tail}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)
