"""Starting daemons detached and stopping them, with tiny Python children."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from faultdrill.errors import TargetUnavailable
from faultdrill.sandbox import processes

pytestmark = pytest.mark.usefixtures("no_process_left")

SLEEPER = "import time; time.sleep(60)"
STUBBORN = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); " + (
    "print('ignoring', flush=True); time.sleep(60)"
)


def start(tmp_path: Path, code: str) -> processes.Daemon:
    return processes.start(
        "toy",
        [sys.executable, "-c", code],
        tmp_path / "toy.log",
        tmp_path / "toy.ready",
    )


def test_stop_kills_a_daemon_that_ignores_sigterm(tmp_path: Path) -> None:
    daemon = start(tmp_path, STUBBORN)
    while "ignoring" not in (tmp_path / "toy.log").read_text():
        assert processes.is_alive(daemon.pid, daemon.started)

    processes.stop(daemon.pid, daemon.started, grace=0.2)

    assert not processes.is_alive(daemon.pid, daemon.started)
    assert not psutil.pid_exists(daemon.pid)


def test_stop_leaves_alone_a_process_that_only_shares_the_pid() -> None:
    other = subprocess.Popen([sys.executable, "-c", SLEEPER], start_new_session=True)
    try:
        started = psutil.Process(other.pid).create_time()

        processes.stop(other.pid, started - 100.0)

        assert other.poll() is None
        assert not processes.is_alive(other.pid, started - 100.0)
        assert processes.is_alive(other.pid, started)
    finally:
        other.kill()
        other.wait()


def test_a_daemon_that_exits_early_is_reported_with_its_log(tmp_path: Path) -> None:
    daemon = start(tmp_path, "import sys; print('bad flag'); sys.exit(3)")

    with pytest.raises(TargetUnavailable) as caught:
        processes.wait_ready(daemon)

    assert "the sandbox toy exited before it was ready" in str(caught.value)
    assert "  | bad flag" in str(caught.value)
    processes.stop(daemon.pid, daemon.started)


def test_a_daemon_that_never_gets_ready_times_out(tmp_path: Path) -> None:
    daemon = start(tmp_path, SLEEPER)
    try:
        with pytest.raises(TargetUnavailable, match="was not ready within"):
            processes.wait_ready(daemon, timeout=0.2)
    finally:
        processes.stop(daemon.pid, daemon.started)
