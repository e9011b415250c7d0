"""The SLO commands: ``budget``, ``gate``, ``incident`` and ``slo rules``."""

from __future__ import annotations

from pathlib import Path

import click

from faultdrill.cli.budget import budget
from faultdrill.cli.gate import gate
from faultdrill.cli.incident import incident
from faultdrill.prometheus.rules import rules_yaml, skipped
from faultdrill.report.write import check_writable, write_text
from faultdrill.slo.model import default_slo_file, load_slo_file
from faultdrill.slo.openslo import import_openslo, slo_file_yaml

_FILE = click.Path(path_type=Path, dir_okay=False)


@click.group()
def slo() -> None:
    """SLO files: export them as Prometheus rules, import OpenSLO."""


@slo.command()
@click.option("--slo-file", type=_FILE, help="SLO file [default: the shipped SLOs].")
@click.option(
    "-o", "--output", type=_FILE, help="Write the rule file here [default: stdout]."
)
def rules(slo_file: Path | None, output: Path | None) -> None:
    """Prometheus recording rules and multiwindow burn-rate alerts.

    \b
    One recording rule per SLO and window (5m, 30m, 1h, 6h, 3d):
      slo:sli_error:ratio_rate<window>{service, slo}
    One alert per SLO and row of the SRE Workbook's table (page 14.4x over
    1h and 5m, page 6x over 6h and 30m, ticket 1x over 3d and 6h).
    Only SLOs with source: prometheus have queries to export; `promtool
    check rules FILE` accepts the result.
    """
    if output is not None:
        check_writable(output, "--output")
    slos = load_slo_file(slo_file) if slo_file else default_slo_file()
    left_out = skipped(slos)
    if left_out:
        click.echo(
            f"no PromQL for {', '.join(left_out)} (source is not prometheus); "
            "left out of the rules",
            err=True,
        )
    text = rules_yaml(slos)
    if output is None:
        click.echo(text, nl=False)
        return
    write_text(output, text, "--output")
    click.echo(f"wrote {output}", err=True)


@slo.command("import")
@click.argument("files", nargs=-1, required=True, type=_FILE)
@click.option(
    "-o", "--output", type=_FILE, help="Write the SLO file here [default: stdout]."
)
def import_command(files: tuple[Path, ...], output: Path | None) -> None:
    """Turn OpenSLO v1 SLO and SLI documents into a faultdrill SLO file.

    
    Reads every document of every file (multi-document YAML too); an SLO's
    indicatorRef may name an SLI in any of them. Ratio SLIs from Prometheus
    with Occurrences budgeting import; anything else is listed with its
    file, document and field, and nothing is written.
    """
    if output is not None:
        check_writable(output, "--output")
    text = slo_file_yaml(import_openslo(list(files)))
    if output is None:
        click.echo(text, nl=False)
        return
    write_text(output, text, "--output")
    click.echo(f"wrote {output}", err=True)


SLO_COMMANDS = (budget, gate, incident, slo)
