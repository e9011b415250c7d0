"""Typed models of an experiment file.

The Chaos Toolkit part (``title`` … ``rollbacks``) is modelled closely enough
to catch mistakes before anything runs; faultdrill's own keys (``slo``,
``blast-radius``, ``gate``, ``runbook``) are ignored by Chaos Toolkit, so
``chaos validate`` still accepts our files.
"""

from __future__ import annotations

import enum
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from faultdrill.experiment.durations import Seconds, parse_seconds
from faultdrill.validation import FileModel

# Our own keys: misspelled fields are errors, kebab-case in files.
_Strict = FileModel


class _Ctk(BaseModel):
    """Chaos Toolkit keys: spelled as Chaos Toolkit spells them."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --- Chaos Toolkit activities -------------------------------------------------


class PythonProvider(_Ctk):
    type: Literal["python"]
    module: str = Field(min_length=1)
    func: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(default_factory=dict)
    secrets: list[str] | None = None


class ProcessProvider(_Ctk):
    type: Literal["process"]
    path: str = Field(min_length=1)
    arguments: str | list[str] | dict[str, Any] = Field(default_factory=list)
    timeout: float | None = Field(default=None, gt=0)
    secrets: list[str] | None = None


class HttpProvider(_Ctk):
    type: Literal["http"]
    url: str = Field(min_length=1)
    method: str = "GET"
    headers: dict[str, str] = Field(default_factory=dict)
    arguments: dict[str, Any] | str | None = None
    timeout: float | list[float] | None = None
    expected_status: int | None = None
    verify_tls: bool = True
    secrets: list[str] | None = None


def _provider_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        kind = value.get("type")
    else:
        kind = getattr(value, "type", None)
    return {"python": "Python", "process": "Process", "http": "Http"}.get(str(kind))


# Callable discriminators with capitalised tags: pydantic puts the tag in
# error locations, and capitalised parts are left out of the field paths we
# show (faultdrill.validation), so errors read ``method[0].provider.func``.
Provider = Annotated[
    Annotated[PythonProvider, Tag("Python")]
    | Annotated[ProcessProvider, Tag("Process")]
    | Annotated[HttpProvider, Tag("Http")],
    Discriminator(
        _provider_kind,
        custom_error_type="provider_type",
        custom_error_message="type must be 'python', 'process' or 'http'",
    ),
]


class ActivityType(enum.StrEnum):
    ACTION = "action"
    PROBE = "probe"


class Pauses(_Ctk):
    before: float | str | None = None
    after: float | str | None = None

    @field_validator("before", "after")
    @classmethod
    def _duration(cls, value: float | str | None) -> float | str | None:
        if value is None or (isinstance(value, str) and "${" in value):
            return value  # filled in from the configuration at run time
        parse_seconds(value)
        return value


class Activity(_Ctk):
    type: ActivityType
    name: str = Field(min_length=1)
    provider: Provider
    pauses: Pauses | None = None
    background: bool = False
    controls: list[dict[str, Any]] | None = None
    tolerance: Any = None
    dry: Any = None


class ActivityRef(_Ctk):
    ref: str = Field(min_length=1)


def _step_kind(value: Any) -> str:
    is_ref = isinstance(value, ActivityRef)
    is_ref = is_ref or (isinstance(value, dict) and "ref" in value)
    return "Ref" if is_ref else "Activity"


MethodStep = Annotated[
    Annotated[Activity, Tag("Activity")] | Annotated[ActivityRef, Tag("Ref")],
    Discriminator(_step_kind),
]


class SteadyStateHypothesis(_Ctk):
    title: str = Field(min_length=1)
    probes: list[MethodStep] = Field(default_factory=list)
    controls: list[dict[str, Any]] | None = None


# --- faultdrill keys ----------------------------------------------------------

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class SloSection(_Strict):
    """Which SLOs form the hypothesis and how long each phase measures."""

    hypothesis: list[str] = Field(min_length=1)
    file: str | None = None
    base_url: str = "${base_url}"
    before: Seconds = 10.0
    after: Seconds = 10.0
    recovery_within: Seconds = 5.0
    probe_rate: float = Field(default=20.0, gt=0, le=2000)

    @field_validator("hypothesis")
    @classmethod
    def _names(cls, names: list[str]) -> list[str]:
        for name in names:
            if not _NAME.match(name):
                raise ValueError(
                    f"{name!r} is not an SLO name (lowercase, digits, dashes)"
                )
        if len(set(names)) != len(names):
            raise ValueError("names an SLO twice; list each once")
        return names


class Targets(_Strict):
    """What the experiment may touch; anything else is refused."""

    proxies: list[str] = Field(default_factory=list)
    hosts: list[str] = Field(default_factory=list)
    endpoints: list[str] = Field(default_factory=list)
    namespaces: list[str] = Field(default_factory=list)
    labels: dict[str, str] = Field(default_factory=dict)


class Intensity(_Strict):
    """The most of each fault kind the experiment may inject."""

    latency_ms: int | None = Field(default=None, ge=0)
    cpu_percent: float | None = Field(default=None, gt=0, le=100)
    memory_mb: float | None = Field(default=None, gt=0)
    request_rate: float | None = Field(default=None, gt=0)
    pods: int | None = Field(default=None, ge=0)


class BlastRadius(_Strict):
    targets: Targets
    max_duration: Seconds
    max_intensity: Intensity = Field(default_factory=Intensity)
    max_traffic_share: float = Field(default=100.0, gt=0, le=100)
    max_budget_spend: float | None = Field(default=None, gt=0, le=100)
    allow_process_providers: bool = False

    @field_validator("max_duration")
    @classmethod
    def _positive(cls, seconds: float) -> float:
        if seconds <= 0:
            raise ValueError("must be longer than 0 s")
        return seconds


class GuardSection(_Strict):
    """When the guard aborts a running method.

    The default burn rate, 14.4, is the fast-burn page threshold of the SRE
    Workbook (2% of a 30-day budget in one hour); ``null`` turns the
    burn-rate check off, leaving the duration and budget-allowance checks.
    ``abort-on-slo-breach`` also aborts as soon as an SLO is proven out of
    its objective over the window (off by default: an experiment meant to
    show a deviation must be let run to measure it).
    """

    max_burn_rate: float | None = Field(default=14.4, gt=0)
    abort_on_slo_breach: bool = False
    window: Seconds = 10.0
    check_every: Seconds = 0.25

    @field_validator("window", "check_every")
    @classmethod
    def _positive(cls, seconds: float) -> float:
        if seconds <= 0:
            raise ValueError("must be longer than 0 s")
        return seconds


class Gate(_Strict):
    min_budget_left: float = Field(default=0.0, ge=0, le=100)
    no_open_incidents: bool = True
    environments: list[str] = Field(default_factory=list)


# --- the experiment -----------------------------------------------------------


class Experiment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    tags: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    contributions: dict[str, str] | None = None
    configuration: dict[str, Any] = Field(default_factory=dict)
    secrets: dict[str, dict[str, Any]] = Field(default_factory=dict)
    extensions: list[dict[str, Any]] | None = None
    controls: list[dict[str, Any]] | None = None
    runtime: dict[str, Any] | None = None
    steady_state_hypothesis: SteadyStateHypothesis | None = Field(
        default=None, alias="steady-state-hypothesis"
    )
    method: list[MethodStep]
    rollbacks: list[MethodStep] = Field(default_factory=list)

    slo: SloSection
    blast_radius: BlastRadius = Field(alias="blast-radius")
    gate: Gate = Field(default_factory=Gate)
    guard: GuardSection = Field(default_factory=GuardSection)
    runbook: str | None = None

    @model_validator(mode="after")
    def _refs_resolve(self) -> Experiment:
        named = {a.name for a in self.activities()}
        for where, steps in (("method", self.method), ("rollbacks", self.rollbacks)):
            for index, step in enumerate(steps):
                if isinstance(step, ActivityRef) and step.ref not in named:
                    raise ValueError(
                        f"{where}[{index}].ref: no activity is named {step.ref!r}; "
                        f"known: {', '.join(sorted(named)) or 'none'}"
                    )
        return self

    def activities(self) -> list[Activity]:
        """Every activity defined inline, in file order."""
        steps: list[MethodStep] = []
        if self.steady_state_hypothesis:
            steps += self.steady_state_hypothesis.probes
        steps += self.method + self.rollbacks
        return [s for s in steps if isinstance(s, Activity)]

    def resolve(self, step: MethodStep) -> Activity:
        if isinstance(step, Activity):
            return step
        return next(a for a in self.activities() if a.name == step.ref)
