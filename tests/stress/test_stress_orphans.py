"""A runner killed with SIGKILL leaves no stress process behind.

A small parent process starts stressors and reports their process groups;
the test kills it with SIGKILL, which no handler can intercept, and watches
the groups empty on their own.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator

import pytest

from faultdrill.stress import procgroup
from faultdrill.stress.model import Member
from faultdrill.stress.procgroup import members
from faultdrill.stress.recovery import Outcome, kill_recorded_stressors
from faultdrill.stress.registry import Registry

pytestmark = pytest.mark.e2e

WaitUntil = Callable[[Callable[[], bool], float], bool]

# Workers look at their parent every 50 ms; the criterion is about 1 s.
ORPHAN_DEADLINE_S = 1.0

PARENT = textwrap.dedent(
    """
    import json, sys, time
    from faultdrill.stress.model import Engine
    from faultdrill.stress.supervisor import Supervisor

    supervisor = Supervisor()
    started = [
        supervisor.start_cpu(20, cores=2, duration_s=60),
        supervisor.start_memory(16, duration_s=60, ramp_s=2),
    ]
    if sys.argv[1] == "with-stress-ng":
        started.append(supervisor.start_cpu(20, 1, 60, Engine.STRESS_NG))
    print(json.dumps([s.pgid for s in started]), flush=True)
    time.sleep(60)
    """
)


@pytest.fixture
def parent() -> Iterator[Callable[[], tuple[subprocess.Popen[str], list[int]]]]:
    """Start the parent; afterwards kill it and anything of its groups."""
    started: list[tuple[subprocess.Popen[str], list[int]]] = []

    def start() -> tuple[subprocess.Popen[str], list[int]]:
        mode = "with-stress-ng" if shutil.which("stress-ng") else "builtin-only"
        process = subprocess.Popen(
            [sys.executable, "-c", PARENT, mode], stdout=subprocess.PIPE, text=True
        )
        assert process.stdout is not None
        groups = json.loads(process.stdout.readline())
        started.append((process, groups))
        return process, groups

    yield start
    for process, groups in started:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()
        procgroup.kill_groups(groups)


def test_sigkill_of_the_parent_leaves_no_orphan(
    parent: Callable[[], tuple[subprocess.Popen[str], list[int]]],
    wait_until: WaitUntil,
) -> None:
    process, groups = parent()
    assert all(members(pgid) for pgid in groups)

    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    assert wait_until(lambda: not any(members(g) for g in groups), ORPHAN_DEADLINE_S)


def test_recovery_kills_what_a_dead_runner_left_running(
    parent: Callable[[], tuple[subprocess.Popen[str], list[int]]],
) -> None:
    _, groups = parent()
    # As if the runner had died and its stressors had failed to notice:
    # the records now name an owner that no longer exists.
    registry = Registry()
    for record in registry.records():
        registry.add(dataclasses.replace(record, owner=Member(os.getpid(), 1.0)))

    results = kill_recorded_stressors()

    assert {r.outcome for r in results} == {Outcome.KILLED}
    assert sorted(r.pgid for r in results) == sorted(groups)
    assert not any(members(g) for g in groups)
    assert registry.records() == []


def test_recovery_leaves_a_live_runner_alone_unless_forced(
    parent: Callable[[], tuple[subprocess.Popen[str], list[int]]],
) -> None:
    _, groups = parent()

    spared = kill_recorded_stressors()
    assert {r.outcome for r in spared} == {Outcome.OWNER_ALIVE}
    assert all(members(g) for g in groups)

    forced = kill_recorded_stressors(force=True)
    assert {r.outcome for r in forced} == {Outcome.KILLED}
    assert not any(members(g) for g in groups)


def test_recovery_twice_finds_nothing_the_second_time(
    parent: Callable[[], tuple[subprocess.Popen[str], list[int]]],
) -> None:
    process, _ = parent()
    os.kill(process.pid, signal.SIGSTOP)  # frozen, not dead: force is needed
    try:
        first = kill_recorded_stressors(force=True)
        second = kill_recorded_stressors(force=True)
    finally:
        os.kill(process.pid, signal.SIGCONT)

    assert first and all(r.outcome is Outcome.KILLED for r in first)
    assert second == []
