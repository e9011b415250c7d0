"""Import OpenSLO v1 ``SLO`` and ``SLI`` documents as a faultdrill SLO file.

What maps (OpenSLO v1 -> faultdrill):

- ``kind: SLO`` with ``budgetingMethod: Occurrences``: one SLO per objective,
  ``objective = target * 100`` (or ``targetPercent``); several objectives
  get their ``displayName`` (or their index) appended to the name;
- ``timeWindow``: a rolling ``Nd`` or ``Nw`` -> rolling N days;
  a calendar ``1M`` -> calendar month;
- the SLI, inline (``indicator``) or by ``indicatorRef`` to a ``kind: SLI``
  document of the same import: ``ratioMetric`` with ``good`` or ``bad``
  and ``total``, from a ``Prometheus`` metric source -> an availability
  (good) or error-ratio (bad) SLI with ``source: prometheus``. Each query is
  a counter selector, or an expression whose one range (``[5m]``) becomes
  ``$window``.

What does not, and is reported as such with its document and field:
``Timeslices`` and ``RatioTimeslices`` budgeting and ``thresholdMetric``
(faultdrill counts events, not time slices), metric sources other than
Prometheus, and windows other than days, weeks or a calendar month.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from faultdrill.errors import InvalidInput, Problem
from faultdrill.slo.model import WINDOW_PLACEHOLDER, SloFile
from faultdrill.validation import parse_model, problems_from, read_document

API_VERSION = "openslo/v1"
_SELECTOR = re.compile(r"^\s*[A-Za-z_:][A-Za-z0-9_:]*\s*(\{[^{}]*\})?\s*$")
_RANGE = re.compile(r"\[\s*\d+[smhdwy]\s*\]")
_DURATION = re.compile(r"^(\d+)([dwM])$")
_SLUG = re.compile(r"[^a-z0-9]+")
_DAYS_PER = {"d": 1, "w": 7}


class _Open(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class _Metadata(_Open):
    name: str
    display_name: str | None = Field(default=None, alias="displayName")


class _MetricSource(_Open):
    type: str
    spec: dict[str, Any] = Field(default_factory=dict)


class _Metric(_Open):
    metric_source: _MetricSource = Field(alias="metricSource")


class _Ratio(_Open):
    counter: bool = True
    good: _Metric | None = None
    bad: _Metric | None = None
    total: _Metric | None = None


class _SliSpec(_Open):
    description: str = ""
    ratio_metric: _Ratio | None = Field(default=None, alias="ratioMetric")
    threshold_metric: dict[str, Any] | None = Field(
        default=None, alias="thresholdMetric"
    )


class _Indicator(_Open):
    metadata: _Metadata | None = None
    spec: _SliSpec


class _TimeWindow(_Open):
    duration: str
    is_rolling: bool = Field(default=True, alias="isRolling")


class _Objective(_Open):
    display_name: str | None = Field(default=None, alias="displayName")
    target: float | None = Field(default=None, gt=0, lt=1)
    target_percent: float | None = Field(
        default=None, alias="targetPercent", gt=0, lt=100
    )


class _SloSpec(_Open):
    description: str = ""
    service: str
    indicator: _Indicator | None = None
    indicator_ref: str | None = Field(default=None, alias="indicatorRef")
    time_window: list[_TimeWindow] = Field(
        alias="timeWindow", min_length=1, max_length=1
    )
    budgeting_method: str = Field(alias="budgetingMethod")
    objectives: list[_Objective] = Field(min_length=1)


class _Document(_Open):
    api_version: str = Field(alias="apiVersion")
    kind: str
    metadata: _Metadata
    spec: dict[str, Any]


@dataclass(frozen=True)
class _Doc:
    source: str  # "file.yaml" or "file.yaml#2" for the second document
    model: _Document


def import_openslo(paths: Sequence[Path]) -> SloFile:
    """Read OpenSLO files (YAML, several documents each allowed) into an SLO file."""
    docs: list[_Doc] = []
    problems: list[Problem] = []
    for path in paths:
        for source, raw in _documents(path):
            try:
                docs.append(_Doc(source, _Document.model_validate(raw)))
            except ValidationError as exc:
                problems += problems_from(source, exc)
    _raise(problems)
    return from_documents(docs, " ".join(str(p) for p in paths))


def from_documents(docs: Sequence[_Doc], source: str) -> SloFile:
    problems = [
        Problem(
            d.source,
            "apiVersion",
            f"is {d.model.api_version!r}; only {API_VERSION!r} is read",
        )
        for d in docs
        if d.model.api_version != API_VERSION
    ]
    slis = {d.model.metadata.name: d for d in docs if d.model.kind == "SLI"}
    slos = [d for d in docs if d.model.kind == "SLO"]
    if not slos:
        problems.append(Problem(source, "kind", "no 'kind: SLO' document found"))
    converted: list[dict[str, Any]] = []
    services: set[str] = set()
    for doc in slos:
        found, service = _slo_entries(doc, slis, problems)
        converted += found
        if service:
            services.add(service)
    if len(services) > 1:
        problems.append(
            Problem(
                source,
                "spec.service",
                f"SLOs of several services ({', '.join(sorted(services))}); "
                "import each service on its own",
            )
        )
    _raise(problems)
    data = {"service": services.pop(), "slos": converted}
    return parse_model(SloFile, data, f"{source} (as imported)")


def slo_file_yaml(slo_file: SloFile) -> str:
    """The SLO file in faultdrill's own format."""
    data = slo_file.model_dump(mode="json", by_alias=True, exclude_none=True)
    for slo in data["slos"]:
        if not slo.get("description"):
            slo.pop("description", None)
    return yaml.safe_dump(data, sort_keys=False, width=1000)


def _slo_entries(
    doc: _Doc, slis: dict[str, _Doc], problems: list[Problem]
) -> tuple[list[dict[str, Any]], str | None]:
    try:
        spec = _SloSpec.model_validate(doc.model.spec)
    except ValidationError as exc:
        problems += _prefixed(problems_from(doc.source, exc), "spec")
        return [], None
    start = len(problems)
    window = _window(doc.source, spec.time_window[0], problems)
    sli = _sli(doc, spec, slis, problems)
    if spec.budgeting_method != "Occurrences":
        problems.append(
            Problem(
                doc.source,
                "spec.budgetingMethod",
                f"is {spec.budgeting_method!r}; faultdrill counts events, so "
                "only 'Occurrences' is supported",
            )
        )
    if len(problems) > start or window is None or sli is None:
        return [], spec.service
    entries = [
        {
            "name": _name(
                doc.model.metadata.name, objective, index, len(spec.objectives)
            ),
            "description": spec.description or doc.model.metadata.display_name or "",
            "objective": _objective(doc.source, index, objective, problems),
            "window": window,
            "sli": sli,
        }
        for index, objective in enumerate(spec.objectives)
    ]
    return entries, spec.service


def _sli(
    doc: _Doc, spec: _SloSpec, slis: dict[str, _Doc], problems: list[Problem]
) -> dict[str, Any] | None:
    if spec.indicator is not None:
        return _ratio_sli(
            doc.source, "spec.indicator.spec", spec.indicator.spec, problems
        )
    if spec.indicator_ref is None:
        problems.append(
            Problem(doc.source, "spec", "needs 'indicator' or 'indicatorRef'")
        )
        return None
    ref = slis.get(spec.indicator_ref)
    if ref is None:
        known = ", ".join(sorted(slis)) or "none"
        problems.append(
            Problem(
                doc.source,
                "spec.indicatorRef",
                f"no 'kind: SLI' document named {spec.indicator_ref!r} in this "
                f"import; known: {known}",
            )
        )
        return None
    try:
        sli_spec = _SliSpec.model_validate(ref.model.spec)
    except ValidationError as exc:
        problems += _prefixed(problems_from(ref.source, exc), "spec")
        return None
    return _ratio_sli(ref.source, "spec", sli_spec, problems)


def _ratio_sli(
    source: str, where: str, spec: _SliSpec, problems: list[Problem]
) -> dict[str, Any] | None:
    if spec.threshold_metric is not None:
        problems.append(
            Problem(
                source,
                f"{where}.thresholdMetric",
                "is a time-slice SLI; faultdrill counts events: write it as a "
                "ratioMetric (good = requests under the threshold, total = all)",
            )
        )
        return None
    ratio = spec.ratio_metric
    if ratio is None:
        problems.append(Problem(source, where, "needs a 'ratioMetric'"))
        return None
    queries: dict[str, str] = {}
    for part in ("good", "bad", "total"):
        metric: _Metric | None = getattr(ratio, part)
        if metric is not None:
            query = _query(
                source, f"{where}.ratioMetric.{part}", metric, ratio.counter, problems
            )
            if query is not None:
                queries[part] = query
    kind = "availability" if "good" in queries else "error-ratio"
    return {"type": kind, "source": "prometheus", "prometheus": queries}


def _query(
    source: str, where: str, metric: _Metric, counter: bool, problems: list[Problem]
) -> str | None:
    metric_source = metric.metric_source
    if metric_source.type.lower() != "prometheus":
        problems.append(
            Problem(
                source,
                f"{where}.metricSource.type",
                f"is {metric_source.type!r}; only Prometheus sources can be read",
            )
        )
        return None
    query = metric_source.spec.get("query") or metric_source.spec.get("promql")
    if not isinstance(query, str) or not query.strip():
        problems.append(
            Problem(
                source,
                f"{where}.metricSource.spec.query",
                "is required: the PromQL of this metric",
            )
        )
        return None
    if _SELECTOR.match(query) and counter:
        return query.strip()
    if len(set(_RANGE.findall(query))) == 1:
        return _RANGE.sub(f"[{WINDOW_PLACEHOLDER}]", query).strip()
    problems.append(
        Problem(
            source,
            f"{where}.metricSource.spec.query",
            f"{query!r} is neither a counter selector nor an expression "
            "with one range like [5m]; faultdrill must set the window itself",
        )
    )
    return None


def _window(
    source: str, window: _TimeWindow, problems: list[Problem]
) -> dict[str, Any] | None:
    match = _DURATION.match(window.duration)
    where = "spec.timeWindow[0]"
    if match is None:
        problems.append(
            Problem(
                source,
                f"{where}.duration",
                f"{window.duration!r} is not supported; use days (28d), weeks "
                "(4w) or a calendar month (1M)",
            )
        )
        return None
    count, unit = int(match.group(1)), match.group(2)
    if unit == "M":
        if window.is_rolling or count != 1:
            problems.append(
                Problem(
                    source,
                    where,
                    "months only as a calendar month: duration 1M with "
                    "isRolling: false",
                )
            )
            return None
        return {"type": "calendar-month"}
    if not window.is_rolling:
        problems.append(
            Problem(
                source,
                f"{where}.isRolling",
                "calendar windows other than a month are not supported; use "
                "isRolling: true",
            )
        )
        return None
    return {"type": "rolling", "days": count * _DAYS_PER[unit]}


def _objective(
    source: str, index: int, objective: _Objective, problems: list[Problem]
) -> float:
    if objective.target is not None:
        return round(objective.target * 100, 10)
    if objective.target_percent is not None:
        return objective.target_percent
    problems.append(
        Problem(
            source,
            f"spec.objectives[{index}]",
            "needs 'target' (0.999) or 'targetPercent' (99.9)",
        )
    )
    return 0.0


def _name(base: str, objective: _Objective, index: int, count: int) -> str:
    if count == 1:
        return base
    suffix = objective.display_name or str(index + 1)
    return f"{base}-{_SLUG.sub('-', suffix.lower()).strip('-')}"


def _documents(path: Path) -> Iterable[tuple[str, Any]]:
    if path.suffix.lower() == ".json":
        yield str(path), read_document(path)
        return
    try:
        text = path.read_text(encoding="utf-8")
        loaded = [d for d in yaml.safe_load_all(text) if d is not None]
    except (OSError, UnicodeDecodeError):
        read_document(path)  # raises InvalidInput naming the file and the fix
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InvalidInput.single(str(path), where, f"invalid YAML: {problem}") from exc
    for number, document in enumerate(loaded, 1):
        yield (str(path) if len(loaded) == 1 else f"{path}#{number}"), document


def _prefixed(problems: list[Problem], prefix: str) -> list[Problem]:
    return [Problem(p.source, f"{prefix}.{p.field}", p.message) for p in problems]


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise InvalidInput(problems)
