"""``faultdrill budget``: error budget left and burn rates, per SLO."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from faultdrill.budget.burn import burn_windows, duration_label
from faultdrill.budget.ledger import DB_ENV, BudgetLedger
from faultdrill.budget.status import BudgetStatus, budget_status
from faultdrill.gate.live import live_readings, prometheus_client
from faultdrill.prometheus.client import URL_ENV
from faultdrill.report.budget_page import render_budget_html
from faultdrill.report.write import check_writable, write_text
from faultdrill.slo.model import SloFile, default_slo_file, load_slo_file
from faultdrill.slo.reading import SliReading

_FILE = click.Path(path_type=Path, dir_okay=False)
# Burn rate 1 spends the budget in exactly one period (SRE Workbook); above
# it, the budget runs out before the period ends.
_SUSTAINABLE_BURN = 1.0
# Columns a log or a pipe gets: the whole table on one line per SLO; rich
# would otherwise assume 80 and truncate every column.
_PIPED_WIDTH = 160
# "SLI now" is read over the shortest burn window: how the service does now.
_NOW_WINDOW_S = min(burn_windows())


@click.command()
@click.option("--slo-file", type=_FILE, help="SLO file [default: the shipped SLOs].")
@click.option(
    "--ledger",
    "ledger_path",
    type=_FILE,
    envvar=DB_ENV,
    help=f"Budget ledger (also {DB_ENV}) [default: FAULTDRILL_HOME/budget.sqlite].",
)
@click.option(
    "--prometheus",
    "prometheus_url",
    envvar=URL_ENV,
    help=f"Prometheus, for 'SLI now' of SLOs with source prometheus (also {URL_ENV}).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--html",
    "html_path",
    type=_FILE,
    help="Also write the error-budget report and SLO dashboard as HTML.",
)
def budget(
    slo_file: Path | None,
    ledger_path: Path | None,
    prometheus_url: str | None,
    as_json: bool,
    html_path: Path | None,
) -> None:
    """Error budget left and burn rates per SLO.

    \b
    Budget left is the share of the SLO window's budget not yet spent by
    incidents and experiments (negative: overspent). Burn rates are over
    the windows of the SRE Workbook's multiwindow alerts; 1 spends the
    budget in exactly one window.
    """
    slos = _slo_file(slo_file)
    if html_path is not None:
        check_writable(html_path, "--html")
    ledger = BudgetLedger(ledger_path) if ledger_path else BudgetLedger.default()
    now = time.time()
    statuses = [budget_status(slo, ledger, now) for slo in slos.slos]
    client = prometheus_client(prometheus_url)
    readings = {r.slo: r for r in live_readings(slos.slos, [_NOW_WINDOW_S], client)}
    if html_path is not None:
        rows = budget_json(slos, statuses, readings)["slos"]
        write_text(html_path, render_budget_html(rows, slos.service), "--html")
        click.echo(f"budget report: {html_path}", err=True)
    if as_json:
        click.echo(json.dumps(budget_json(slos, statuses, readings), indent=2))
        return
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = max(console.width, _PIPED_WIDTH)
    console.print(_table(slos, statuses, readings))


def budget_json(
    slos: SloFile, statuses: list[BudgetStatus], readings: dict[str, SliReading]
) -> dict[str, Any]:
    return {
        "service": slos.service,
        "slo_file": slos.source,
        "slos": [_row_json(status, readings.get(status.slo)) for status in statuses],
    }


def _row_json(status: BudgetStatus, reading: SliReading | None) -> dict[str, Any]:
    data: dict[str, Any] = status.model_dump(mode="json")
    data["budget_left_percent"] = round(status.left_percent, 6)
    data["exhausted"] = status.exhausted
    data["sli_now"] = reading.model_dump(mode="json") if reading else None
    return data


def _sli_now(reading: SliReading | None) -> str:
    if reading is None or reading.good_ratio is None:
        return "n/a"
    text = f"{reading.good_ratio * 100:.3f}% good"
    if reading.percentile_ms is not None:
        text += f", {reading.percentile_label} {reading.percentile_ms:.0f} ms"
    if reading.bucket_ms is not None:
        text += f" in ({reading.bucket_ms[0]:g}, {reading.bucket_ms[1]:g}]"
    return text


def _table(
    slos: SloFile, statuses: list[BudgetStatus], readings: dict[str, SliReading]
) -> Table:
    table = Table(title=f"Error budgets of {slos.service}")
    for column in ("SLO", "objective", "window", "SLI now", "budget left"):
        table.add_column(column)
    for window in burn_windows():
        table.add_column(f"burn {duration_label(window)}", justify="right")
    for status in statuses:
        table.add_row(
            status.slo,
            f"{status.objective:g}%",
            status.window,
            _sli_now(readings.get(status.slo)),
            _left(status),
            *(_burn(rate) for rate in status.burn_rates.values()),
        )
    return table


def _left(status: BudgetStatus) -> str:
    text = f"{status.left_percent:.2f}%"
    return f"[bold red]{text}[/]" if status.exhausted else text


def _burn(rate: float) -> str:
    text = f"{rate:.2f}"
    return f"[red]{text}[/]" if rate > _SUSTAINABLE_BURN else text


def _slo_file(path: Path | None) -> SloFile:
    return load_slo_file(path) if path else default_slo_file()
