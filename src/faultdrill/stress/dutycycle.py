"""How much CPU time to burn in each short period to hold a target share.

A worker alternates busy and idle slices of one period. Instead of burning a
fixed wall-clock slice, it burns a CPU-time *quota* and measures what it
really got: when the scheduler takes the core away mid-slice (a busy host,
our own sleep and wake-up overhead), the shortfall is carried as a debt into
the next periods, so the share over a second stays on target.

The debt is clamped to one period either way, so that a stall (a suspended
process, a host saturated for seconds) does not end in a long burst at 100%
once the core is free again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Period of one busy/idle cycle. stress-ng's --cpu-load works with slices of
# the same order; 10 ms is ten scheduler ticks at CONFIG_HZ=1000 and short
# enough that any 100 ms window a probe samples sees the target share.
PERIOD_S = 0.010


@dataclass
class DutyCycle:
    """Feedback from measured CPU time to the next period's busy quota."""

    share: float  # wanted fraction of one core, in (0, 1]
    period_s: float = PERIOD_S
    debt_s: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        if not 0.0 < self.share <= 1.0:
            raise ValueError(f"share must be in (0, 1], got {self.share}")

    def quota(self) -> float:
        """CPU seconds to burn in the coming period."""
        wanted = self.share * self.period_s + self.debt_s
        return min(max(wanted, 0.0), self.period_s)

    def record(self, cpu_used_s: float, wall_elapsed_s: float) -> None:
        """Account for the CPU time a whole period (busy + idle) really took."""
        owed = self.share * wall_elapsed_s - cpu_used_s
        limit = self.period_s
        self.debt_s = min(max(self.debt_s + owed, -limit), limit)
