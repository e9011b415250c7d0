"""``faultdrill incident open|update|close|list|show``."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from faultdrill.budget.ledger import DB_ENV, BudgetLedger
from faultdrill.incidents.manage import (
    Change,
    charge_budget,
    check_impacts,
    close_incident,
    open_incident,
    update_incident,
)
from faultdrill.incidents.model import ActionItem, Incident, Severity, SloImpact
from faultdrill.incidents.store import IncidentStore
from faultdrill.slo.model import SloFile, default_slo_file, load_slo_file

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
_FILE = click.Path(path_type=Path, dir_okay=False)


class _SeverityType(click.ParamType[Severity]):
    name = "SEV-N"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Severity:
        if isinstance(value, Severity):
            return value
        try:
            return Severity.parse(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


class _Text(click.ParamType[str]):
    """Text that can be stored: UTF-8, and not blank where it must say something."""

    name = "TEXT"

    def __init__(self, blank_ok: bool = True) -> None:
        self.blank_ok = blank_ok

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        text = str(value)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            # Arguments that are not UTF-8 arrive as lone surrogates (PEP 383).
            self.fail(
                f"{text.encode('utf-8', 'surrogateescape')!r} is not UTF-8 text; "
                "give it in UTF-8",
                param,
                ctx,
            )
        if not self.blank_ok and not text.strip():
            self.fail("is empty; say it in a few words", param, ctx)
        return text


_TEXT = _Text()
_WORDS = _Text(blank_ok=False)


class _ImpactType(click.ParamType[SloImpact]):
    name = "SLO=BAD"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> SloImpact:
        if isinstance(value, SloImpact):
            return value
        name, _, ratio = str(value).partition("=")
        try:
            number = float(ratio.rstrip("%")) / (100 if ratio.endswith("%") else 1)
            return SloImpact(slo=name.strip(), bad_ratio=number)
        except ValueError:
            self.fail(
                f"{value!r}: write SLO=RATIO, like api-5xx-ratio=0.05 or "
                "api-5xx-ratio=5%",
                param,
                ctx,
            )


def _budget_options(function: F) -> F:
    function = click.option(
        "--slo-file", type=_FILE, help="SLO file [default: the shipped SLOs]."
    )(function)
    return click.option(
        "--ledger",
        "ledger_path",
        type=_FILE,
        envvar=DB_ENV,
        help=f"Budget ledger the incident is charged to (also {DB_ENV}).",
    )(function)


def _change_options(function: F) -> F:
    options = [
        click.option(
            "--note", type=_WORDS, help="A timeline entry: what happened or was done."
        ),
        click.option("--summary", type=_TEXT, help="Replace the summary."),
        click.option("--root-cause", type=_WORDS, help="Why it happened."),
        click.option(
            "--remediation",
            type=_WORDS,
            multiple=True,
            help="What was done to fix it (repeat).",
        ),
        click.option(
            "--preventive",
            type=_WORDS,
            multiple=True,
            help="An action to prevent it (repeat).",
        ),
        click.option(
            "--owner", type=_WORDS, help="Who owns the --preventive actions given."
        ),
        click.option(
            "--impact",
            "impacts",
            type=_ImpactType(),
            multiple=True,
            help="SLO hit and its share of bad events, e.g. api-5xx-ratio=5% (repeat).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.group()
def incident() -> None:
    """Incidents: SEV-1 to SEV-4, timeline, root cause and actions.

    \b
    SEV-1  complete outage or authentication broken
    SEV-2  major degradation
    SEV-3  minor or partial degradation
    SEV-4  cosmetic
    An open incident blocks `faultdrill gate` and experiments. An incident
    with --impact spends the SLO's error budget until it is closed.
    """


@incident.command("open")
@click.option("--title", type=_WORDS, required=True, help="What is wrong, in one line.")
@click.option("--sev", "severity", type=_SeverityType(), required=True)
@click.option("--summary", type=_TEXT, default="", help="What users see.")
@click.option("--runbook", type=_WORDS, help="The runbook being followed.")
@click.option(
    "--impact",
    "impacts",
    type=_ImpactType(),
    multiple=True,
    help="SLO hit and its share of bad events, e.g. api-5xx-ratio=5% (repeat).",
)
@_budget_options
def open_command(
    title: str,
    severity: Severity,
    summary: str,
    runbook: str | None,
    impacts: tuple[SloImpact, ...],
    slo_file: Path | None,
    ledger_path: Path | None,
) -> None:
    """Open an incident; prints its id."""
    slos = _slos(slo_file)
    check_impacts(impacts, slos)
    ledger = _ledger(ledger_path)
    now = time.time()
    opened = open_incident(
        IncidentStore.default(), title, severity, now, impacts, summary, runbook
    )
    charge_budget(opened, slos, ledger, now)
    click.echo(opened.id)


@incident.command()
@click.argument("incident_id", metavar="ID")
@click.option("--sev", "severity", type=_SeverityType(), help="A new severity.")
@_change_options
@_budget_options
def update(incident_id: str, slo_file: Path | None, ledger_path: Path | None,
           **options: Any) -> None:  # fmt: skip
    """Add to an open or closed incident: notes, cause, actions, impacts."""
    _change(incident_id, update_incident, slo_file, ledger_path, options)


@incident.command()
@click.argument("incident_id", metavar="ID")
@_change_options
@_budget_options
def close(incident_id: str, slo_file: Path | None, ledger_path: Path | None,
          **options: Any) -> None:  # fmt: skip
    """Close an incident; its budget spend stops at this moment."""
    _change(incident_id, close_incident, slo_file, ledger_path, options)


@incident.command("list")
@click.option("--all", "show_all", is_flag=True, help="Closed ones too.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_command(show_all: bool, as_json: bool) -> None:
    """Open incidents (all with --all), oldest first."""
    store = IncidentStore.default()
    store.check_directory()
    scan = store.scan()
    for problem in scan.problems:
        log.warning("not listed: %s", problem)
    incidents = list(scan.incidents) if show_all else scan.open_incidents
    if as_json:
        click.echo(json.dumps([i.model_dump(mode="json") for i in incidents], indent=2))
        return
    if not incidents:
        click.echo("no incidents" if show_all else "no open incidents")
        return
    Console(highlight=False).print(_table(incidents))


@incident.command()
@click.argument("incident_id", metavar="ID")
def show(incident_id: str) -> None:
    """One incident, in full, as JSON."""
    found = IncidentStore.default().get(incident_id)
    click.echo(found.model_dump_json(indent=2))


def _change(
    incident_id: str,
    action: Callable[[IncidentStore, str, Change, float], Incident],
    slo_file: Path | None,
    ledger_path: Path | None,
    options: dict[str, Any],
) -> None:
    slos = _slos(slo_file)
    change = _change_from(options)
    check_impacts(change.impacts, slos)
    ledger = _ledger(ledger_path)
    now = time.time()
    changed = action(IncidentStore.default(), incident_id, change, now)
    charge_budget(changed, slos, ledger, now)
    click.echo(f"{changed.id}: {changed.status} {changed.severity} {changed.title}")


def _change_from(options: dict[str, Any]) -> Change:
    owner = options.get("owner")
    return Change(
        severity=options.get("severity"),
        note=options.get("note"),
        summary=options.get("summary"),
        root_cause=options.get("root_cause"),
        remediation=tuple(options.get("remediation") or ()),
        preventive=tuple(
            ActionItem(what=what, owner=owner) for what in options["preventive"] or ()
        ),
        impacts=tuple(options.get("impacts") or ()),
    )


def _table(incidents: list[Incident]) -> Table:
    table = Table(title="Incidents")
    for column in ("id", "severity", "status", "opened (UTC)", "SLOs", "title"):
        table.add_column(column)
    for item in incidents:
        table.add_row(
            item.id,
            item.severity.value,
            item.status.value,
            item.opened_at.strftime("%Y-%m-%d %H:%M"),
            ", ".join(item.slos) or "-",
            item.title,
        )
    return table


def _slos(path: Path | None) -> SloFile:
    return load_slo_file(path) if path else default_slo_file()


def _ledger(path: Path | None) -> BudgetLedger:
    """The ledger to charge, checked before the incident changes."""
    ledger = BudgetLedger(path) if path else BudgetLedger.default()
    ledger.check_directory()
    return ledger
