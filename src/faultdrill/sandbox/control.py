"""Bringing the sandbox up and down, for the CLI, the runner and tests.

    up(config) -> SandboxState        start catalog, proxy and web app; idempotent
    down() -> None                    stop them all and forget them; idempotent
    status() -> SandboxState | None   the sandbox, if every process of it runs
    running_sandbox(config)           up in a temporary FAULTDRILL_HOME, then down

The order is catalog, then the proxy in front of it, then the web app that
calls the catalog through the proxy. If any of them fails to start, or the
state cannot be written, the ones already started are stopped before the
error reaches the caller.

An unreadable state file stops ``up``, ``status`` and ``recorded`` with an
error naming the daemons still running from this home and how to stop
them; ``down`` stops those daemons itself and sets the file aside. A daemon is taken for
ours only when its command line is one of ours (``-m
faultdrill.sandbox.daemon`` or ``proxy serve``) and its ``--ready-file`` is
in this home's sandbox directory, which no other sandbox shares.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import logging
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psutil

from faultdrill.errors import InvalidInput, Problem
from faultdrill.home import ENV_VAR as HOME_ENV_VAR
from faultdrill.sandbox import processes, state
from faultdrill.sandbox.config import HOST, SandboxConfig
from faultdrill.sandbox.launch import Launch
from faultdrill.sandbox.state import Component, SandboxState, UnreadableState
from faultdrill.sandbox.toxiproxy_api import remove_proxy

log = logging.getLogger(__name__)

LOCK_FILE = "lock"
# Argument pairs only our daemons' command lines hold (see launch.py).
_DAEMON_MARKS = (("-m", "faultdrill.sandbox.daemon"), ("proxy", "serve"))

# Settings a running sandbox cannot change; asking for others means down first.
_FIXED_SETTINGS = (
    "login_rate",
    "login_burst",
    "login_key",
    "dependency_timeout",
    "toxiproxy_url",
)


def up(config: SandboxConfig) -> SandboxState:
    """Start the sandbox, or return the running one if it matches ``config``."""
    return _up(config, state.sandbox_dir())


def _up(config: SandboxConfig, directory: Path) -> SandboxState:
    with _locked(directory):
        running = _running(directory)
        if running is not None:
            _check_matches(running, config)
            log.debug("the sandbox is already up at %s", running.web_url)
            return running

        _forget_stale(directory)
        started = _start(config, directory)
        log.debug("the sandbox is up at %s", started.web_url)
        return started


def down() -> None:
    """Stop every process of the sandbox and forget it; fine if none is up."""
    _down(state.sandbox_dir())


def _down(directory: Path) -> None:
    with _locked(directory):
        try:
            recorded = state.load(directory)
        except UnreadableState as exc:
            _clean_up_unreadable(directory, exc)
            return
        if recorded is None:
            log.debug("no sandbox recorded in %s", directory)
            return
        _stop(recorded)
        state.clear(directory)
        log.debug("the sandbox is down")


# TODO(restart): a daemon that dies is not restarted; status() then returns
# None and the next up() starts the whole sandbox afresh.
def status() -> SandboxState | None:
    """The running sandbox, or None if none is recorded or part of it died."""
    return _running(state.sandbox_dir())


def recorded() -> SandboxState | None:
    """The sandbox on record, running or not; for reporting what is left."""
    return _load(state.sandbox_dir())


@contextlib.contextmanager
def running_sandbox(config: SandboxConfig | None = None) -> Iterator[SandboxState]:
    """A sandbox in a temporary FAULTDRILL_HOME for the length of the block.

    Every port is picked by the system unless ``config`` says otherwise, so
    that several can run at once. FAULTDRILL_HOME points at the temporary
    directory inside the block and is put back after it.
    """
    config = config or SandboxConfig.ephemeral()
    with tempfile.TemporaryDirectory(prefix="faultdrill-sandbox-") as tmp:
        previous = os.environ.get(HOME_ENV_VAR)
        os.environ[HOME_ENV_VAR] = tmp
        directory = state.sandbox_dir()
        try:
            sandbox = _up(config, directory)
            try:
                yield sandbox
            finally:
                _down(directory)  # even if the block pointed the env elsewhere
        finally:
            _restore_env(HOME_ENV_VAR, previous)


def _start(config: SandboxConfig, directory: Path) -> SandboxState:
    """Start every component and record them; on any failure stop them all."""
    _check_ports_free(config)
    launch = Launch(config, directory)
    try:
        started = launch.run()
        state.save(directory, started)
    except BaseException:
        launch.stop_all()
        raise
    return started


def _check_ports_free(config: SandboxConfig) -> None:
    """A busy fixed port is the user's to fix: say which option, before starting."""
    wanted = {
        "--web-port": config.web_port,
        "--catalog-port": config.catalog_port,
        "--proxy-port": config.proxy_port,
    }
    if config.toxiproxy_url is None:
        wanted["--api-port"] = config.api_port
    problems = [
        Problem(
            "faultdrill sandbox up",
            option,
            f"{HOST}:{port} is already in use; stop what listens there, or "
            f"choose another port ({option} 0 picks a free one)",
        )
        for option, port in wanted.items()
        if port and not _free(port)
    ]
    if problems:
        raise InvalidInput(problems)


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Like the servers themselves (aiohttp, asyncio), reuse TIME_WAIT ports.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _running(directory: Path) -> SandboxState | None:
    recorded = _load(directory)
    if recorded is None:
        return None
    alive = [processes.is_alive(p.pid, p.started) for p in recorded.processes]
    return recorded if all(alive) else None


def _forget_stale(directory: Path) -> None:
    """Stop what is left of a sandbox that is recorded but no longer whole."""
    stale = _load(directory)
    if stale is None:
        return
    log.warning("part of the recorded sandbox has stopped; clearing the rest")
    _stop(stale)
    state.clear(directory)


def _stop(recorded: SandboxState) -> None:
    for process in reversed(recorded.processes):
        processes.stop(process.pid, process.started)
    if not recorded.embedded_proxy:
        remove_proxy(recorded.toxiproxy_url, recorded.proxy_name)


def _check_matches(running: SandboxState, config: SandboxConfig) -> None:
    ports = running.ports
    if not running.embedded_proxy:
        del ports["api_port"]  # the outside server's; toxiproxy_url covers it
    problems = [
        _problem(name.replace("_", "-"), actual, asked)
        for name, actual in ports.items()
        if (asked := getattr(config, name)) not in (0, actual)
    ]
    problems += [
        _problem(name.replace("_", "-"), getattr(running.config, name), asked)
        for name in _FIXED_SETTINGS
        if (asked := getattr(config, name)) != getattr(running.config, name)
        and not _is_own_proxy(name, asked, running)
    ]
    if problems:
        raise InvalidInput(problems)


def _is_own_proxy(name: str, asked: object, running: SandboxState) -> bool:
    # TOXIPROXY_URL exported by an earlier `sandbox up` names the sandbox's
    # own embedded proxy; that is no request for another server.
    return name == "toxiproxy_url" and asked == running.toxiproxy_url


def _problem(option: str, actual: object, asked: object) -> Problem:
    return Problem(
        "sandbox up",
        f"--{option}",
        f"the running sandbox has {actual}, not {asked}; run "
        "`faultdrill sandbox down` first, or ask for what is running",
    )


def _load(directory: Path) -> SandboxState | None:
    """The recorded state; if unreadable, the error says how to clean up."""
    try:
        return state.load(directory)
    except UnreadableState as exc:
        raise exc.with_fix(_cleanup_advice(directory)) from exc


def _cleanup_advice(directory: Path) -> str:
    found = leftover_daemons(directory)
    if not found:
        return "no sandbox process of this home runs; delete it or move it aside"
    pids = " ".join(str(p.pid) for p in found)
    return (
        f"sandbox processes of this home still run: stop them with "
        f"'kill {pids}', then delete it or move it aside"
    )


def _clean_up_unreadable(directory: Path, unreadable: UnreadableState) -> None:
    """Stop the daemons this home started and set the state file aside."""
    found = leftover_daemons(directory)
    for process in found:
        with contextlib.suppress(psutil.NoSuchProcess):
            processes.stop(process.pid, process.create_time())
    aside = state.set_aside(directory)
    pids = ", ".join(str(p.pid) for p in found) or "none"
    log.warning(
        "the sandbox state %s %s: stopped the sandbox processes of this home "
        "(pids %s) and moved the file to %s; a 'catalog' proxy created on an "
        "outside Toxiproxy, if any, was left there",
        unreadable.path,
        unreadable.why,
        pids,
        aside,
    )


def leftover_daemons(directory: Path) -> list[psutil.Process]:
    """Running daemons that a ``sandbox up`` of this directory started."""
    ready_files = set()
    for component in Component:
        path = directory / f"{component.value}.ready"
        ready_files |= {str(path), str(path.resolve())}
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if process.pid != os.getpid() and _is_daemon(cmdline, ready_files):
            found.append(process)
    return found


def _is_daemon(cmdline: list[str], ready_files: set[str]) -> bool:
    try:
        ready = cmdline[cmdline.index("--ready-file") + 1]
    except (ValueError, IndexError):
        return False
    pairs = set(itertools.pairwise(cmdline))
    return ready in ready_files and any(mark in pairs for mark in _DAEMON_MARKS)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One ``up`` or ``down`` at a time per FAULTDRILL_HOME."""
    path = directory / LOCK_FILE
    try:
        lock = path.open("a")
    except OSError as exc:
        raise InvalidInput.single(
            str(path),
            "",
            f"the sandbox lock cannot be opened ({exc.strerror}); move aside "
            "what is in its place",
        ) from exc
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _restore_env(name: str, previous: str | None) -> None:
    if previous is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = previous
