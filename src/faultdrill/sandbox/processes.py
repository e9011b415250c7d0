"""Starting the sandbox's daemons detached, and stopping them for good.

Each daemon gets its own session, hence its own process group, so that a
Ctrl-C in the terminal that ran ``sandbox up`` does not reach it and so that
stopping it takes everything it started along. Its stdout and stderr go to a
log file, which every error about it names.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from faultdrill.errors import TargetUnavailable
from faultdrill.sandbox import readyfile

log = logging.getLogger(__name__)

# Starting Python and importing aiohttp takes about half a second on an idle
# machine; thirty times that leaves room for a busy two-core one.
READY_TIMEOUT = 15.0

# A daemon finishes in-flight requests on SIGTERM (the web app gives them
# 2 s); after this it is killed.
STOP_GRACE = 5.0

POLL_INTERVAL = 0.05  # how often to look for a ready file or an exit
LOG_TAIL_LINES = 20  # how much of a failed daemon's log an error quotes

# Daemons this process started, so that stopping one also reaps it instead
# of leaving a zombie (and a ResourceWarning) behind.
_started: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class Daemon:
    """A started daemon: who it is and where it reports."""

    name: str
    pid: int
    started: float  # creation time, to tell it from a later process with its pid
    log_file: Path
    ready_file: Path


def start(name: str, argv: Sequence[str], log_file: Path, ready_file: Path) -> Daemon:
    """Start ``argv`` detached, logging to ``log_file``; do not wait for it."""
    ready_file.unlink(missing_ok=True)
    with log_file.open("wb") as log_stream:
        popen = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log_stream,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    _started[popen.pid] = popen
    log.debug("started %s as pid %d: %s", name, popen.pid, " ".join(argv))
    return Daemon(name, popen.pid, _creation_time(popen.pid), log_file, ready_file)


def wait_ready(daemon: Daemon, timeout: float = READY_TIMEOUT) -> readyfile.Ready:
    """Wait for the daemon's ready file; fail early if the daemon exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = readyfile.read(daemon.ready_file)
        if ready is not None:
            return ready
        if not is_alive(daemon.pid, daemon.started):
            raise TargetUnavailable(
                f"the sandbox {daemon.name} exited before it was ready; "
                f"see {daemon.log_file}:\n{log_tail(daemon.log_file)}"
            )
        time.sleep(POLL_INTERVAL)
    raise TargetUnavailable(
        f"the sandbox {daemon.name} was not ready within {timeout:.0f} s; "
        f"see {daemon.log_file}:\n{log_tail(daemon.log_file)}"
    )


def is_alive(pid: int, started: float) -> bool:
    """Whether ``pid`` is still the process that was created at ``started``."""
    popen = _started.get(pid)
    if popen is not None:
        # Our own unreaped child: its pid cannot have been reused.
        return popen.poll() is None
    try:
        process = psutil.Process(pid)
        same = abs(process.create_time() - started) < 0.01
        return same and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def stop(pid: int, started: float, grace: float = STOP_GRACE) -> None:
    """SIGTERM the daemon's process group, then SIGKILL what is left."""
    if not is_alive(pid, started):
        # Gone already; its pid may belong to someone else now, so no signal.
        _reap(pid, grace)
        return

    _signal_group(pid, signal.SIGTERM)
    if not _wait_gone(pid, started, grace):
        log.warning("pid %d ignored SIGTERM for %.0f s; killing it", pid, grace)
    # Whatever the leader left behind in its group goes too.
    _signal_group(pid, signal.SIGKILL)
    _reap(pid, grace)


def _wait_gone(pid: int, started: float, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_alive(pid, started):
            return True
        time.sleep(POLL_INTERVAL)
    return False


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass  # the whole group is gone already
    except PermissionError as exc:
        raise TargetUnavailable(
            f"not allowed to signal process group {pgid}: {exc}; "
            "stop it as the user who started the sandbox"
        ) from exc


def _reap(pid: int, timeout: float) -> None:
    popen = _started.pop(pid, None)
    if popen is None:
        return
    try:
        popen.wait(timeout)
    except subprocess.TimeoutExpired:
        log.warning("pid %d survived SIGKILL for %.0f s; left as is", pid, timeout)


def _creation_time(pid: int) -> float:
    try:
        return psutil.Process(pid).create_time()
    except psutil.NoSuchProcess:
        return 0.0  # exited at once; wait_ready reports it with its log


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(cannot read the log: {exc})"
    tail = text.splitlines()[-lines:]
    return "\n".join(f"  | {line}" for line in tail) or "  | (empty)"
