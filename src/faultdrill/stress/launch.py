"""Starting a stressor's processes as one new process group.

Every process is a direct child of the caller (the runner), so each one can
watch it: the first leads a new process group, the others join it. (A new
session would detach the group from the terminal too, but processes cannot
join a group in another session, so the group stays in the runner's session;
it is not the terminal's foreground group, so Ctrl-C does not reach it.)
stress-ng, which forks its own workers, runs under a ``guard`` worker that
leads the group and kills it when the runner is gone.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from faultdrill.errors import FaultError, InvalidInput, Problem
from faultdrill.stress import procgroup
from faultdrill.stress.bounds import SOURCE
from faultdrill.stress.model import CpuTarget, Engine, MemoryTarget, Target

WORKER = [sys.executable, "-m", "faultdrill.stress.worker"]
STRESS_NG = "stress-ng"


@dataclass(frozen=True)
class Launched:
    pgid: int
    processes: tuple[subprocess.Popen[bytes], ...]


def check_engine(engine: Engine, target: Target) -> None:
    """InvalidInput when the engine is missing or cannot do what is asked."""
    if engine is Engine.BUILTIN:
        return
    if shutil.which(STRESS_NG) is None:
        fix = "is not installed: install it (apt install stress-ng) or use 'builtin'"
        raise InvalidInput([Problem(SOURCE, "engine", f"{STRESS_NG!r} {fix}")])
    if isinstance(target, MemoryTarget) and target.ramp_s > 0:
        fix = "stress-ng cannot ramp memory: use engine 'builtin' or ramp_s=0"
        raise InvalidInput([Problem(SOURCE, "ramp_s", fix)])


def launch(engine: Engine, target: Target, log_path: Path) -> Launched:
    """Start the stressor's processes; they stop on their own after the duration."""
    commands = _commands(engine, target, os.getpid())
    with open(log_path, "ab") as log:
        first = _spawn(commands[0], log, group=0)
        started = [first]
        try:
            started += [_spawn(c, log, group=first.pid) for c in commands[1:]]
        except OSError as exc:
            _abandon(first.pid, started)
            raise FaultError(f"could not start stressor processes: {exc}") from exc
    return Launched(first.pid, tuple(started))


def _abandon(pgid: int, started: list[subprocess.Popen[bytes]]) -> None:
    """Kill and reap what a launch that failed half-way had started."""
    procgroup.kill_group(pgid)
    for process in started:
        process.wait()


def _commands(engine: Engine, target: Target, parent: int) -> list[list[str]]:
    watch = ["--parent", str(parent)]
    if engine is Engine.STRESS_NG:
        guard = [*WORKER, "guard", *watch, "--duration", str(target.duration_s)]
        return [[*guard, "--", *_stress_ng_args(target)]]
    duration = ["--duration", str(target.duration_s)]
    if isinstance(target, CpuTarget):
        share = ["--share", str(target.percent / 100.0)]
        return [[*WORKER, "cpu", *watch, *duration, *share]] * target.cores
    size = ["--bytes", str(target.size_bytes), "--ramp", str(target.ramp_s)]
    return [[*WORKER, "memory", *watch, *duration, *size]]


def _stress_ng_args(target: Target) -> list[str]:
    # stress-ng takes whole seconds; the guard ends it at the exact duration.
    timeout = ["--timeout", f"{math.ceil(target.duration_s)}s"]
    if isinstance(target, CpuTarget):
        # --cpu-load takes a whole percent.
        load = ["--cpu", str(target.cores), "--cpu-load", str(round(target.percent))]
        return [STRESS_NG, *load, *timeout]
    # TODO(stress-ng memory overhead): its parent and wait processes and our
    # guard hold about 30 MiB beside --vm-bytes, which the group's RSS counts
    # (+11% at 256 MiB, +3% at 1 GiB); the size could be reduced by that.
    # --vm-keep maps once; --vm-hang 0 then sleeps instead of rewriting pages,
    # so the stressor holds memory without also burning a core.
    size = ["--vm-bytes", f"{target.size_bytes}b", "--vm-keep", "--vm-hang", "0"]
    return [STRESS_NG, "--vm", "1", *size, *timeout]


def _spawn(
    command: Sequence[str], log: IO[bytes], group: int
) -> subprocess.Popen[bytes]:
    """Start one process in group ``group`` (0: a new group it leads)."""
    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=log,
        process_group=group,
    )
