"""The SLO file: which SLOs a service has and what a good event is for each.

Every SLO reduces to one claim: *at least ``objective`` percent of events are
good*. The SLI type decides what "good" means for one request:

``availability``
    answered with HTTP 2xx.
``latency``
    answered (any status) within ``threshold-ms``, counted from the intended
    send time; a request that failed or timed out is bad, because a user
    waiting for it did not get an answer in time.
``error-ratio``
    answered with a status below 500. A request that got no answer at all
    (connection refused or reset, timeout) is bad too: from the user's side
    it failed as surely as a 503, and counting it as good would let an outage
    that kills the listener look like a perfect error ratio.

Files are YAML or JSON with kebab-case keys (``threshold-ms``); the Python
field names (``threshold_ms``) are accepted too.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import (
    BaseModel,
    Discriminator,
    Field,
    JsonValue,
    PrivateAttr,
    Tag,
    field_validator,
    model_validator,
)

from faultdrill.errors import InvalidInput, Problem
from faultdrill.slo.outcome import Outcome
from faultdrill.validation import FileModel, load_model, parse_model

DEFAULT_SLO_RESOURCE = "slos.yaml"  # src/faultdrill/data/slos.yaml, shipped
DEFAULT_WINDOW_DAYS = 30  # the SRE Workbook's usual SLO window (DESIGN.md)
# Objectives are written with a few decimals (99.95); rounding the derived
# ratios to 12 places drops binary float noise (0.000999...943) and nothing else.
_RATIO_DIGITS = 12
# The extreme objectives whose ratios stay strictly between 0 and 1 after
# that rounding: 1e-12 of events allowed bad, or required good.
_MAX_OBJECTIVE = "99.9999999999"
_MIN_OBJECTIVE = "0.0000000001"
_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
INLINE_SOURCE = "(inline SLO file)"  # where SLOs not read from a file come from


_Model = FileModel


def _by_type(*models: type[BaseModel]) -> Discriminator:
    """Pick a union member by its ``type`` key; unknown types list the valid ones.

    Members are tagged with their class name: field paths in errors then read
    ``sli.threshold-ms``, as the user wrote them, without the tag in between.
    """
    tags = {_literal_type(model): model.__name__ for model in models}
    valid = ", ".join(repr(name) for name in tags)

    def tag_of(value: Any) -> str | None:
        kind = (
            value.get("type")
            if isinstance(value, dict)
            else getattr(value, "type", None)
        )
        return tags.get(kind) if isinstance(kind, str) else None

    return Discriminator(
        tag_of,
        custom_error_type="unknown_type",
        custom_error_message=f"'type' must be one of {valid}",
    )


def _literal_type(model: type[BaseModel]) -> str:
    annotation = model.model_fields["type"].annotation
    (kind,) = get_args(annotation)
    return str(kind)


class HttpMethod(enum.StrEnum):
    GET = "GET"
    HEAD = "HEAD"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"
    OPTIONS = "OPTIONS"


class Request(_Model):
    """The HTTP request a probe sends to measure an SLI."""

    method: HttpMethod = HttpMethod.GET
    path: str
    headers: dict[str, str] = Field(default_factory=dict)
    body: JsonValue = Field(default=None, alias="json")

    @field_validator("method", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("path")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"must start with '/', like '/{value}'")
        return value

    @property
    def key(self) -> str:
        """A stable identity: SLOs with equal requests share one probe stream."""
        key = f"{self.method} {self.path}"
        if self.headers:
            key += " " + json.dumps(self.headers, sort_keys=True)
        if self.body is not None:
            key += " " + json.dumps(self.body, sort_keys=True, separators=(",", ":"))
        return key


class SliSource(enum.StrEnum):
    """Where the events of an SLI come from."""

    PROBE = "probe"  # faultdrill's own open-model prober: needs ``request``
    PROMETHEUS = "prometheus"  # PromQL: needs ``prometheus``
    LOAD = "load-generator"  # Locust's statistics of ``request``


WINDOW_PLACEHOLDER = "$window"  # replaced by a PromQL range such as 5m


class PrometheusQueries(_Model):
    """How Prometheus counts an SLI's events.

    Each of ``good``, ``bad`` and ``total`` is either a counter selector,
    ``http_requests_total{route="/"}``, which is read as
    ``sum(increase(SELECTOR[$window]))``, or a whole PromQL expression that
    contains ``$window`` where the range goes. Ratio SLIs give ``total``
    and one of ``good`` or ``bad``. Latency SLIs give ``histogram``, the
    selector of the ``_bucket`` series (``le`` left out); the threshold
    should be one of its bucket bounds, since events are only told apart
    at bucket bounds.
    """

    good: str | None = None
    bad: str | None = None
    total: str | None = None
    histogram: str | None = None

    def problems(self, sli_type: str) -> list[str]:
        """What is missing or conflicting for an SLI of ``sli_type``."""
        if sli_type == "latency":
            if self.histogram or (self.good and self.total):
                return []
            return ["a latency SLI needs 'histogram' (or 'good' and 'total')"]
        found = []
        if not self.total:
            found.append("needs 'total'")
        if bool(self.good) == bool(self.bad):
            found.append("needs exactly one of 'good' or 'bad'")
        return found


@dataclass
class Origin:
    """Where an SLI was written: its SLO and its file, for error messages.

    Not part of what the SLI is: two SLIs read from different files are
    still equal, so every Origin equals every other (pydantic compares
    private attributes too).
    """

    slo: str = "(unnamed SLO)"
    slo_file: str = INLINE_SOURCE

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Origin)

    def __hash__(self) -> int:
        return 0


class _Sli(_Model):
    source: SliSource = SliSource.PROBE
    probe_request: Request | None = Field(default=None, alias="request")
    prometheus: PrometheusQueries | None = None
    # Where this SLI is written, for errors raised after loading; set by its
    # SLO and by the SLO file it was read from.
    _origin: Origin = PrivateAttr(default_factory=lambda: Origin())

    @property
    def request(self) -> Request:
        """The request probes send; only SLIs measured by requests have one."""
        if self.probe_request is None:
            raise InvalidInput.single(
                self._origin.slo_file,
                f"SLO {self._origin.slo!r}: sli.request",
                f"missing: this SLI is measured by {self.source}, not by "
                "requests; add a 'request' to probe it, or measure this SLO "
                f"with {self.source} instead of a probe",
            )
        return self.probe_request

    @model_validator(mode="after")
    def _source_is_complete(self) -> _Sli:
        kind = str(getattr(self, "type", ""))
        needs_request = self.source in (SliSource.PROBE, SliSource.LOAD)
        if needs_request and self.probe_request is None:
            raise ValueError(f"'request' is required for source {self.source}")
        if self.source is SliSource.PROMETHEUS:
            if self.prometheus is None:
                raise ValueError("'prometheus' queries are required for that source")
            problems = self.prometheus.problems(kind)
            if problems:
                raise ValueError("prometheus: " + "; ".join(problems))
        return self

    def is_good(self, outcome: Outcome) -> bool:
        """Whether one event counts as good for this SLI."""
        raise NotImplementedError


class AvailabilitySli(_Sli):
    """Good: answered with HTTP 2xx."""

    type: Literal["availability"]

    def is_good(self, outcome: Outcome) -> bool:
        return outcome.status is not None and 200 <= outcome.status < 300


class LatencySli(_Sli):
    """Good: answered without a server error, within ``threshold_ms`` of the
    intended send.

    A fast 502 is no fast answer: a service that fails every request must
    not hold its latency SLO (client errors, a 429 included, still count as
    answered).
    """

    type: Literal["latency"]
    threshold_ms: float = Field(gt=0)

    def is_good(self, outcome: Outcome) -> bool:
        served = (
            outcome.status is not None
            and outcome.status < 500
            and outcome.error is None
        )
        return served and outcome.latency_s * 1000.0 <= self.threshold_ms


class ErrorRatioSli(_Sli):
    """Good: answered with a status below 500; no answer at all is bad."""

    type: Literal["error-ratio"]

    def is_good(self, outcome: Outcome) -> bool:
        return outcome.status is not None and outcome.status < 500


Sli = Annotated[
    Annotated[AvailabilitySli, Tag("AvailabilitySli")]
    | Annotated[LatencySli, Tag("LatencySli")]
    | Annotated[ErrorRatioSli, Tag("ErrorRatioSli")],
    _by_type(AvailabilitySli, LatencySli, ErrorRatioSli),
]


class RollingWindow(_Model):
    type: Literal["rolling"]
    days: int = Field(default=DEFAULT_WINDOW_DAYS, ge=1)


class CalendarMonthWindow(_Model):
    """The budget resets on the first day of each calendar month (UTC)."""

    type: Literal["calendar-month"]


Window = Annotated[
    Annotated[RollingWindow, Tag("RollingWindow")]
    | Annotated[CalendarMonthWindow, Tag("CalendarMonthWindow")],
    _by_type(RollingWindow, CalendarMonthWindow),
]


class Slo(_Model):
    """One objective: at least ``objective`` percent of events are good."""

    name: str
    description: str = ""
    objective: float = Field(gt=0, lt=100)
    window: Window = RollingWindow(type="rolling")
    sli: Sli

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _NAME.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a valid name; use lowercase letters, digits "
                "and single dashes, like 'homepage-availability'"
            )
        return value

    @field_validator("objective")
    @classmethod
    def _leaves_a_budget(cls, value: float) -> float:
        # The ratios are rounded to _RATIO_DIGITS places; an objective whose
        # ratio rounds to 0 or 1 has no events to judge or no budget to spend.
        ratio = round(value / 100.0, _RATIO_DIGITS)
        if not 0.0 < ratio < 1.0:
            raise ValueError(
                f"{value!r} rounds to a ratio of {ratio:g} at {_RATIO_DIGITS} "
                f"decimals; give an objective between {_MIN_OBJECTIVE} and "
                f"{_MAX_OBJECTIVE} percent"
            )
        return value

    @model_validator(mode="after")
    def _name_the_sli(self) -> Slo:
        self.sli._origin.slo = self.name
        return self

    @property
    def target_ratio(self) -> float:
        """The fraction of events that must be good, e.g. 0.999."""
        return round(self.objective / 100.0, _RATIO_DIGITS)

    @property
    def error_budget(self) -> float:
        """The fraction of events allowed to be bad, e.g. 0.001."""
        return round((100.0 - self.objective) / 100.0, _RATIO_DIGITS)


class SecuritySources(_Model):
    """Where the security signals of a service are read (gate inputs).

    Each query takes the forms of ``PrometheusQueries``: a counter selector
    or an expression with ``$window``. ``fail2ban-log`` is Fail2Ban's log
    file; ``fail2ban-jails`` limits the bans counted to those jails.
    """

    login_attempts: str | None = None
    failed_logins: str | None = None
    rate_limited: str | None = None
    fail2ban_log: Path | None = None
    fail2ban_jails: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _pairs(self) -> SecuritySources:
        if bool(self.login_attempts) != bool(self.failed_logins):
            raise ValueError(
                "give both 'login-attempts' and 'failed-logins' (their ratio is "
                "the signal), or neither"
            )
        return self


class SloFile(_Model):
    """All SLOs of one service."""

    service: str = Field(min_length=1)
    slos: list[Slo] = Field(min_length=1)
    security: SecuritySources | None = None
    _source: str = PrivateAttr(default=INLINE_SOURCE)

    @field_validator("slos")
    @classmethod
    def _unique(cls, slos: list[Slo]) -> list[Slo]:
        seen: dict[str, int] = {}
        for index, slo in enumerate(slos):
            if slo.name in seen:
                raise ValueError(
                    f"SLO name {slo.name!r} is used by slos[{seen[slo.name]}] "
                    f"and slos[{index}]; give each SLO its own name"
                )
            seen[slo.name] = index
        return slos

    @property
    def source(self) -> str:
        return self._source

    @property
    def names(self) -> list[str]:
        return [slo.name for slo in self.slos]

    def get(self, name: str) -> Slo:
        """The SLO named ``name``; UnknownSlo naming it and the known ones."""
        for slo in self.slos:
            if slo.name == name:
                return slo
        raise UnknownSlo(name, self.names, self._source)

    def _read_from(self, source: str) -> SloFile:
        """Record where the file was read, for errors its SLOs raise later."""
        self._source = source
        for slo in self.slos:
            slo.sli._origin.slo_file = source
        return self


class UnknownSlo(InvalidInput):
    """An SLO name that is not in the SLO file.

    The message stands on its own; a caller that knows where the name was
    written turns it into that file's error with ``at(source, field)``.
    """

    def __init__(self, name: str, known: Sequence[str], slo_file: str) -> None:
        self.name = name
        self.known = tuple(known)
        self.slo_file = slo_file
        super().__init__([Problem(f"SLO {name!r}", "", self.explanation)])

    @property
    def explanation(self) -> str:
        known = ", ".join(self.known)
        return (
            f"no SLO named {self.name!r}; known SLOs: {known} (in the SLO file "
            f"{self.slo_file}); use one of them, or add {self.name!r} to that file"
        )

    def at(self, source: str, field: str) -> InvalidInput:
        """The same problem, reported where the name was written."""
        return InvalidInput([Problem(source, field, self.explanation)])


def load_slo_file(path: Path | str) -> SloFile:
    """Read and validate an SLO file; every problem names file and field."""
    path = Path(path)
    slo_file = _relative_to(load_model(SloFile, path), path.parent)
    return slo_file._read_from(str(path))


def _relative_to(slo_file: SloFile, directory: Path) -> SloFile:
    """A relative ``fail2ban-log`` is relative to the SLO file, not the shell."""
    security = slo_file.security
    if security is None or security.fail2ban_log is None:
        return slo_file
    if security.fail2ban_log.is_absolute():
        return slo_file
    moved = security.model_copy(
        update={"fail2ban_log": directory / security.fail2ban_log}
    )
    return slo_file.model_copy(update={"security": moved})


def default_slo_file() -> SloFile:
    """The shipped SLOs of the LocalizeVideos platform."""
    resource = resources.files("faultdrill").joinpath("data", DEFAULT_SLO_RESOURCE)
    source = f"faultdrill/data/{DEFAULT_SLO_RESOURCE}"
    slo_file = parse_model(SloFile, yaml.safe_load(resource.read_text("utf-8")), source)
    return slo_file._read_from(source)
