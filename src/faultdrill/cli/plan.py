"""``faultdrill plan``: what a run would touch, and whether it would start."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import yaml
from rich.console import Console
from rich.table import Table

from faultdrill.exitcodes import ExitCode
from faultdrill.experiment.loader import load_experiment
from faultdrill.runner.console import PIPED_WIDTH
from faultdrill.runner.plan import Plan, build_plan


@click.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option(
    "--slo-file", type=click.Path(path_type=Path, dir_okay=False),
    help="SLO definitions to use instead of slo.file or the shipped ones.",
)  # fmt: skip
@click.option(
    "--toxiproxy-url", envvar="TOXIPROXY_URL",
    help="The Toxiproxy API run would use (also TOXIPROXY_URL).",
)  # fmt: skip
@click.option(
    "--environment", envvar="FAULTDRILL_ENVIRONMENT",
    help="This environment's name (also FAULTDRILL_ENVIRONMENT), checked "
    "against gate.environments.",
)  # fmt: skip
@click.option(
    "--host-check/--no-host-check",
    envvar="FAULTDRILL_HOST_CHECK",
    default=True,
    show_default=True,
    help="Include this host's saturation in the gate, as run does.",
)
def plan(
    file: Path,
    as_json: bool,
    slo_file: Path | None,
    toxiproxy_url: str | None,
    environment: str | None,
    host_check: bool,
) -> None:
    """Show what a run of FILE would do; inject nothing.

    Lists the SLOs of the hypothesis and the phases that measure them, every
    fault with its target and intensity, the rollbacks, the blast radius,
    the guard and the gate, and every reason the run would be refused.
    Works without a reachable target (no proxy or cluster needed).

    Exit code 0 when the run could start, 3 when it would be refused.
    """
    planned = build_plan(
        load_experiment(file),
        slo_file,
        toxiproxy_url,
        host_check=host_check,
        environment=environment,
    )
    if as_json:
        click.echo(planned.model_dump_json(indent=2))
    else:
        console = Console(highlight=False)
        if not console.is_terminal:
            console.width = max(console.width, PIPED_WIDTH)
        _show(planned, console)
    sys.exit(ExitCode.HELD if planned.allowed else ExitCode.REFUSED)


def _indented(section: dict[str, Any]) -> str:
    text = yaml.safe_dump(section, sort_keys=False, default_flow_style=False)
    return "\n".join(f"  {line}" for line in text.rstrip().splitlines())


def _show(planned: Plan, console: Console) -> None:
    console.rule(f"[bold]{planned.title}[/]  ({planned.file})")
    console.print(
        f"service measured: {planned.base_url} at {planned.probe_rate:g} requests/s"
    )
    console.print(f"fault proxy: {planned.toxiproxy}")
    slos = Table(title="hypothesis")
    for column in ("SLO", "objective", "SLI", "request"):
        slos.add_column(column)
    for slo in planned.hypothesis:
        slos.add_row(slo.name, f"{slo.objective:g}%", slo.sli, slo.request)
    console.print(slos)
    phases = ", ".join(
        f"{name} {seconds:g} s" for name, seconds in planned.phases.items()
    )
    console.print(f"phases: {phases}")
    console.print("faults:")
    for fault in planned.faults or []:
        console.print(f"  - {fault.description}")
    if not planned.faults:
        console.print("  (none recognised; see the method below)")
    console.print(f"method: {'; '.join(planned.method) or '(empty)'}")
    console.print(f"rollbacks: {'; '.join(planned.rollbacks) or '(none)'}")
    for title, section in (
        ("blast radius", planned.blast_radius),
        ("guard", planned.guard),
        ("gate", planned.gate),
    ):
        console.print(f"{title}:")
        console.print(_indented(section), markup=False)
    if planned.refusals:
        console.print("[bold red]the run would be refused:[/]")
        for reason in planned.refusals:
            console.print(f"  - {reason}")
    else:
        console.print("[green]the run could start[/]")
