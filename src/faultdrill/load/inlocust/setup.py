"""Wiring a run together inside Locust, from the plan in the generated locustfile.

    from faultdrill.load.inlocust.setup import install
    install(globals(), PLAN_JSON)

puts the user classes and the load shape where Locust looks for them (the
locustfile's globals) and hooks the recorder, the CPU sampler, the result
file and the parent watch to Locust's events.
"""

from __future__ import annotations

import importlib.util
import inspect
import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gevent  # type: ignore[import-untyped]
import psutil
from locust import FastHttpUser, User, events, task
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from faultdrill.load.inlocust.pacing import paced, take_due
from faultdrill.load.inlocust.shape import shape_for, started_at
from faultdrill.load.plan import CpuSample, LoadOutput, LoadPlan
from faultdrill.load.recorder import REPORT_KEY, Recorder
from faultdrill.stress.parentwatch import POLL_INTERVAL_S, ParentWatch
from faultdrill.stress.procgroup import members

log = logging.getLogger(__name__)

# How often the master samples CPU: a few samples per step of a few seconds.
CPU_SAMPLE_S = 0.5


def install(namespace: dict[str, Any], plan_json: str) -> None:
    plan = LoadPlan.model_validate_json(plan_json)
    for user_class in _user_classes(plan):
        user_class.wait_time = paced(plan.user_rate)
        namespace[user_class.__name__] = user_class
    namespace["FaultdrillSteps"] = shape_for(plan)
    state = _RunState(plan)
    _listen(events.init, state.on_init)
    _listen(events.request, state.on_request)
    _listen(events.report_to_master, state.on_report_to_master)
    _listen(events.worker_report, state.on_worker_report)
    _listen(events.quitting, state.on_quitting)


def _listen(hook: Any, handler: Callable[..., None]) -> None:
    hook.add_listener(handler)


def _user_classes(plan: LoadPlan) -> list[type[User]]:
    if plan.locustfile is None:
        return [_default_user(plan)]
    return _from_locustfile(Path(plan.locustfile))


def _default_user(plan: LoadPlan) -> type[User]:
    request = plan.request
    if request is None:
        raise SystemExit("faultdrill load plan: neither a request nor a locustfile")
    method, path = request.method.value, request.path
    body, headers = request.body, dict(request.headers)

    class RequestUser(FastHttpUser):
        @task
        def send(self) -> None:
            self.client.request(method, path, json=body, headers=headers or None)

    return RequestUser


def _from_locustfile(path: Path) -> list[type[User]]:
    spec = importlib.util.spec_from_file_location("faultdrill_user_locustfile", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot import the locustfile {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    found = [
        value
        for value in vars(module).values()
        if inspect.isclass(value) and issubclass(value, User) and not value.abstract
    ]
    if not found:
        raise SystemExit(f"the locustfile {path} defines no User class")
    return found


class _RunState:
    """The recorder, the CPU samples and the output of one Locust process."""

    def __init__(self, plan: LoadPlan) -> None:
        self.plan = plan
        self.recorder = Recorder(plan.criteria, plan.slot_s)
        self.cpu: list[CpuSample] = []
        self.environment: Environment | None = None
        self.recording = True
        self.workers: set[str] = set()  # that reported figures

    def on_init(self, environment: Environment, **_: Any) -> None:
        self.environment = environment
        self.recording = not isinstance(environment.runner, MasterRunner)
        gevent.spawn(_watch_parent, ParentWatch(self.plan.parent_pid))
        if not isinstance(environment.runner, WorkerRunner):
            gevent.spawn(self._sample_cpu)

    def on_request(
        self,
        response_time: float,
        response: Any = None,
        exception: BaseException | None = None,
        start_time: float | None = None,
        **_: Any,
    ) -> None:
        if not self.recording:
            return
        started = (
            start_time if start_time is not None else time.time() - response_time / 1000
        )
        due = take_due()
        late_ms = max(0.0, (started - due) * 1000) if due is not None else 0.0
        status = getattr(response, "status_code", None) or None
        self.recorder.record(
            due or started, response_time + late_ms, status, exception is not None
        )

    def on_report_to_master(self, data: dict[str, Any], **_: Any) -> None:
        data[REPORT_KEY] = self.recorder.drain()

    def on_worker_report(self, client_id: str, data: dict[str, Any], **_: Any) -> None:
        self.workers.add(client_id)
        self.recorder.merge(data.get(REPORT_KEY) or {})

    def on_quitting(self, environment: Environment, **_: Any) -> None:
        if isinstance(environment.runner, WorkerRunner):
            return
        self._write(environment)

    def _sample_cpu(self) -> None:
        psutil.cpu_percent(interval=None)
        while True:
            gevent.sleep(CPU_SAMPLE_S)
            self.cpu.append(
                CpuSample(
                    at=time.time(),
                    host_pct=psutil.cpu_percent(interval=None),
                    generator_cpu_s=_group_cpu_s(),
                )
            )

    def _write(self, environment: Environment) -> None:
        shape = environment.shape_class
        total = environment.stats.total
        output = LoadOutput(
            started_at=started_at(shape) or time.time(),
            stopped_at=time.time(),
            slot_s=self.plan.slot_s,
            slots=self.recorder.figures(),
            cpu=self.cpu,
            workers=len(self.workers),
            locust_totals={
                "requests": total.num_requests,
                "failures": total.num_failures,
                "p95_ms": total.get_response_time_percentile(0.95),
                "rps": total.total_rps,
            },
        )
        Path(self.plan.result_path).write_text(output.model_dump_json())


def _group_cpu_s() -> float:
    """CPU seconds of every process of our group: the master and local workers."""
    total = 0.0
    for process in members(os.getpgrp()):
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def _watch_parent(watch: ParentWatch) -> None:
    while not watch.gone():
        gevent.sleep(POLL_INTERVAL_S)
    # The runner is gone: nobody will stop us or read the result.
    os.killpg(os.getpgrp(), signal.SIGKILL)
