"""The CPU worker: hold a share of one core with short busy/idle periods."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from faultdrill.stress.dutycycle import PERIOD_S, DutyCycle


@dataclass(frozen=True)
class Timers:
    """Where the loop reads time and how it waits; swapped for fakes in tests."""

    now: Callable[[], float] = time.monotonic
    cpu: Callable[[], float] = time.process_time
    sleep: Callable[[float], None] = time.sleep


def run_cpu(
    share: float,
    duration_s: float,
    parent_gone: Callable[[], bool],
    timers: Timers | None = None,
) -> bool:
    """Burn ``share`` of one core until ``duration_s`` passes or the parent dies.

    Returns True when the duration ran out, False when the parent was gone.
    """
    t = timers or Timers()
    cycle = DutyCycle(share)
    end = t.now() + duration_s
    period_start, cpu_start = t.now(), t.cpu()
    while period_start < end:
        if parent_gone():
            return False
        _burn(t, cycle.quota(), cpu_start, min(period_start + PERIOD_S, end))
        _idle_until(t, min(period_start + PERIOD_S, end))

        now, cpu_now = t.now(), t.cpu()
        cycle.record(cpu_now - cpu_start, now - period_start)
        period_start, cpu_start = now, cpu_now
    return True


def _burn(t: Timers, quota_s: float, cpu_start: float, deadline: float) -> None:
    """Spin until ``quota_s`` of CPU time is used or the period is over."""
    stop_at = cpu_start + quota_s
    while t.cpu() < stop_at and t.now() < deadline:
        pass


def _idle_until(t: Timers, deadline: float) -> None:
    remaining = deadline - t.now()
    if remaining > 0:
        t.sleep(remaining)
