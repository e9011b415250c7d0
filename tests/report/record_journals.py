"""Record the fixture journals in tests/report/journals/ from real runs.

    python tests/report/record_journals.py

Runs short variants of the shipped experiments against a sandbox on
loopback, one per outcome (held, deviated, aborted, refused, inconclusive),
in this process, so that the probe samples can be added to each journal as
the ``faultdrill.series`` key. A fixed incident record replaces the one the
deviated run opened, so the fixtures do not change with the severity it
drew, and an interrupted journal is derived from the held one
(tests/e2e checks that reports read the runner's own incident record). Takes about a minute.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from faultdrill.exitcodes import for_outcome
from faultdrill.experiment.loader import load_experiment
from faultdrill.report.series import series_from_samples
from faultdrill.runner.console import RunConsole
from faultdrill.runner.lifecycle import ExperimentRun, RunOptions
from faultdrill.sandbox.control import running_sandbox

REPO = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "journals"

Change = Callable[[dict[str, Any]], None]


def _short(document: dict[str, Any]) -> None:
    document["slo"].update({"before": "4s", "after": "4s", "recovery-within": "1s"})
    document["method"][0]["pauses"] = {"after": 5}


def _failing_action(document: dict[str, Any]) -> None:
    _short(document)
    document["method"].append(
        {
            "type": "action",
            "name": "break-on-purpose",
            "provider": {
                "type": "python",
                "module": "chaosfaultdrill.network",
                "func": "add_toxic",
                "arguments": {"proxy": "catalog", "toxic_type": "no-such-toxic"},
            },
        }
    )


def _over_blast_radius(document: dict[str, Any]) -> None:
    _short(document)
    document["blast-radius"]["max-intensity"]["latency-ms"] = 50


def _too_few_samples(document: dict[str, Any]) -> None:
    _short(document)
    document["slo"]["probe-rate"] = 2


CASES: dict[str, tuple[str, Change]] = {
    "held": ("api-latency-absorbed.yaml", _short),
    "deviated": ("api-latency-breaks-p95.yaml", _short),
    "aborted": ("api-latency-absorbed.yaml", _failing_action),
    "refused": ("api-latency-absorbed.yaml", _over_blast_radius),
    "inconclusive": ("api-latency-absorbed.yaml", _too_few_samples),
}


def record(name: str, source: str, change: Change, workdir: Path) -> dict[str, Any]:
    document = yaml.safe_load((REPO / "experiments" / source).read_text())
    change(document)
    path = workdir / f"{name}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    loaded = load_experiment(path)
    run = ExperimentRun(loaded, RunOptions(workdir / f"{name}.json"), RunConsole())
    result = run.execute()
    journal = run.journal.as_json(int(for_outcome(result.outcome)))
    journal["faultdrill"]["experiment_file"] = f"experiments/{source}"
    prober = getattr(run, "prober", None)
    if prober is not None:
        series = series_from_samples(run.slos, prober.samples(), run.journal.start)
        journal["faultdrill"]["series"] = series.model_dump(mode="json")
    return journal


def with_incident(journal: dict[str, Any]) -> dict[str, Any]:
    journal = copy.deepcopy(journal)
    journal["faultdrill"]["incident"] = {
        "id": "INC-0001",
        "severity": "SEV-2",
        "title": "API p95 latency over 500 ms while the catalog was slowed",
        "opened_at": journal["faultdrill"]["phases"]["during"]["start"],
        "slos": ["api-latency-p95"],
    }
    return journal


def interrupted_from(held: dict[str, Any]) -> dict[str, Any]:
    journal = copy.deepcopy(held)
    journal["status"] = "interrupted"
    fd = journal["faultdrill"]
    fd.update(outcome="interrupted", exit_code=130)
    fd["reason"] = "interrupted by SIGTERM; faults rolled back"
    fd["phases"] = {k: v for k, v in fd["phases"].items() if k in ("before", "during")}
    fd["phases"]["during"]["verdicts"] = []
    return journal


def main() -> None:
    OUT.mkdir(exist_ok=True)
    journals: dict[str, dict[str, Any]] = {}
    with running_sandbox() as sandbox, tempfile.TemporaryDirectory() as tmp:
        os.environ["FAULTDRILL_SANDBOX_URL"] = sandbox.web_url
        os.environ["TOXIPROXY_URL"] = sandbox.toxiproxy_url
        for name, (source, change) in CASES.items():
            journals[name] = record(name, source, change, Path(tmp))
    journals["deviated"] = with_incident(journals["deviated"])
    journals["interrupted"] = interrupted_from(journals["held"])
    for name, journal in journals.items():
        outcome = journal["faultdrill"]["outcome"]
        if outcome != name:
            sys.exit(f"{name}: the run ended {outcome}; not writing it")
        (OUT / f"{name}.json").write_text(json.dumps(journal, indent=1) + "\n")
        print(f"wrote {OUT / name}.json")


if __name__ == "__main__":
    main()
