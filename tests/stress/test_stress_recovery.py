"""Recovery kills only groups that are provably ours."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator

import psutil
import pytest

from faultdrill.stress import procgroup
from faultdrill.stress.model import CpuTarget, Engine, Kind, Member, Record
from faultdrill.stress.procgroup import members
from faultdrill.stress.recovery import Outcome, kill_recorded_stressors
from faultdrill.stress.registry import Registry

pytestmark = pytest.mark.e2e


def record_of(pgid: int, leader_created: float) -> Record:
    return Record(
        f"cpu-{pgid}",
        Kind.CPU,
        Engine.BUILTIN,
        pgid,
        (Member(pgid, leader_created),),
        time.time(),
        30.0,
        CpuTarget(10, 1, 30),
    )


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A process leading its own group, standing in for a stressor."""
    process = subprocess.Popen(["sleep", "30"], process_group=0)
    yield process
    procgroup.kill_group(process.pid)
    process.wait()


def test_a_reused_pid_is_left_alone(sleeper: subprocess.Popen[bytes]) -> None:
    # Recorded start time differs from the live process: the pid was reused.
    Registry().add(record_of(sleeper.pid, leader_created=1.0))

    results = kill_recorded_stressors()

    assert [r.outcome for r in results] == [Outcome.GONE]
    assert sleeper.poll() is None
    assert Registry().records() == []


def test_a_matching_leader_is_killed_with_its_group(
    sleeper: subprocess.Popen[bytes],
) -> None:
    created = psutil.Process(sleeper.pid).create_time()
    Registry().add(record_of(sleeper.pid, created))

    results = kill_recorded_stressors()

    assert [r.outcome for r in results] == [Outcome.KILLED]
    assert sleeper.poll() is not None
    assert members(sleeper.pid) == []


def test_members_outliving_their_leader_are_killed() -> None:
    # The leader (sh) exits at once; its child sleep stays in the group.
    leader = subprocess.Popen(
        ["sh", "-c", "sleep 30 & echo $!"], process_group=0, stdout=subprocess.PIPE
    )
    assert leader.stdout is not None
    orphan_pid = int(leader.stdout.readline())
    leader.stdout.close()
    leader.wait()
    try:
        assert [p.pid for p in members(leader.pid)] == [orphan_pid]
        Registry().add(record_of(leader.pid, leader_created=1.0))

        results = kill_recorded_stressors()

        assert [r.outcome for r in results] == [Outcome.KILLED]
        assert members(leader.pid) == []
    finally:
        procgroup.kill_group(leader.pid)


def test_nothing_recorded_means_nothing_done() -> None:
    assert kill_recorded_stressors() == []
    assert os.path.exists(Registry().directory)
