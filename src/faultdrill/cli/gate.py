"""``faultdrill gate``: may a deployment go out? An exit code and every reason."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import click

from faultdrill.budget.ledger import DB_ENV, BudgetLedger
from faultdrill.errors import InvalidInput
from faultdrill.exitcodes import ExitCode
from faultdrill.gate.check import check_deployment, gather
from faultdrill.gate.decision import GateDecision
from faultdrill.gate.host import DEFAULT_INTERVAL_S, sample_host
from faultdrill.gate.live import live_readings, prometheus_client
from faultdrill.gate.security import read_security
from faultdrill.gate.thresholds import GateThresholds, load_thresholds, with_options
from faultdrill.incidents.store import IncidentStore
from faultdrill.prometheus.client import URL_ENV
from faultdrill.slo.locust_stats import read_locust_stats
from faultdrill.slo.model import (
    SecuritySources,
    SloFile,
    default_slo_file,
    load_slo_file,
)
from faultdrill.slo.reading import SliReading

log = logging.getLogger(__name__)

_FILE = click.Path(path_type=Path, dir_okay=False)
# CLI option -> threshold field it overrides.
_OVERRIDES = {
    "min_budget_left": "min_budget_left_percent",
    "spike_burn_rate": "spike_burn_rate",
    "max_cpu": "max_cpu_percent",
    "max_memory": "max_memory_percent",
    "max_load": "max_load_per_core",
}


_DEFAULTS = GateThresholds()


def _thresholds_epilog() -> str:
    keys = "\n".join(
        f"  {info.alias or name}: {getattr(_DEFAULTS, name):g}"
        for name, info in GateThresholds.model_fields.items()
    )
    return f"\b\nKeys of a --thresholds file, with their defaults:\n{keys}"


@click.command(epilog=_thresholds_epilog())
@click.option("--slo-file", type=_FILE, help="SLO file [default: the shipped SLOs].")
@click.option(
    "--ledger", "ledger_path", type=_FILE, envvar=DB_ENV,
    help=f"Budget ledger (also {DB_ENV}) [default: FAULTDRILL_HOME/budget.sqlite].",
)  # fmt: skip
@click.option(
    "--thresholds", "thresholds_path", type=_FILE,
    help="YAML/JSON file of thresholds; its keys and defaults are listed below.",
)  # fmt: skip
@click.option(
    "--min-budget-left", type=float,
    help="Block at or below this % left "
    f"[default: {_DEFAULTS.min_budget_left_percent:g}].",
)  # fmt: skip
@click.option(
    "--spike-burn-rate", type=float,
    help=f"Burn rate that is a spike [default: {_DEFAULTS.spike_burn_rate:g}].",
)  # fmt: skip
@click.option(
    "--max-cpu", type=float,
    help=f"Block above this CPU % [default: {_DEFAULTS.max_cpu_percent:g}].",
)  # fmt: skip
@click.option(
    "--max-memory", type=float,
    help=f"Block above this memory % [default: {_DEFAULTS.max_memory_percent:g}].",
)  # fmt: skip
@click.option(
    "--max-load", type=float,
    help=f"Block above this load per core [default: {_DEFAULTS.max_load_per_core:g}].",
)  # fmt: skip
@click.option(
    "--host/--no-host", "check_host", default=True, show_default=True,
    help=f"Sample this host's saturation ({DEFAULT_INTERVAL_S:g} s).",
)  # fmt: skip
@click.option(
    "--prometheus", "prometheus_url", envvar=URL_ENV,
    help=f"Prometheus for SLOs with source prometheus (also {URL_ENV}).",
)  # fmt: skip
@click.option(
    "--fail2ban-log", type=_FILE,
    help="Fail2Ban log to count bans in [default: the SLO file's fail2ban-log].",
)  # fmt: skip
@click.option(
    "--load-stats", type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Locust's PREFIX_stats.csv of a load test, for SLOs with source "
    "load-generator.",
)  # fmt: skip
@click.option(
    "--load-duration", type=click.FloatRange(min=0, min_open=True),
    help="Seconds the load test behind --load-stats ran.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def gate(
    slo_file: Path | None,
    ledger_path: Path | None,
    thresholds_path: Path | None,
    check_host: bool,
    prometheus_url: str | None,
    fail2ban_log: Path | None,
    load_stats: Path | None,
    load_duration: float | None,
    as_json: bool,
    **overrides: float | None,
) -> None:
    """May a deployment go ahead? Exit 0 if so, 3 if blocked, with every reason.

    \b
    Blocks when an SLO's error budget is exhausted, an error rate spikes
    (fast burn over both 1 h and 5 m), a latency SLO is over its threshold,
    the host is saturated, an incident is open, or a security signal
    (failed logins, rate-limit rejections, Fail2Ban bans) is up.

    \b
    SLOs with source load-generator are judged from a load test's figures:
      faultdrill gate --slo-file slos.yaml \\
          --load-stats out_stats.csv --load-duration 60
    """
    slos = load_slo_file(slo_file) if slo_file else default_slo_file()
    thresholds = _thresholds(thresholds_path, overrides)
    windows = (thresholds.spike_long_window_s, thresholds.spike_short_window_s)
    client = prometheus_client(prometheus_url)
    readings = live_readings(slos.slos, windows, client)
    readings += _load_readings(slos, load_stats, load_duration)
    now = time.time()
    inputs = gather(
        slos.slos,
        BudgetLedger(ledger_path) if ledger_path else BudgetLedger.default(),
        now,
        incidents=IncidentStore.default(),
        readings=readings,
        host=sample_host if check_host else None,
        security=read_security(
            _security_sources(slos, fail2ban_log),
            client,
            thresholds.security_window_s,
            now,
        ),
    )
    decision = check_deployment(slos.slos, inputs, thresholds)
    _print(decision, as_json)
    sys.exit(ExitCode.HELD if decision.allowed else ExitCode.REFUSED)


def _load_readings(
    slos: SloFile, stats: Path | None, duration_s: float | None
) -> list[SliReading]:
    if stats is None and duration_s is None:
        return []
    if stats is None or duration_s is None:
        given, missing = (
            ("--load-stats", "--load-duration") if stats else
            ("--load-duration", "--load-stats")
        )  # fmt: skip
        raise InvalidInput.single(
            given, "", f"needs {missing} too: the stats file and how long the "
            "load test ran go together"
        )  # fmt: skip
    readings = read_locust_stats(stats, slos.slos, duration_s)
    if not readings:
        log.warning(
            "no SLO in the SLO file has source load-generator; %s is not used", stats
        )
    return readings


def _security_sources(
    slos: SloFile, fail2ban_log: Path | None
) -> SecuritySources | None:
    if fail2ban_log is None:
        return slos.security
    base = slos.security or SecuritySources()
    return base.model_copy(update={"fail2ban_log": fail2ban_log})


def _thresholds(
    path: Path | None, overrides: dict[str, float | None]
) -> GateThresholds:
    base = load_thresholds(path)
    given = {_OVERRIDES[k]: v for k, v in overrides.items() if v is not None}
    if not given:
        return base
    return with_options(base, given, "faultdrill gate")


def _print(decision: GateDecision, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(decision.as_json(), indent=2))
        return
    if decision.allowed:
        click.echo("gate: ALLOWED: " + _summary(decision.figures))
        return
    count = len(decision.reasons)
    click.echo(f"gate: BLOCKED ({count} reason{'s' if count > 1 else ''})")
    for reason in decision.reasons:
        click.echo(f"  - {reason}")


def _summary(figures: dict[str, Any]) -> str:
    budgets = figures.get("budgets", {})
    lowest = min((b["budget_left_percent"] for b in budgets.values()), default=100.0)
    return f"{len(budgets)} SLOs, lowest budget left {lowest:.2f}%; no reason to wait"
