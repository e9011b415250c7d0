"""Process groups: who is in one, and killing all of it.

A stressor is one process group, so stopping it cannot miss a process that a
worker (or stress-ng) forked after we last looked.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import psutil

log = logging.getLogger(__name__)

# How long members get to exit on SIGTERM before SIGKILL. Our workers take
# the default SIGTERM action and are gone within 15 ms, stress-ng's CPU
# workers within 60 ms; its memory worker ignores SIGTERM while it holds.
# The stop-latency budget is 0.5 s, so 0.2 s leaves room for SIGKILL, the
# release of gigabytes, and reaping.
TERM_GRACE_S = 0.2

# How long to wait for SIGKILLed processes to disappear. A process freeing
# gigabytes of memory can take a moment to exit.
KILL_WAIT_S = 1.0

# Poll step while waiting for exits: small next to the 0.5 s stop budget.
WAIT_STEP_S = 0.005


@dataclass(frozen=True)
class KillResult:
    pgid: int
    terminated: int  # members that exited on SIGTERM
    killed: int  # members that needed SIGKILL
    survivors: tuple[int, ...]  # pids still alive afterwards: should be none


def members(pgid: int) -> list[psutil.Process]:
    """Every live process in group ``pgid`` (zombies excluded)."""
    found = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return found


def kill_group(pgid: int, grace_s: float = TERM_GRACE_S) -> KillResult:
    """SIGTERM the group, wait up to ``grace_s``, then SIGKILL what is left."""
    return kill_groups([pgid], grace_s)[0]


def kill_groups(
    pgids: Sequence[int], grace_s: float = TERM_GRACE_S
) -> list[KillResult]:
    """Kill several groups at once, so their grace periods overlap."""
    before = {pgid: members(pgid) for pgid in pgids}
    for pgid, procs in before.items():
        if procs:
            _signal_group(pgid, signal.SIGTERM)
    left = wait_gone([p for procs in before.values() for p in procs], grace_s)
    stubborn = {pgid: _stubborn(pgid, before[pgid], left) for pgid in pgids}
    for pgid, procs in stubborn.items():
        if procs:
            _signal_group(pgid, signal.SIGKILL)
    left = wait_gone([p for procs in stubborn.values() for p in procs], KILL_WAIT_S)
    return [_result(pgid, before[pgid], stubborn[pgid], left) for pgid in pgids]


def _stubborn(
    pgid: int, before: list[psutil.Process], left: list[psutil.Process]
) -> list[psutil.Process]:
    """Members still alive after SIGTERM, including any forked meanwhile."""
    mine = {p.pid for p in before}
    return [p for p in left if p.pid in mine] + _newcomers(pgid, before)


def _result(
    pgid: int,
    before: list[psutil.Process],
    stubborn: list[psutil.Process],
    left: list[psutil.Process],
) -> KillResult:
    survivors = tuple(sorted({p.pid for p in left} & {p.pid for p in stubborn}))
    survivors += tuple(p.pid for p in _newcomers(pgid, before + stubborn))
    if survivors:
        log.warning("process group %d: pids %s survived SIGKILL", pgid, survivors)
    terminated = len(before) - len([p for p in stubborn if p in before])
    return KillResult(pgid, terminated, len(stubborn), survivors)


def _newcomers(pgid: int, known: list[psutil.Process]) -> list[psutil.Process]:
    """Members forked after ``known`` was listed (a worker spawning late)."""
    seen = {p.pid for p in known}
    return [p for p in members(pgid) if p.pid not in seen]


def wait_gone(
    procs: Iterable[psutil.Process], timeout_s: float
) -> list[psutil.Process]:
    """Wait until every process has exited; return those still alive at the end.

    A zombie counts as gone: it holds no CPU or memory, and one whose parent
    is not us is reaped by someone else, maybe late. Our own children are
    reaped here.
    """
    pending = list(procs)
    deadline = time.monotonic() + timeout_s
    while True:
        pending = [p for p in pending if not _exited(p)]
        if not pending or time.monotonic() >= deadline:
            return pending
        time.sleep(WAIT_STEP_S)


def _exited(proc: psutil.Process) -> bool:
    # Reap it if it is our child; otherwise its own parent (or init) does.
    with contextlib.suppress(ChildProcessError):
        os.waitpid(proc.pid, os.WNOHANG)
    try:
        return proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        log.debug("process group %d already gone before %s", pgid, sig.name)
