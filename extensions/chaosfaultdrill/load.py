"""Load, rate limits and capacity (chaos actions and a probe).

Each action runs to its end and returns its figures, which the journal
keeps as the activity's output:

- ``run_load``: Locust, in processes of its own, at a constant rate or in
  steps, with the default request or a locustfile; per-step rates, latency,
  statuses and the golden signals.
- ``validate_rate_limit``: an open-model schedule above a declared limit,
  a volley for the burst, legitimate clients on other keys; the figures and
  pass/fail against the limit under ``rate_limit``.
- ``find_capacity``: a stepped load judged against SLOs; ``capacity_rps``
  and a table of the steps.
- ``rate_limit_held`` (probe): whether the last validation in this process
  passed, for a steady-state hypothesis with ``tolerance: true``.

A failed limit check is a finding, not an error: only what stops a
measurement from being made (bad arguments, a target that cannot be
reached, Locust failing) fails the activity. Blast-radius limits come from
the configuration key ``faultdrill_load_limits`` (``max_request_rate``,
``max_duration_s``); a request beyond them fails before anything is sent.

    {"type": "action", "name": "flood-login",
     "provider": {"type": "python", "module": "chaosfaultdrill.load",
                  "func": "validate_rate_limit",
                  "arguments": {"url": "${base_url}/login", "method": "POST",
                                "json": {"user": "demo", "password": "demo"},
                                "limit": {"rate": 20, "burst": 10},
                                "offered_rate": 100, "duration_s": 5}}}
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from chaoslib.exceptions import ActivityFailed
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from faultdrill.errors import FaultdrillError, InvalidInput
from faultdrill.load.capacity import find_capacity as _find_capacity
from faultdrill.load.launch import Topology
from faultdrill.load.legit import LegitTraffic
from faultdrill.load.limit import DeclaredLimit
from faultdrill.load.plan import Criterion
from faultdrill.load.profile import ConstantProfile, Profile, StepsProfile
from faultdrill.load.run import LoadRun
from faultdrill.load.run import run_load as _run_load
from faultdrill.load.validate import RateLimitTest, ValidationResult, validate
from faultdrill.slo.model import Request, SloFile, default_slo_file, load_slo_file
from faultdrill.validation import problems_from

__all__ = ["find_capacity", "rate_limit_held", "run_load", "validate_rate_limit"]

log = logging.getLogger(__name__)

T = TypeVar("T")

LIMITS_KEY = "faultdrill_load_limits"

_last_validation: ValidationResult | None = None
_last_lock = threading.Lock()


class _LoadLimits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_request_rate: float | None = Field(default=None, gt=0)
    max_duration_s: float | None = Field(default=None, gt=0)


def run_load(
    target_url: str,
    profile: dict[str, Any],
    locustfile: str | None = None,
    workers: int = 0,
    remote_workers: int = 0,
    master_bind_host: str = "127.0.0.1",
    method: str = "GET",
    path: str = "/",
    json: Any = None,
    headers: dict[str, str] | None = None,
    slos: list[str] | None = None,
    slo_file: str | None = None,
    configuration: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Load ``target_url`` to ``profile``; per-step figures and golden signals."""

    def call() -> dict[str, Any]:
        chosen = _profile(profile)
        _check_limits(configuration, _peak(chosen), _duration(chosen))
        run = LoadRun(
            target=target_url.rstrip("/"),
            profile=chosen,
            request=_request(method, path, json, headers),
            locustfile=None if locustfile is None else Path(locustfile),
            topology=Topology(workers, remote_workers, master_bind_host),
            criteria=_criteria(slos or [], slo_file),
        )
        return _run_load(run).to_json()

    return _run(call)


def validate_rate_limit(
    url: str,
    limit: dict[str, Any],
    offered_rate: float,
    duration_s: float,
    method: str = "GET",
    json: Any = None,
    headers: dict[str, str] | None = None,
    legit: dict[str, Any] | None = None,
    tolerance_pct: float = 5.0,
    volley_size: int | None = None,
    configuration: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Offer ``offered_rate``/s above ``limit`` for ``duration_s``; figures and verdict.

    The result's ``rate_limit`` holds the declared limit, the measured
    figures, each check and ``passed``; ``legit`` the legitimate clients'
    SLO verdict; ``passed`` both together.
    """

    def call() -> dict[str, Any]:
        global _last_validation
        declared: DeclaredLimit = _parse(DeclaredLimit, limit, "limit")
        legit_traffic = _parse(LegitTraffic, legit, "legit") if legit else None
        legit_rate = _legit_rate(legit_traffic, declared)
        _check_limits(configuration, offered_rate + legit_rate, duration_s)
        test = RateLimitTest(
            url=url,
            request=_request(method, urlsplit(url).path or "/", json, headers),
            limit=declared,
            offered_rate=offered_rate,
            duration_s=duration_s,
            tolerance_pct=tolerance_pct,
            legit=legit_traffic,
            volley_size=volley_size,
        )
        result = asyncio.run(validate(test))
        with _last_lock:
            _last_validation = result
        log.info("%s", result.to_json()["summary"])
        return result.to_json()

    return _run(call)


def find_capacity(
    url: str,
    steps: list[float],
    step_s: float,
    slos: list[str] | None = None,
    slo_file: str | None = None,
    method: str = "GET",
    json: Any = None,
    headers: dict[str, str] | None = None,
    locustfile: str | None = None,
    workers: int = 0,
    max_user_rate: float | None = None,
    configuration: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Raise the rate through ``steps``; ``capacity_rps`` where ``slos`` still hold.

    ``slos`` are names from the SLO file (the shipped one by default);
    without any, the video API's p95 latency SLO is used.
    """

    def call() -> dict[str, Any]:
        shape: dict[str, Any] = {"type": "steps", "rates": steps, "step_s": step_s}
        if max_user_rate is not None:
            shape["max_user_rate"] = max_user_rate
        profile = _profile(shape)
        _check_limits(configuration, _peak(profile), _duration(profile))
        parts = urlsplit(url)
        run = LoadRun(
            target=f"{parts.scheme}://{parts.netloc}",
            profile=profile,
            request=_request(method, parts.path or "/", json, headers),
            locustfile=None if locustfile is None else Path(locustfile),
            topology=Topology(workers),
            criteria=_criteria(slos or ["api-latency-p95"], slo_file),
        )
        return _find_capacity(run).to_json()

    return _run(call)


def rate_limit_held(configuration: dict[str, Any] | None = None) -> bool:
    """Probe: False once a validation in this process has failed; True before any."""
    with _last_lock:
        return _last_validation is None or _last_validation.passed


# --- helpers ------------------------------------------------------------------


def _run(call: Callable[[], T]) -> T:
    """Call into faultdrill, turning its errors into a failed activity."""
    try:
        return call()
    except FaultdrillError as exc:
        raise ActivityFailed(str(exc)) from exc


def _parse(model: type[BaseModel], data: Any, field: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = problems_from(field, exc)
        raise InvalidInput(problems) from None


def _profile(data: dict[str, Any]) -> ConstantProfile | StepsProfile:
    try:
        chosen: ConstantProfile | StepsProfile = TypeAdapter(Profile).validate_python(
            data
        )
    except ValidationError as exc:
        raise InvalidInput(problems_from("profile", exc)) from None
    return chosen


def _request(
    method: str, path: str, body: Any, headers: dict[str, str] | None
) -> Request:
    data = {"method": method, "path": path, "json": body, "headers": headers or {}}
    parsed: Request = _parse(Request, data, "request")
    return parsed


def _criteria(names: list[str], slo_file: str | None) -> list[Criterion]:
    source: SloFile = load_slo_file(slo_file) if slo_file else default_slo_file()
    return [Criterion.of(source.get(name)) for name in names]


def _peak(profile: ConstantProfile | StepsProfile) -> float:
    if isinstance(profile, ConstantProfile):
        return profile.rate
    return max(profile.rates)


def _duration(profile: ConstantProfile | StepsProfile) -> float:
    if isinstance(profile, ConstantProfile):
        return profile.duration_s
    return profile.step_s * len(profile.rates)


def _legit_rate(legit: LegitTraffic | None, limit: DeclaredLimit) -> float:
    if legit is None:
        return 0.0
    return legit.keys * legit.per_key_rate(limit.rate_per_s)


def _check_limits(
    configuration: dict[str, Any] | None, rate: float, duration_s: float
) -> None:
    raw = (configuration or {}).get(LIMITS_KEY) or {}
    limits = _parse(_LoadLimits, raw, LIMITS_KEY)
    problems = []
    if limits.max_request_rate is not None and rate > limits.max_request_rate:
        problems.append(
            f"{rate:g} requests/s exceeds blast-radius.max-intensity.request-rate "
            f"{limits.max_request_rate:g}"
        )
    if limits.max_duration_s is not None and duration_s > limits.max_duration_s:
        problems.append(
            f"{duration_s:g} s of load exceeds blast-radius.max-duration "
            f"{limits.max_duration_s:g} s"
        )
    if problems:
        raise InvalidInput.single(LIMITS_KEY, "", "; ".join(problems))
