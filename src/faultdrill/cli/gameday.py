"""``faultdrill gameday PLAN``: several experiments in order, resumable."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from faultdrill.cli.experiments import check_runnable
from faultdrill.errors import InvalidInput, Problem
from faultdrill.exitcodes import ExitCode
from faultdrill.experiment.loader import LoadedExperiment, load_experiment
from faultdrill.gameday.ci import allowlist_from, require_ci_targets
from faultdrill.gameday.launch import SubprocessLauncher
from faultdrill.gameday.plan import GameDayPlan, PlannedExperiment, load_plan
from faultdrill.gameday.runner import GameDay, GameDayResult, GateCheck
from faultdrill.gameday.summary import (
    render_summary_html,
    render_summary_markdown,
    summary_rows,
)
from faultdrill.gate import gate_experiment
from faultdrill.notify.webhook import WEBHOOK_ENV, check_webhook_url, notify_run
from faultdrill.report.html import render_html
from faultdrill.report.incident_now import with_current_incident
from faultdrill.report.junit import NotRun, write_junit_records
from faultdrill.report.markdown import render_markdown
from faultdrill.report.postmortem import needs_postmortem, render_postmortem
from faultdrill.report.record import RunRecord
from faultdrill.report.write import write_text
from faultdrill.runmetrics.metrics import push, write_textfile
from faultdrill.runner.outcome import Outcome
from faultdrill.runner.slos import hypothesis_slos, slo_file_for

log = logging.getLogger(__name__)


@click.command()
@click.argument(
    "plan_file", metavar="PLAN", type=click.Path(path_type=Path, dir_okay=False)
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Journals, reports and state [default: journals/gameday-<plan name>].",
)
@click.option("--fresh", is_flag=True, help="Start over instead of resuming.")
@click.option(
    "--junit",
    "junit_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the JUnit XML here (always in --out as junit.xml).",
)
@click.option(
    "--ci", is_flag=True, help="Refuse unless every target is in the staging allowlist."
)
@click.option(
    "--allow-target",
    "allow",
    multiple=True,
    metavar="HOST",
    help="A host, host:port or IP network CI may touch (repeatable; "
    "also FAULTDRILL_CI_ALLOWLIST).",
)
@click.option(
    "--webhook",
    envvar=WEBHOOK_ENV,
    metavar="URL",
    help="POST JSON here when an experiment aborts or opens an incident "
    f"(also {WEBHOOK_ENV}).",
)
@click.option(
    "--metrics-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write run metrics here for node_exporter's textfile collector (*.prom).",
)
@click.option(
    "--pushgateway", metavar="URL", help="Push run metrics to this Pushgateway."
)
@click.option(
    "--host-check/--no-host-check",
    envvar="FAULTDRILL_HOST_CHECK",
    default=True,
    show_default=True,
    help="Gate each experiment on this host's saturation too.",
)
def gameday(
    plan_file: Path,
    out_dir: Path | None,
    fresh: bool,
    junit_path: Path | None,
    ci: bool,
    allow: tuple[str, ...],
    webhook: str | None,
    metrics_file: Path | None,
    pushgateway: str | None,
    host_check: bool,
) -> None:
    """Run a game day: the plan's experiments in order.

    \b
    Each experiment runs as 'faultdrill run' in its own process. Between
    experiments the gate is checked; a SEV-1 incident (or any stop rule of
    the plan) ends the game day. Run the same command again to resume an
    interrupted game day: completed experiments are not run again.

    \b
    Writes into --out: one journal and report per experiment, a postmortem
    draft for each SEV-1/SEV-2, summary.md, summary.html and junit.xml.

    A step may declare the outcome it is meant to have ('expect: deviated'
    for a fault that should break an SLO); an outcome the plan expects
    counts as a success.

    Exit code: the worst outcome the plan did not expect (see faultdrill
    --help); 0 when every experiment ended as planned; 130 if interrupted.
    """
    plan = load_plan(plan_file)
    experiments = _check_every_step(plan)
    if webhook:
        check_webhook_url(webhook)
    if ci:
        require_ci_targets(experiments, allowlist_from(allow))
    directory = out_dir or Path("journals") / f"gameday-{plan.name}"
    day = GameDay(
        plan,
        directory,
        _launcher(ci, allow, host_check),
        gate_check=_gate_between(host_check),
        fresh=fresh,
    )
    code = _run(day, plan)
    result = day.result()
    _write_reports(result, directory, junit_path)
    if webhook:
        _notify(result, day.ran, webhook)
    _export_metrics(result, metrics_file, pushgateway)
    click.echo(f"game day summary: {directory / 'summary.html'}")
    sys.exit(code if code is not None else result.exit_code)


def _check_every_step(plan: GameDayPlan) -> list[LoadedExperiment]:
    """Every experiment of the plan, each valid, before the first one runs."""
    problems: list[Problem] = []
    loaded = []
    for step in plan.steps:
        try:
            experiment = load_experiment(step.path)
            check_runnable(experiment)
        except InvalidInput as exc:
            problems += exc.problems
            continue
        loaded.append(experiment)
    if problems:
        raise InvalidInput(problems)
    return loaded


def _launcher(ci: bool, allow: tuple[str, ...], host_check: bool) -> SubprocessLauncher:
    extra = [] if host_check else ["--no-host-check"]
    if ci:
        extra += ["--ci", *(f"--allow-target={target}" for target in allow)]
    return SubprocessLauncher(extra)


def _gate_between(host_check: bool) -> GateCheck:
    """Before each experiment: the same gate its run applies, asked early."""

    def check(step: PlannedExperiment) -> list[str]:
        loaded = load_experiment(step.path)
        decision = gate_experiment(
            loaded.model,
            hypothesis_slos(loaded, None),
            slo_file=slo_file_for(loaded, None),
            check_host=host_check,
        )
        return decision.messages

    return check


def _run(day: GameDay, plan: GameDayPlan) -> int | None:
    try:
        # faultdrill.cli.main turns SIGTERM into KeyboardInterrupt, as Ctrl-C.
        day.run()
    except KeyboardInterrupt:
        click.echo(
            f"game day {plan.name} interrupted; run the same command to resume",
            err=True,
        )
        return ExitCode.INTERRUPTED
    return None


def _export_metrics(
    result: GameDayResult, path: Path | None, gateway: str | None
) -> None:
    if path is not None:
        write_textfile(result.records, path)
    if gateway:
        push(result.records, gateway)


def _notify(result: GameDayResult, ran: list[str], url: str) -> None:
    for record in result.records:
        if Path(record.source).name in ran:
            notify_run(record, url)


def _write_reports(result: GameDayResult, directory: Path, junit: Path | None) -> None:
    by_journal = {Path(r.source).name: r for r in result.records}
    for name, record in by_journal.items():
        _experiment_reports(directory / name, record)
    rows = summary_rows(result.state, by_journal, directory)
    code = int(result.exit_code)
    write_text(
        directory / "summary.md", render_summary_markdown(result.state, rows, code)
    )
    write_text(
        directory / "summary.html", render_summary_html(result.state, rows, code)
    )
    not_run = [
        NotRun(step.file, step.note or step.status.value)
        for step in result.state.steps
        if not step.outcome
    ]
    expected = {
        by_journal[step.journal].source: [Outcome(value) for value in step.expect]
        for step in result.state.steps
        if step.journal in by_journal
    }
    for path in filter(None, (directory / "junit.xml", junit)):
        write_junit_records(result.records, path, not_run, expected=expected)


def _experiment_reports(journal: Path, record: RunRecord) -> None:
    record = with_current_incident(record)
    postmortem = None
    if needs_postmortem(record):
        postmortem = journal.with_name(f"{journal.stem}-postmortem.md")
        write_text(postmortem, render_postmortem(record))
    link = postmortem.name if postmortem else None
    write_text(journal.with_suffix(".html"), render_html(record, link))
    write_text(journal.with_suffix(".md"), render_markdown(record, link))
