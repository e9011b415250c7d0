"""``faultdrill validate``, ``run`` and ``recover``."""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

import click

from faultdrill.errors import InvalidInput, Problem, TargetUnavailable
from faultdrill.exitcodes import ExitCode, for_outcome
from faultdrill.experiment.arguments import resolved_argument_problems
from faultdrill.experiment.blast import violations
from faultdrill.experiment.loader import LoadedExperiment, load_experiment
from faultdrill.faults.ledger import FaultLedger
from faultdrill.faults.revert import revert_pending
from faultdrill.gameday.ci import ALLOWLIST_ENV, require_ci_targets
from faultdrill.notify.webhook import check_webhook_url, notify_run
from faultdrill.report.junit import write_junit_records
from faultdrill.report.record import parse_journal
from faultdrill.runner.chaostoolkit import ChaosToolkit, check_with_chaostoolkit
from faultdrill.runner.console import RunConsole
from faultdrill.runner.lifecycle import ExperimentRun, RunOptions
from faultdrill.runner.signals import shielded
from faultdrill.runner.slos import hypothesis_slos
from faultdrill.runner.targets import base_url
from faultdrill.stress.recovery import Outcome as StressOutcome
from faultdrill.stress.recovery import kill_recorded_stressors

_FILES = click.Path(path_type=Path, dir_okay=False)


@click.command()
@click.argument("files", nargs=-1, required=True, type=_FILES)
@click.option(
    "--chaostoolkit/--no-chaostoolkit",
    default=True,
    show_default=True,
    help="Also run Chaos Toolkit's own checks (imports every provider module).",
)
def validate(files: tuple[Path, ...], chaostoolkit: bool) -> None:
    """Check experiment files; nothing runs.

    Every problem is listed with its file, field path and what would be
    valid. Exit code 0 when all files are valid, 2 otherwise.
    """
    problems: list[Problem] = []
    for path in files:
        try:
            loaded = load_experiment(path)
            check_runnable(loaded)
            if chaostoolkit:
                check_with_chaostoolkit(loaded.document, str(path))
        except InvalidInput as exc:
            problems.extend(exc.problems)
            continue
        click.echo(f"{path}: valid")
        if not loaded.model.runbook:
            click.echo(
                f"{path}: runbook: warning: none declared; add a 'runbook' URL "
                "so reports link the procedure this experiment exercises",
                err=True,
            )
    if problems:
        raise InvalidInput(problems)


@click.command()
@click.argument("file", type=_FILES)
@click.option(
    "--journal",
    "journal_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Where to write the journal [default: journals/<file>-<UTC time>.json].",
)
@click.option(
    "--toxiproxy-url",
    # TOXIPROXY_URL is read by the run itself, so the log can tell them apart.
    help="A Toxiproxy API to use (also TOXIPROXY_URL). Unset: the running "
    "sandbox's proxy, else an embedded server started for this run.",
)
@click.option(
    "--junit",
    "junit_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write a JUnit XML file: a test case per SLO and phase.",
)
@click.option(
    "--slo-file",
    type=_FILES,
    help="SLO definitions to use instead of slo.file or the shipped ones.",
)
@click.option(
    "--prometheus",
    "prometheus_url",
    envvar="FAULTDRILL_PROMETHEUS_URL",
    metavar="URL",
    help="Prometheus for the gate's live SLIs of source: prometheus SLOs.",
)
@click.option(
    "--environment",
    envvar="FAULTDRILL_ENVIRONMENT",
    help="This environment's name, checked against gate.environments.",
)
@click.option(
    "--host-check/--no-host-check",
    envvar="FAULTDRILL_HOST_CHECK",
    default=True,
    show_default=True,
    help="Refuse to start when this host is saturated (CPU, memory, load).",
)
@click.option(
    "--ci",
    is_flag=True,
    help="CI mode: refuse (exit 3) any target outside the staging allowlist.",
)
@click.option(
    "--allow-target",
    "allow_targets",
    multiple=True,
    metavar="HOST|HOST:PORT|CIDR",
    help=f"An allowed target in CI mode (repeatable; also {ALLOWLIST_ENV}).",
)
@click.option(
    "--webhook",
    envvar="FAULTDRILL_WEBHOOK_URL",
    metavar="URL",
    help="POST a JSON notice here when a run aborts or opens an incident.",
)
def run(
    file: Path,
    journal_path: Path | None,
    junit_path: Path | None,
    toxiproxy_url: str | None,
    slo_file: Path | None,
    prometheus_url: str | None,
    environment: str | None,
    host_check: bool,
    ci: bool,
    allow_targets: tuple[str, ...],
    webhook: str | None,
) -> None:
    """Run one experiment through its whole lifecycle.

    \b
    1. refuse if faults of an earlier run are still applied
    2. measure the hypothesis SLOs before: inject nothing unless they hold
    3. apply the method while measuring
    4. roll back, always (also on failure, Ctrl-C and SIGTERM)
    5. measure again after a recovery grace period
    6. print a verdict per SLO and phase, write the journal

    Exit code: 0 held, 1 deviated, 2 invalid input, 3 refused, 4 aborted,
    5 inconclusive, 6 a fault not reverted (run recover), 130 interrupted
    (see faultdrill --help).
    """
    loaded = load_experiment(file)
    if ci:
        require_ci_targets([loaded], _allowlist(allow_targets), toxiproxy_url)
    if webhook:
        check_webhook_url(webhook)
    journal_path = journal_path or _default_journal(file)
    _check_output(journal_path, "--journal", file)
    if junit_path is not None:
        _check_output(junit_path, "--junit", file)
    console = RunConsole()
    options = RunOptions(
        journal_path,
        toxiproxy_url,
        slo_file,
        prometheus_url=prometheus_url,
        environment=environment,
        host_check=host_check,
    )
    experiment_run = ExperimentRun(loaded, options, console)
    result = experiment_run.execute()
    code = for_outcome(result.outcome)
    # The run is over and its faults are out: signals now only cost records.
    with shielded():
        experiment_run.journal.write(journal_path, int(code))
        record = parse_journal(
            experiment_run.journal.as_json(int(code)), str(journal_path)
        )
        if junit_path is not None:
            write_junit_records([record], junit_path)
        if webhook:
            notify_run(record, webhook)
        console.summary(result.outcome, result.reason, _table(experiment_run))
        console.note(f"journal: {journal_path}")
    sys.exit(code)


@click.command()
@click.option(
    "--force",
    is_flag=True,
    help="Also revert faults of runs that are still going (they will notice).",
)
@click.option(
    "--forget",
    "forget_ids",
    multiple=True,
    metavar="FAULT_ID",
    help="Cross a fault off without reverting it, when its proxy server is "
    "gone for good (and the fault with it). Repeatable.",
)
def recover(force: bool, forget_ids: tuple[str, ...]) -> None:
    """Revert every fault left behind by a crashed or killed run.

    Reads the fault ledger under FAULTDRILL_HOME, reverts what it lists as
    still applied by runs that are gone, and kills their leftover stress
    processes. Faults of runs still going are left to them unless --force.
    Idempotent: safe to run at any time.
    """
    ledger = FaultLedger.default()
    for fault_id in forget_ids:
        forgotten = ledger.forget(fault_id, "faultdrill recover --forget")
        if forgotten is None:
            raise InvalidInput.single(
                "faultdrill recover",
                "--forget",
                f"no pending fault has id {fault_id!r}",
            )
        click.echo(f"{forgotten.description}: forgotten, not reverted")
    reverted = revert_pending(ledger, orphans_only=not force)
    failed = [outcome for _, outcome in reverted if outcome.startswith("failed")]
    for record, outcome in reverted:
        click.echo(f"{record.id} {record.description}: {outcome}")
    stressors = [
        r
        for r in kill_recorded_stressors(force=force)
        if r.outcome is not StressOutcome.GONE
    ]
    for stressor in stressors:
        click.echo(
            f"{stressor.kind.value} stressor {stressor.stressor_id} "
            f"(process group {stressor.pgid}): {stressor.outcome.value}"
        )
    live = [] if force else [f for f in ledger.pending() if f.owner_alive()]
    if live:
        click.echo(f"{len(live)} fault(s) belong to runs still going; left to them")
    if failed or any(s.outcome is StressOutcome.SURVIVED for s in stressors):
        raise TargetUnavailable(
            "some faults could not be reverted (see above); fix what stops them, "
            "or 'faultdrill recover --forget FAULT_ID' if their server is gone"
        )
    if not reverted and not stressors and not forget_ids:
        click.echo("nothing to recover: no fault or stressor is recorded as applied")


def check_runnable(loaded: LoadedExperiment) -> None:
    """What run would refuse about the file itself: SLO names, blast radius.

    Every check runs, so one mistake does not hide the next.
    """
    problems: list[Problem] = []
    source = str(loaded.path)
    try:
        hypothesis_slos(loaded, None)
    except InvalidInput as exc:
        problems += exc.problems
    toolkit = ChaosToolkit(loaded.document, source)
    try:
        base_url(
            toolkit.substitute(loaded.model.slo.base_url),
            toolkit.configuration,
            source,
        )
    except InvalidInput as exc:
        problems += exc.problems
    problems += resolved_argument_problems(toolkit, source)
    reasons = violations(
        toolkit.resolved_radius(loaded.model.blast_radius),
        toolkit.resolved_steps("method"),
        toolkit.resolved_steps("rollbacks"),
        toolkit.resolved_probes(),
    )
    problems += [Problem(source, "blast-radius", r) for r in reasons]
    if problems:
        raise InvalidInput(problems)


def _allowlist(given: tuple[str, ...]) -> list[str]:
    from_env = os.environ.get(ALLOWLIST_ENV, "")
    return [*given, *(t.strip() for t in from_env.split(",") if t.strip())]


def _default_journal(file: Path) -> Path:
    # A random suffix: two runs started in the same second keep both journals.
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return Path("journals") / f"{file.stem}-{stamp}-{uuid.uuid4().hex[:6]}.json"


def _check_output(path: Path, option: str, experiment: Path) -> None:
    """Before anything is injected: can the run's records be written there?"""
    problem = None
    if path.resolve() == experiment.resolve():
        problem = "is the experiment file itself; give another path"
    elif path.is_dir():
        problem = "is a directory; give a file path"
    else:
        parent = next((p for p in path.parents if p.exists()), None)
        if parent is not None and not parent.is_dir():
            problem = f"cannot be created: {parent} is not a directory"
        elif parent is not None and not os.access(parent, os.W_OK):
            problem = f"cannot be created: {parent} is not writable"
    if problem:
        raise InvalidInput.single(option, str(path), problem)


def _table(experiment_run: ExperimentRun) -> list[dict[str, str]]:
    rows = []
    for phase, verdicts in experiment_run.verdicts.items():
        for verdict in verdicts:
            rows.append(
                {
                    "phase": phase.value,
                    "slo": str(verdict["slo"]),
                    "status": str(verdict["status"]),
                    "summary": str(verdict.get("summary", "")),
                }
            )
    return rows


__all__ = ["ExitCode", "recover", "run", "validate"]
