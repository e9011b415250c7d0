"""CPU and memory stress: achieved against target, and stop latency.

Runs faultdrill's builtin stressors and stress-ng side by side, measured the
same way (psutil CPU times of the whole process group over the same window,
RSS summed over the group), and prints one table per figure.

Targets of the acceptance criteria: CPU within ±5 points at 25, 50 and 75%
of one and of two cores; resident memory within ±5%; stop latency, from the
stop request to the last stress process gone, at most 0.5 s.

    python bench/bench_stress.py        # about a minute and a half
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

from faultdrill.stress.meter import GroupMeter, HostMeter
from faultdrill.stress.model import Engine
from faultdrill.stress.procgroup import members
from faultdrill.stress.registry import Registry
from faultdrill.stress.report import StressorReport
from faultdrill.stress.supervisor import Supervisor

MIB = 1024 * 1024
WARM_UP_S = 0.5  # Python workers start in about 0.1 s; stress-ng forks late
MEASURE_S = 3.0  # 300 ticks of /proc CPU time per core: ±0.3 point
CPU_GRID = [(cores, percent) for cores in (1, 2) for percent in (25, 50, 75)]
MEMORY_SIZES_MIB = (256, 1024)
STOP_ROUNDS = 5


@dataclass(frozen=True)
class CpuRun:
    achieved: float  # percent of each core
    others: float  # percent of the host busy with other work meanwhile


def main() -> int:
    has_stress_ng = shutil.which("stress-ng") is not None
    engines = [Engine.BUILTIN] + ([Engine.STRESS_NG] if has_stress_ng else [])
    if not has_stress_ng:
        print("stress-ng not installed: builtin figures only")
    with tempfile.TemporaryDirectory(prefix="bench-stress-") as directory:
        supervisor = Supervisor(registry=Registry(Path(directory)))
        try:
            cpu_table(supervisor, engines)
            memory_table(supervisor, engines)
            stop_table(supervisor, engines)
        finally:
            supervisor.close()
    return 0


def cpu_table(supervisor: Supervisor, engines: list[Engine]) -> None:
    print(f"\nCPU, percent of each core, measured over {MEASURE_S:.0f} s")
    header = f"{'cores':>5} {'target':>6}"
    for engine in engines:
        header += f" | {engine.value:>9} {'error':>6} {'others':>6}"
    print(header)
    for cores, percent in CPU_GRID:
        line = f"{cores:>5} {percent:>6}"
        for engine in engines:
            run = measure_cpu(supervisor, engine, cores, percent)
            error = run.achieved - percent
            mark = " " if abs(error) <= 5 else "!"
            line += f" | {run.achieved:>9.1f} {error:>+5.1f}{mark} {run.others:>5.0f}%"
        print(line, flush=True)
    print("error: achieved - target, '!' beyond ±5 points; others: the rest")
    print("of the host's CPU busy with other processes during the window")


def measure_cpu(
    supervisor: Supervisor, engine: Engine, cores: int, percent: float
) -> CpuRun:
    started = supervisor.start_cpu(percent, cores, MEASURE_S + 5, engine)
    try:
        time.sleep(WARM_UP_S)
        meter, host = GroupMeter(started.pgid), HostMeter()
        meter.cpu(), host.busy_percent()
        time.sleep(MEASURE_S)
        reading, busy = meter.cpu(), host.busy_percent()
    finally:
        supervisor.stop(started.stressor_id)
    assert reading is not None and busy is not None
    achieved = 100.0 * reading.cpu_s / reading.wall_s / cores
    ours = achieved * cores / _host_cores()
    return CpuRun(achieved, max(busy - ours, 0.0))


def memory_table(supervisor: Supervisor, engines: list[Engine]) -> None:
    print("\nResident memory, MiB (sum of RSS over the stressor's processes)")
    header = f"{'target':>7}"
    for engine in engines:
        header += f" | {engine.value:>9} {'error':>7} {'reach s':>7}"
    print(header)
    for size in MEMORY_SIZES_MIB:
        line = f"{size:>7}"
        for engine in engines:
            achieved, reach = measure_memory(supervisor, engine, size)
            error = 100.0 * (achieved - size) / size
            mark = " " if abs(error) <= 5 else "!"
            line += f" | {achieved:>9.1f} {error:>+6.1f}%{mark}{reach:>7.2f}"
        print(line, flush=True)
    print("error: (achieved - target) / target; reach: seconds to within 5%")


def measure_memory(
    supervisor: Supervisor, engine: Engine, size_mib: int
) -> tuple[float, float]:
    began = time.monotonic()
    started = supervisor.start_memory(size_mib, 20, 0, engine)
    meter = GroupMeter(started.pgid)
    reached = float("nan")
    try:
        deadline = began + 10.0
        while time.monotonic() < deadline:
            if meter.rss() >= 0.95 * size_mib * MIB:
                reached = time.monotonic() - began
                break
            time.sleep(0.02)
        time.sleep(1.0)  # settle: stress-ng keeps touching pages for a while
        achieved = meter.rss() / MIB
    finally:
        supervisor.stop(started.stressor_id)
    return achieved, reached


def stop_table(supervisor: Supervisor, engines: list[Engine]) -> None:
    print(f"\nStop latency, stop request to last process gone, {STOP_ROUNDS} rounds")
    print(f"{'stressor':<26} {'engine':>9} {'median s':>9} {'max s':>7} {'left':>5}")
    cases: list[tuple[str, Callable[[Engine], StressorReport]]] = [
        ("CPU 50% of 2 cores", lambda e: supervisor.start_cpu(50, 2, 30, e)),
        ("memory 512 MiB", lambda e: supervisor.start_memory(512, 30, 0, e)),
    ]
    for name, start in cases:
        for engine in engines:
            latencies, left = [], 0
            for _ in range(STOP_ROUNDS):
                started = start(engine)
                time.sleep(1.0)
                began = time.monotonic()
                supervisor.stop(started.stressor_id)
                latencies.append(time.monotonic() - began)
                left += len(members(started.pgid))
            latencies.sort()
            median, worst = latencies[len(latencies) // 2], latencies[-1]
            mark = " " if worst <= 0.5 else "!"
            print(
                f"{name:<26} {engine.value:>9} {median:>9.3f} {worst:>6.3f}{mark}"
                f" {left:>5}",
                flush=True,
            )
    print("left: stress processes found alive after stop returned (must be 0)")


def _host_cores() -> int:
    return psutil.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
