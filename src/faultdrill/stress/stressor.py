"""One running stressor as its supervisor sees it: processes, samples, state."""

from __future__ import annotations

import collections
import logging
import signal
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from faultdrill.clock import Clock
from faultdrill.stress.launch import Launched
from faultdrill.stress.meter import GroupMeter, HostMeter
from faultdrill.stress.model import (
    CpuTarget,
    Engine,
    Kind,
    Sample,
    State,
    Target,
    kind_of,
)
from faultdrill.stress.report import StressorReport
from faultdrill.stress.verdict import Verdict, judge
from faultdrill.stress.worker import EXIT_PARENT_GONE

log = logging.getLogger(__name__)

# Samples kept per stressor: one hour at one sample a second. Older samples
# are dropped; the verdict then stands on the last hour.
MAX_SAMPLES = 3600


@dataclass
class Stressor:
    stressor_id: str
    engine: Engine
    target: Target
    launched: Launched
    log_path: Path
    clock: Clock
    started: float  # clock.now() at launch
    started_wall: float
    state: State = State.RUNNING
    detail: str | None = None
    stop_latency_s: float | None = None
    samples: collections.deque[Sample] = field(
        default_factory=lambda: collections.deque(maxlen=MAX_SAMPLES)
    )
    meter: GroupMeter = field(init=False)
    host: HostMeter = field(default_factory=HostMeter)
    host_busy: float | None = None
    last_words: str | None = None  # the log's last line, kept once it is deleted

    def __post_init__(self) -> None:
        self.meter = GroupMeter(self.launched.pgid, self.clock.now)

    @property
    def kind(self) -> Kind:
        return kind_of(self.target)

    def sample(self) -> None:
        """Measure once; the first CPU call only sets the baseline."""
        elapsed = self.clock.now() - self.started
        achieved = self._achieved()
        self.host_busy = self.host.busy_percent() or self.host_busy
        if achieved is None:
            return
        wanted = self._wanted(elapsed)
        self.samples.append(Sample(self.clock.wall(), elapsed, wanted, achieved))

    def poll(self) -> bool:
        """Settle the state if every process has exited; True once it has."""
        codes = [p.poll() for p in self.launched.processes]
        if self.state is not State.RUNNING or any(c is None for c in codes):
            return self.state is not State.RUNNING
        failures = [c for c in codes if c not in (0, None)]
        self.state = State.FAILED if failures else State.FINISHED
        self.close_log()
        if failures:
            self.detail = self._failure(failures[0])
        log.info("%s stressor %s %s", self.kind.value, self.stressor_id, self.state)
        return True

    def close_log(self) -> None:
        """Keep the log's last line and delete the file: the stressor has ended."""
        self.last_words = _last_line(self.log_path)
        self.log_path.unlink(missing_ok=True)

    def report(self) -> StressorReport:
        judgement = judge(self.target, list(self.samples))
        detail = self.detail
        if detail is None and judgement.verdict is Verdict.SHORT:
            detail = self._shortfall()
        return StressorReport(
            stressor_id=self.stressor_id,
            kind=self.kind,
            engine=self.engine,
            state=self.state,
            target=self.target,
            pgid=self.launched.pgid,
            pids=tuple(p.pid for p in self.launched.processes),
            started_wall=self.started_wall,
            judgement=judgement,
            samples=tuple(self.samples),
            detail=detail,
            stop_latency_s=self.stop_latency_s,
        )

    def _achieved(self) -> float | None:
        if isinstance(self.target, CpuTarget):
            reading = self.meter.cpu()
            if reading is None or reading.wall_s <= 0:
                return None
            share = reading.cpu_s / reading.wall_s / self.target.cores
            return 100.0 * share
        return float(self.meter.rss())

    def _wanted(self, elapsed: float) -> float:
        if isinstance(self.target, CpuTarget):
            return self.target.percent
        return self.target.at(elapsed)

    def _failure(self, code: int) -> str:
        if code == EXIT_PARENT_GONE:
            why = "its parent process was gone"
        elif code < 0:
            why = f"killed by {signal.Signals(-code).name}"
            if code == -signal.SIGKILL and self.kind is Kind.MEMORY:
                why += " (the kernel OOM killer or a memory limit is the likely cause)"
        else:
            why = f"exited with status {code}"
        last = self._said()
        return f"ended early: {why}" + (f"; it said: {last}" if last else "")

    def _shortfall(self) -> str:
        if isinstance(self.target, CpuTarget):
            return f"could not reach the target: {self._competition(self.target.cores)}"
        last = self._said()
        said = f": {last}" if last else " (a memory limit or cgroup may cap it)"
        return f"could not reach the target resident size{said}"

    def _said(self) -> str | None:
        running = self.state is State.RUNNING
        return _last_line(self.log_path) if running else self.last_words

    def _competition(self, cores: int) -> str:
        """How busy the host was with work other than this stressor."""
        if self.host_busy is None or not self.samples:
            return "the host's own load is unknown"
        ours = self.samples[-1].achieved * cores / _host_cores()
        others = max(self.host_busy - ours, 0.0)
        return (
            f"other processes kept {others:.0f}% of the host's CPU busy "
            f"(this stressor {ours:.0f}%)"
        )


def _host_cores() -> int:
    return psutil.cpu_count() or 1


def _last_line(path: Path) -> str | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    useful = [line.strip() for line in lines if line.strip()]
    return useful[-1] if useful else None
