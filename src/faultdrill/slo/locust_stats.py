"""SLI readings from the load generator's statistics (Locust's ``_stats.csv``).

Locust writes one row per request type and name (``Type`` is the method,
``Name`` the path unless a task names it) and an ``Aggregated`` row, with
``Request Count``, ``Failure Count`` and percentile columns (``95%``) in
milliseconds. Two limits shape what a reading can claim
(reference/slo-and-load.md):

- Locust rounds response times to about two significant figures before
  its percentiles (147 ms counts as 150 ms);
- it is closed-loop, so its latencies hide stalls an open-model probe sees.

A latency SLI's good count is therefore a lower bound: the largest
reported percentile still within the threshold, times the requests.
Failures are Locust's own (any non-2xx unless a task says otherwise).

``faultdrill gate --load-stats`` judges them.

TODO(load statistics in runs and budget): the load runner does not yet hand
its ``_stats.csv`` to the run's guard or to ``faultdrill budget``; only the
gate reads a stats file.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from pathlib import Path

from faultdrill.errors import InvalidInput
from faultdrill.slo.model import LatencySli, SliSource, Slo
from faultdrill.slo.reading import ReadingSource, SliReading

_REQUIRED = ("Type", "Name", "Request Count", "Failure Count")
_ROUNDING_NOTE = "Locust rounds latencies to ~2 significant figures"


def read_locust_stats(
    path: Path, slos: Iterable[Slo], window_s: float
) -> list[SliReading]:
    """Readings of the load-generator SLOs over a run that lasted ``window_s``."""
    rows = _rows(path)
    readings = []
    for slo in slos:
        if slo.sli.source is not SliSource.LOAD:
            continue
        row = rows.get((slo.sli.request.method.value, slo.sli.request.path))
        if row is None:
            known = ", ".join(f"{m} {n}" for m, n in rows) or "none"
            raise InvalidInput.single(
                str(path),
                slo.name,
                f"has no row for {slo.sli.request.method} {slo.sli.request.path}; "
                f"rows: {known}",
            )
        readings.append(_reading(slo, row, window_s))
    return readings


def _reading(slo: Slo, row: dict[str, str], window_s: float) -> SliReading:
    total = float(row["Request Count"])
    failures = float(row["Failure Count"])
    if not isinstance(slo.sli, LatencySli):
        return SliReading(
            slo=slo.name, source=ReadingSource.LOAD, window_s=window_s,
            good=total - failures, total=total,
        )  # fmt: skip
    label = f"{slo.objective:g}%"
    return SliReading(
        slo=slo.name,
        source=ReadingSource.LOAD,
        window_s=window_s,
        good=total * _share_within(row, slo.sli.threshold_ms),
        total=total,
        percentile_label=f"p{slo.objective:g}",
        percentile_ms=_number(row.get(label)),
        threshold_ms=slo.sli.threshold_ms,
        note=f"good is a lower bound from percentile columns; {_ROUNDING_NOTE}",
    )


def _share_within(row: dict[str, str], threshold_ms: float) -> float:
    """The largest reported percentile whose latency is within the threshold."""
    best = 0.0
    for column, value in row.items():
        if not column.endswith("%"):
            continue
        latency = _number(value)
        if latency is not None and latency <= threshold_ms:
            best = max(best, float(column[:-1]) / 100.0)
    return best


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        return None  # "N/A" for names without requests
    return None if math.isnan(value) else value


def _rows(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
            rows = list(reader)
    except OSError as exc:
        raise InvalidInput.single(
            str(path), "", f"cannot be read ({exc.strerror}); give Locust's "
            "PREFIX_stats.csv (locust --csv PREFIX)"
        ) from exc  # fmt: skip
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput.single(
            str(path), "", f"is not a CSV text file ({exc}); give Locust's "
            "PREFIX_stats.csv (locust --csv PREFIX)"
        ) from exc  # fmt: skip
    if missing:
        raise InvalidInput.single(
            str(path), "header", f"lacks {', '.join(missing)}: not a Locust "
            "_stats.csv (the requests file of locust --csv)"
        )  # fmt: skip
    return {(r["Type"], r["Name"]): r for r in rows if r["Name"] != "Aggregated"}
