"""How busy the machine is: CPU, memory and run-queue load, from psutil.

psutil's ``cpu_percent(interval=None)`` answers a meaningless 0.0 on its
first call (reference/slo-and-load.md), so the CPU is sampled over an
interval instead.
"""

from __future__ import annotations

import os
from typing import Protocol

import psutil
from pydantic import BaseModel, ConfigDict

# Long enough for a CPU figure that is not one scheduler tick's noise,
# short enough that a deployment pipeline does not notice the wait.
DEFAULT_INTERVAL_S = 0.5


class HostSample(BaseModel):
    model_config = ConfigDict(frozen=True)

    cpu_percent: float  # all cores, 0-100
    memory_percent: float  # of physical memory in use (not cache)
    load_per_core: float  # 1-minute load average / logical cores
    cores: int


class HostSampler(Protocol):
    def __call__(self) -> HostSample: ...


def sample_host(interval_s: float = DEFAULT_INTERVAL_S) -> HostSample:
    """One measurement of this machine; blocks for ``interval_s``."""
    cores = psutil.cpu_count(logical=True) or 1
    return HostSample(
        cpu_percent=psutil.cpu_percent(interval=interval_s),
        memory_percent=psutil.virtual_memory().percent,
        load_per_core=os.getloadavg()[0] / cores,
        cores=cores,
    )
