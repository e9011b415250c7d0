"""Starting, measuring and stopping the stressors of one runner process.

    supervisor = Supervisor()
    supervisor.start_cpu(percent=50, cores=1, duration_s=30)
    supervisor.status()      # target against achieved, so far
    supervisor.stop_all()    # rollback: every process gone, reports returned

A background thread samples every running stressor once per
``SAMPLE_INTERVAL_S`` and stops sampling when none is left running. Each
stressor is written to the registry as soon as it is spawned and removed
once it has ended, so ``recovery.kill_recorded_stressors`` can clean up after
a runner that died. Stressors still running when the interpreter exits are
stopped then, too.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import uuid
import weakref
from collections.abc import Callable

import psutil

from faultdrill.clock import Clock, MonotonicClock
from faultdrill.errors import FaultError
from faultdrill.stress import bounds, launch, procgroup
from faultdrill.stress.model import (
    Engine,
    Member,
    Record,
    State,
    Target,
    kind_of,
)
from faultdrill.stress.registry import Registry
from faultdrill.stress.report import StressorReport
from faultdrill.stress.stressor import Stressor

log = logging.getLogger(__name__)

# One sample a second: the time resolution of the journal's series, and an
# interval long enough that psutil's 10 ms CPU-time ticks err by under 1%.
SAMPLE_INTERVAL_S = 1.0


class Supervisor:
    """The stressors this process started."""

    def __init__(
        self,
        registry: Registry | None = None,
        capacity: Callable[[], bounds.Capacity] = bounds.host_capacity,
        clock: Clock | None = None,
        sample_interval_s: float = SAMPLE_INTERVAL_S,
    ) -> None:
        self._registry = registry or Registry()
        self._capacity = capacity
        self._clock = clock or MonotonicClock()
        self._interval = sample_interval_s
        self._stressors: dict[str, Stressor] = {}
        self._lock = threading.RLock()
        self._sampler: threading.Thread | None = None
        self._wake = threading.Event()
        atexit.register(_stop_at_exit, weakref.ref(self))

    def start_cpu(
        self,
        percent: float,
        cores: int | None = None,
        duration_s: float = 60.0,
        engine: Engine = Engine.BUILTIN,
        limits: bounds.Limits | None = None,
    ) -> StressorReport:
        """Load ``percent`` of each of ``cores`` cores (all when None)."""
        target = bounds.check_cpu(percent, cores, duration_s, self._capacity(), limits)
        return self._start(engine, target)

    def start_memory(
        self,
        megabytes: float,
        duration_s: float = 60.0,
        ramp_s: float = 0.0,
        engine: Engine = Engine.BUILTIN,
        limits: bounds.Limits | None = None,
    ) -> StressorReport:
        """Hold ``megabytes`` MiB resident, reached linearly over ``ramp_s``."""
        capacity = self._capacity()
        target = bounds.check_memory(megabytes, duration_s, ramp_s, capacity, limits)
        return self._start(engine, target)

    def status(self) -> list[StressorReport]:
        """Every stressor of this supervisor, running or ended, oldest first."""
        with self._lock:
            self._settle()
            return [s.report() for s in self._stressors.values()]

    def sample(self) -> None:
        """Measure every running stressor now (the sampler thread calls this)."""
        with self._lock:
            for stressor in self._running():
                stressor.sample()
            self._settle()

    def stop(self, stressor_id: str) -> StressorReport:
        with self._lock:
            stressor = self._stressors.get(stressor_id)
            if stressor is None:
                known = ", ".join(self._stressors) or "none"
                raise FaultError(f"no stressor {stressor_id!r} here; known: {known}")
            self._settle()
            self._stop([stressor] if stressor.state is State.RUNNING else [])
            return stressor.report()

    def stop_all(self) -> list[StressorReport]:
        """Stop every running stressor; reports of all, for the journal.

        Raises FaultError if a process survived SIGKILL; its record stays in
        the registry for ``faultdrill recover``.
        """
        with self._lock:
            self._settle()
            self._stop(self._running())
            return [s.report() for s in self._stressors.values()]

    def _start(self, engine: Engine, target: Target) -> StressorReport:
        launch.check_engine(engine, target)
        kind = kind_of(target)
        stressor_id = f"{kind.value}-{uuid.uuid4().hex[:8]}"
        log_path = self._registry.directory / f"{stressor_id}.log"
        with self._lock:
            launched = launch.launch(engine, target, log_path)
            stressor = Stressor(
                stressor_id,
                engine,
                target,
                launched,
                log_path,
                self._clock,
                self._clock.now(),
                self._clock.wall(),
            )
            self._stressors[stressor_id] = stressor
            self._registry.add(_record(stressor))
            stressor.sample()  # the CPU baseline
            self._ensure_sampler()
        log.info("started %s stressor %s: %s", kind.value, stressor_id, target)
        return stressor.report()

    def _stop(self, stressors: list[Stressor]) -> None:
        if not stressors:
            return
        began = self._clock.now()
        for stressor in stressors:
            stressor.sample()  # the last interval, for the journal
        results = procgroup.kill_groups([s.launched.pgid for s in stressors])
        latency = self._clock.now() - began
        for stressor, result in zip(stressors, results, strict=True):
            self._mark_stopped(stressor, latency, result.survivors)
        left = [pid for result in results for pid in result.survivors]
        if left:
            raise FaultError(
                f"stress processes {left} survived SIGKILL (in uninterruptible "
                "sleep?); check them with ps, then run 'faultdrill recover'"
            )

    def _mark_stopped(
        self, stressor: Stressor, latency: float, survivors: tuple[int, ...]
    ) -> None:
        for process in stressor.launched.processes:
            process.poll()
        stressor.state = State.STOPPED
        stressor.close_log()
        stressor.stop_latency_s = round(latency, 4)
        if survivors:
            stressor.detail = f"pids {list(survivors)} survived SIGKILL"
            log.error("stressor %s: %s", stressor.stressor_id, stressor.detail)
            return
        self._registry.remove(stressor.stressor_id)
        log.info(
            "stopped %s stressor %s in %.3f s",
            stressor.kind.value,
            stressor.stressor_id,
            latency,
        )

    def _settle(self) -> None:
        for stressor in self._running():
            if stressor.poll():
                self._registry.remove(stressor.stressor_id)

    def _running(self) -> list[Stressor]:
        return [s for s in self._stressors.values() if s.state is State.RUNNING]

    def _ensure_sampler(self) -> None:
        if self._sampler is not None and self._sampler.is_alive():
            return
        self._sampler = threading.Thread(
            target=self._sample_loop, name="faultdrill-stress-sampler", daemon=True
        )
        self._sampler.start()

    def _sample_loop(self) -> None:
        while not self._wake.wait(self._interval):
            self.sample()
            with self._lock:
                if not self._running():
                    return

    def close(self) -> None:
        """Stop everything and the sampler; the supervisor is done."""
        self.stop_all()
        self._wake.set()
        if self._sampler is not None:
            self._sampler.join()


def _record(stressor: Stressor) -> Record:
    members = []
    for process in stressor.launched.processes:
        try:
            members.append(
                Member(process.pid, psutil.Process(process.pid).create_time())
            )
        except psutil.NoSuchProcess:
            continue  # already gone: nothing to recover
    return Record(
        stressor_id=stressor.stressor_id,
        kind=stressor.kind,
        engine=stressor.engine,
        pgid=stressor.launched.pgid,
        members=tuple(members),
        started_wall=stressor.started_wall,
        duration_s=stressor.target.duration_s,
        target=stressor.target,
        owner=Member(os.getpid(), psutil.Process().create_time()),
    )


def _stop_at_exit(ref: weakref.ref[Supervisor]) -> None:
    supervisor = ref()
    if supervisor is not None:
        supervisor.close()
