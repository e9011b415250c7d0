"""The metrics of finished runs, as a Prometheus registry.

Batch jobs do not live long enough to be scraped, so Prometheus documents
two ways in: node_exporter's textfile collector (a ``*.prom`` file written
atomically into its directory) and the Pushgateway. Both take the same
registry, built here from run records, one series per experiment:

    faultdrill_run_outcome{experiment, outcome}         1 for the latest outcome
    faultdrill_run_exit_code{experiment}
    faultdrill_run_duration_seconds{experiment}
    faultdrill_run_last_end_timestamp_seconds{experiment}
    faultdrill_run_budget_spent_ratio{experiment, slo}  share of the window's budget
    faultdrill_run_burn_rate{experiment, slo}           during the fault window

Every outcome gets a series (0 or 1), so an alert can match
``faultdrill_run_outcome{outcome="aborted"} == 1`` without absent() tricks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Gauge,
    push_to_gateway,
    write_to_textfile,
)

from faultdrill.report.record import RunRecord
from faultdrill.report.spend import spend_rows
from faultdrill.runner.outcome import Outcome

log = logging.getLogger(__name__)

PUSH_JOB = "faultdrill"
# A Pushgateway answers at once; 10 s bounds a hang (prometheus_client's
# default is 30 s, long for the end of a CI job).
PUSH_TIMEOUT_S = 10.0


def experiment_label(record: RunRecord) -> str:
    """The experiment file's stem: stable across runs, short, label-safe."""
    return Path(record.experiment_file).stem or record.title


def registry_for(records: Sequence[RunRecord]) -> CollectorRegistry:
    registry = CollectorRegistry()
    gauges = _gauges(registry)
    for record in records:
        _record(gauges, record)
    return registry


def _gauges(registry: CollectorRegistry) -> dict[str, Gauge]:
    def gauge(name: str, doc: str, *labels: str) -> Gauge:
        return Gauge(name, doc, ["experiment", *labels], registry=registry)

    return {
        "outcome": gauge(
            "faultdrill_run_outcome", "1 for the outcome of the latest run", "outcome"
        ),
        "exit": gauge("faultdrill_run_exit_code", "Exit code of the latest run"),
        "duration": gauge(
            "faultdrill_run_duration_seconds", "How long the latest run took"
        ),
        "end": gauge(
            "faultdrill_run_last_end_timestamp_seconds",
            "When the latest run ended, epoch seconds",
        ),
        "spent": gauge(
            "faultdrill_run_budget_spent_ratio",
            "Share of the SLO window's error budget the latest run spent",
            "slo",
        ),
        "burn": gauge(
            "faultdrill_run_burn_rate",
            "Error-budget burn rate during the latest run's fault window",
            "slo",
        ),
    }


def _record(gauges: dict[str, Gauge], record: RunRecord) -> None:
    name = experiment_label(record)
    for outcome in Outcome:
        value = 1.0 if outcome is record.outcome else 0.0
        gauges["outcome"].labels(name, outcome.value).set(value)
    gauges["exit"].labels(name).set(record.exit_code)
    gauges["duration"].labels(name).set(record.duration)
    gauges["end"].labels(name).set(record.end.timestamp())
    for row in spend_rows(record):
        gauges["spent"].labels(name, row.slo).set(row.budget_spent_percent / 100.0)
        gauges["burn"].labels(name, row.slo).set(row.burn_rate)


def write_textfile(records: Sequence[RunRecord], path: Path) -> None:
    """Write the ``.prom`` file for node_exporter's textfile collector, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_to_textfile(str(path), registry_for(records))
    log.info("run metrics written to %s", path)


def push(records: Sequence[RunRecord], gateway: str) -> None:
    """Push to a Pushgateway, one group per experiment (replacing its last push)."""
    for record in records:
        push_to_gateway(
            gateway,
            job=PUSH_JOB,
            registry=registry_for([record]),
            grouping_key={"experiment": experiment_label(record)},
            timeout=PUSH_TIMEOUT_S,
        )
    log.info("run metrics of %d run(s) pushed to %s", len(records), gateway)
