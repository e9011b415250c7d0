"""When the gate says no: every threshold, with where its default comes from.

Thresholds are a YAML or JSON file (kebab-case keys) or CLI options; any
key left out keeps its default.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from faultdrill.budget.burn import ALERT_WINDOWS
from faultdrill.validation import FileModel, load_model

_FAST = ALERT_WINDOWS[0]


class GateThresholds(FileModel):
    # Error-budget policy (SRE Workbook appendix): when the budget is spent,
    # halt releases. A team may keep a reserve by raising it.
    min_budget_left_percent: float = Field(default=0.0, ge=0, le=100)
    # The Workbook's fast-burn page: 14.4x over both 1 h and 5 m.
    spike_burn_rate: float = Field(default=_FAST.rate, gt=0)
    spike_long_window_s: float = Field(default=_FAST.long_s, gt=0)
    spike_short_window_s: float = Field(default=_FAST.short_s, gt=0)
    # Host saturation. At 90% busy a queue's waiting time is 9x the service
    # time (M/M/1: rho / (1 - rho)); past it latency climbs steeply.
    max_cpu_percent: float = Field(default=90.0, gt=0, le=100)
    # Above 90% of memory in use the kernel starts reclaiming page cache
    # hard and the OOM killer is near; a fault on top of that tests the host.
    max_memory_percent: float = Field(default=90.0, gt=0, le=100)
    # More runnable tasks than cores means work waits for a CPU.
    max_load_per_core: float = Field(default=1.0, gt=0)
    # Incidents at this severity or worse block (4: every open incident).
    block_on_severity: int = Field(default=4, ge=1, le=4)
    # Security signals (faultdrill.security). A quarter of logins failing is
    # far above typo rates (a few percent) and looks like credential stuffing.
    max_failed_login_ratio: float = Field(default=0.25, ge=0, le=1)
    # Login rate-limit rejections per second: any sustained rejection means
    # someone is pushing past the limit; 1/s tolerates a person's retries.
    max_rate_limited_per_s: float = Field(default=1.0, ge=0)
    # Fail2Ban bans within the signal window; one ban is routine noise,
    # several are an attack in progress.
    max_fail2ban_bans: int = Field(default=3, ge=0)
    # How far back the security signals look: the spike check's long window.
    security_window_s: float = Field(default=_FAST.long_s, gt=0)


def load_thresholds(path: Path | None) -> GateThresholds:
    return load_model(GateThresholds, path) if path else GateThresholds()
