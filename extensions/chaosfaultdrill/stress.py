"""CPU and memory stress on this host (chaos actions and a probe).

Actions return as soon as the stressor runs; it stops itself after
``duration_s``, and ``stop_all`` (meant for ``rollbacks``) stops it earlier.
Meanwhile the experiment can measure its SLOs, and ``status`` reports the
target against what was achieved.

Limits from the blast radius come from the configuration key
``faultdrill_stress_limits``, a mapping with any of ``max_percent``,
``max_cores``, ``max_memory_mb`` and ``max_duration_s``; requests beyond
them, or beyond the host, fail before anything starts.

    {"type": "action", "name": "cpu-half-of-one-core",
     "provider": {"type": "python", "module": "chaosfaultdrill.stress",
                  "func": "start_cpu",
                  "arguments": {"percent": 50, "cores": 1, "duration_s": 120}}}
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from chaoslib.exceptions import ActivityFailed
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from faultdrill.errors import FaultdrillError
from faultdrill.stress.bounds import MIB, Limits
from faultdrill.stress.model import Engine
from faultdrill.stress.report import StressorReport
from faultdrill.stress.supervisor import Supervisor
from faultdrill.stress.verdict import Verdict

__all__ = ["start_cpu", "start_memory", "status", "stop", "stop_all"]

log = logging.getLogger(__name__)

T = TypeVar("T")

LIMITS_KEY = "faultdrill_stress_limits"

_supervisor: Supervisor | None = None
_supervisor_lock = threading.Lock()


class _LimitsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_percent: float | None = Field(default=None, gt=0, le=100)
    max_cores: int | None = Field(default=None, ge=1)
    max_memory_mb: float | None = Field(default=None, gt=0)
    max_duration_s: float | None = Field(default=None, gt=0)


def start_cpu(
    percent: float,
    cores: int | None = None,
    duration_s: float = 60.0,
    engine: str = "builtin",
    configuration: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Load ``percent`` of each of ``cores`` cores (all when omitted)."""
    limits, chosen = _limits(configuration), _engine(engine)
    return _run(
        lambda: _get().start_cpu(percent, cores, duration_s, chosen, limits)
    ).to_json()


def start_memory(
    megabytes: float,
    duration_s: float = 60.0,
    ramp_s: float = 0.0,
    engine: str = "builtin",
    configuration: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Hold ``megabytes`` MiB resident, reached linearly over ``ramp_s`` seconds."""
    limits, chosen = _limits(configuration), _engine(engine)
    return _run(
        lambda: _get().start_memory(megabytes, duration_s, ramp_s, chosen, limits)
    ).to_json()


def stop(stressor_id: str) -> dict[str, Any]:
    """Stop one stressor by the id its start action returned."""
    return _run(lambda: _get().stop(stressor_id)).to_json()


def stop_all(configuration: dict[str, Any] | None = None) -> dict[str, Any]:
    """Rollback: stop every stressor of this run; reports of all of them."""
    reports = _run(lambda: _get().stop_all())
    return _summary(reports)


def status(configuration: dict[str, Any] | None = None) -> dict[str, Any]:
    """Probe: every stressor's target against what it achieved, so far."""
    return _summary(_run(lambda: _get().status()))


def _summary(reports: list[StressorReport]) -> dict[str, Any]:
    return {
        "stressors": [r.to_json() for r in reports],
        "all_on_target": all(
            r.judgement.verdict in (Verdict.ON_TARGET, Verdict.PENDING) for r in reports
        ),
    }


def _run(call: Callable[[], T]) -> T:
    """Call into faultdrill, turning its errors into a failed activity."""
    try:
        return call()
    except FaultdrillError as exc:
        raise ActivityFailed(str(exc)) from exc


def _get() -> Supervisor:
    global _supervisor
    with _supervisor_lock:
        if _supervisor is None:
            _supervisor = Supervisor()
        return _supervisor


def _engine(name: str) -> Engine:
    try:
        return Engine(name)
    except ValueError:
        valid = ", ".join(repr(e.value) for e in Engine)
        raise ActivityFailed(
            f"engine {name!r} is unknown: use one of {valid}"
        ) from None


def _limits(configuration: dict[str, Any] | None) -> Limits:
    raw = (configuration or {}).get(LIMITS_KEY) or {}
    try:
        config = _LimitsConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ActivityFailed(f"configuration {LIMITS_KEY}: {problems}") from exc
    memory = None if config.max_memory_mb is None else int(config.max_memory_mb * MIB)
    return Limits(config.max_percent, config.max_cores, memory, config.max_duration_s)
