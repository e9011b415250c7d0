"""Each SLI over time, as inline SVG: the fault window shaded, thresholds drawn.

One chart per SLO of the journal's series. Latency SLIs plot the per-second
p95 against the threshold; ratio SLIs (availability, error ratio) plot the
per-second good share against the objective. Charts are SVG text with the
fonts left to the browser, so a report stays one self-contained file.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from faultdrill.report.record import RunRecord
from faultdrill.report.series import SloSeries
from faultdrill.runner.outcome import Phase

# Colours the screenshot test looks for: keep them opaque and distinct.
LINE_COLOUR = "#1f5fbf"
THRESHOLD_COLOUR = "#d62728"
FAULT_COLOUR = "#f9d2cc"
RECOVERY_COLOUR = "#fbecc6"
# 9 x 2.8 inches at 100 dpi fills a 900-pixel column of the report.
_SIZE_IN = (9.0, 2.8)
_RC: dict[str, Any] = {"svg.fonttype": "none", "font.size": 9.0}


@dataclass(frozen=True)
class Chart:
    slo: str
    title: str
    svg: str


@dataclass(frozen=True)
class Window:
    """A stretch of the run in seconds since start, drawn as a band."""

    label: str
    start: float
    end: float
    colour: str


def charts(record: RunRecord) -> list[Chart]:
    """One chart per SLO of the series; none when the journal has no series."""
    if record.series is None:
        return []
    windows = _windows(record)
    marks = [
        (record.seconds_since_start(a.start), a.name)
        for a in record.activities
        if a.start is not None
    ]
    interval = record.series.interval_s
    return [
        _chart(slo, interval, windows, marks)
        for slo in record.series.slos
        if slo.points
    ]


def _windows(record: RunRecord) -> list[Window]:
    bands = (
        (Phase.DURING, "fault", FAULT_COLOUR),
        (Phase.RECOVERY, "recovery", RECOVERY_COLOUR),
    )
    windows = []
    for phase, label, colour in bands:
        found = record.phase(phase)
        if found and found.start and found.end:
            start = record.seconds_since_start(found.start)
            end = record.seconds_since_start(found.end)
            windows.append(Window(label, start, end, colour))
    return windows


def _chart(
    series: SloSeries,
    interval_s: float,
    windows: Sequence[Window],
    marks: Sequence[tuple[float, str]],
) -> Chart:
    # A Figure of its own, without pyplot: no global figure registry, no
    # display backend to choose, nothing to close.
    with rc_context(_RC):  # type: ignore[arg-type]  # stubs list keys as Literals
        figure = Figure(figsize=_SIZE_IN)
        axes = figure.subplots()
        title = _draw(axes, series, interval_s)
        _decorate(axes, windows, marks)
        return Chart(series.slo, title, _svg(figure))


def _draw(axes: Axes, series: SloSeries, interval_s: float) -> str:
    # Each point stands for the second that starts at t: draw it mid-second.
    times = [p.t + interval_s / 2 for p in series.points]
    if series.threshold_ms is not None:
        values = _gaps([p.p95_ms for p in series.points])
        axes.plot(
            times,
            values,
            color=LINE_COLOUR,
            linewidth=2,
            marker=".",
            label="p95 per second",
        )
        axes.axhline(
            series.threshold_ms,
            color=THRESHOLD_COLOUR,
            linestyle="--",
            linewidth=1.5,
            label=f"threshold {series.threshold_ms:g} ms",
        )
        axes.set_ylabel("latency (ms)")
        axes.set_ylim(bottom=0)
        return f"{series.slo}: p95 latency per second"
    ratios = _gaps(
        [None if p.good_ratio is None else p.good_ratio * 100 for p in series.points]
    )
    axes.plot(
        times,
        ratios,
        color=LINE_COLOUR,
        linewidth=2,
        marker=".",
        label="good per second",
    )
    axes.axhline(
        series.objective,
        color=THRESHOLD_COLOUR,
        linestyle="--",
        linewidth=1.5,
        label=f"objective {series.objective:g}%",
    )
    lowest = min([r for r in ratios if not math.isnan(r)] + [series.objective])
    axes.set_ylim(max(0.0, lowest - 2.0), 100.5)
    axes.set_ylabel("good events (%)")
    return f"{series.slo}: share of good events per second"


def _gaps(values: Sequence[float | None]) -> list[float]:
    """NaN where a value is missing: the line breaks there instead of lying."""
    return [math.nan if value is None else value for value in values]


def _decorate(
    axes: Axes, windows: Sequence[Window], marks: Sequence[tuple[float, str]]
) -> None:
    for window in windows:
        axes.axvspan(
            window.start, window.end, color=window.colour, zorder=0, label=window.label
        )
    for at, name in marks:
        axes.axvline(at, color="#777777", linewidth=0.8, linestyle=":")
        axes.annotate(
            name,
            (at, 1.0),
            xycoords=("data", "axes fraction"),
            rotation=90,
            va="top",
            ha="right",
            fontsize=7,
            color="#555555",
        )
    axes.set_xlabel("seconds since the run started")
    axes.grid(True, color="#e5e5e5", linewidth=0.6)
    axes.legend(loc="upper left", fontsize=7, framealpha=0.9)


def _svg(figure: Figure) -> str:
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    text = buffer.getvalue()
    # Keep the <svg> element only: the XML prolog and DOCTYPE are not
    # allowed inside an HTML body.
    return text[text.index("<svg") :]
