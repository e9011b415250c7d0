"""Killing the stressors that a crashed or killed runner left behind.

Used by ``faultdrill recover`` and on start-up; safe to call any number of
times, from any process sharing the state home.

A recorded pid may since have been given to an unrelated process, so a
group is killed only when it is provably ours:

- its leader (pid == pgid) is alive with the start time we recorded; or
- its leader is gone but processes remain in the group. Linux does not hand
  out a pid again while a process group of that number still has members,
  so those members can only be the remains of our stressor.

A leader alive with a *different* start time means our group ended long ago
and the number was reused: nothing is killed.

Stressors whose runner is still alive belong to a run in progress (another
experiment sharing the state home) and are left alone unless ``force`` is
given: that runner stops them itself.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

import psutil

from faultdrill.stress import procgroup
from faultdrill.stress.model import Kind, Member, Record
from faultdrill.stress.registry import Registry

log = logging.getLogger(__name__)

# psutil derives create_time from boot time and start ticks (1/100 s); the
# same process reads back identical values, so a small tolerance suffices.
CREATE_TIME_TOLERANCE_S = 0.05


class Outcome(enum.StrEnum):
    KILLED = "killed"  # processes of it were running and are now gone
    GONE = "gone"  # nothing of it was left running
    SURVIVED = "survived"  # some processes outlived SIGKILL; see survivors
    OWNER_ALIVE = "owner-alive"  # its runner is still running: left alone


@dataclass(frozen=True)
class Recovered:
    stressor_id: str
    kind: Kind
    pgid: int
    outcome: Outcome
    processes: int  # how many processes were killed
    survivors: tuple[int, ...] = ()


def kill_recorded_stressors(
    registry: Registry | None = None, force: bool = False
) -> list[Recovered]:
    """Kill every recorded stressor a dead runner left; forget those gone.

    With ``force``, stressors of live runners are killed too.
    """
    reg = registry or Registry()
    results = [_recover(reg, record, force) for record in reg.records()]
    for result in results:
        if result.outcome is Outcome.KILLED:
            log.info(
                "killed leftover %s stressor %s (%d processes)",
                result.kind.value,
                result.stressor_id,
                result.processes,
            )
    return results


def _recover(registry: Registry, record: Record, force: bool) -> Recovered:
    if not force and record.owner is not None and _alive(record.owner):
        return Recovered(
            record.stressor_id, record.kind, record.pgid, Outcome.OWNER_ALIVE, 0
        )
    outcome, count = Outcome.GONE, 0
    survivors: tuple[int, ...] = ()
    if _group_is_ours(record):
        killed = procgroup.kill_group(record.pgid)
        count, survivors = killed.terminated + killed.killed, killed.survivors
        outcome = Outcome.SURVIVED if survivors else Outcome.KILLED
    if not survivors:
        registry.remove(record.stressor_id)
    return Recovered(
        record.stressor_id, record.kind, record.pgid, outcome, count, survivors
    )


def _group_is_ours(record: Record) -> bool:
    leader = next((m for m in record.members if m.pid == record.pgid), None)
    try:
        psutil.Process(record.pgid)
    except psutil.NoSuchProcess:
        return bool(procgroup.members(record.pgid))
    return leader is not None and _alive(leader)


def _alive(member: Member) -> bool:
    """Whether the very process recorded is running: same pid, same start."""
    try:
        process = psutil.Process(member.pid)
        started, status = process.create_time(), process.status()
    except psutil.NoSuchProcess:
        return False
    same = abs(started - member.create_time) <= CREATE_TIME_TOLERANCE_S
    return same and status != psutil.STATUS_ZOMBIE
