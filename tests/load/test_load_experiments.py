"""The shipped load experiments, end to end: ``faultdrill run`` against the sandbox.

Durations are shortened; everything else is the file as shipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from faultdrill.sandbox.control import running_sandbox
from faultdrill.sandbox.state import SandboxState
from helpers.e2e import EXPERIMENTS, run_experiment

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxState]:
    with running_sandbox() as state:
        yield state


def shortened(tmp_path: Path, name: str, **arguments: Any) -> Path:
    document = yaml.safe_load((EXPERIMENTS / name).read_text())
    document["slo"].update(before="3s", after="3s", **{"recovery-within": "1s"})
    document["method"][0]["provider"]["arguments"].update(arguments)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document))
    return path


def output_of(journal: dict[str, Any]) -> dict[str, Any]:
    (run,) = journal["run"]
    assert run["status"] == "succeeded", run
    output: dict[str, Any] = run["output"]
    return output


def test_the_login_limit_experiment_holds_against_the_sandbox(
    sandbox: SandboxState, faultdrill_home: Path, tmp_path: Path
) -> None:
    path = shortened(tmp_path, "rate-limit-login.yaml", duration_s=5.5)
    journal_path = tmp_path / "journal.json"
    result = run_experiment(sandbox, faultdrill_home, path, journal_path)
    assert result.returncode == 0, result.stdout + result.stderr
    journal = json.loads(journal_path.read_text())
    assert journal["faultdrill"]["outcome"] == "held"
    output = output_of(journal)
    rate_limit = output["rate_limit"]
    assert rate_limit["passed"] and output["passed"]
    assert rate_limit["measured"]["burst"] == 10
    assert rate_limit["measured"]["rate_per_s"] == pytest.approx(20, rel=0.05)
    assert rate_limit["measured"]["rejection_statuses"] == {
        "429": rate_limit["measured"]["rejected"]
    }
    assert output["legit"]["status"] == "held"
    assert output["legit"]["rejected_by_limiter"] == 0
    assert set(output["golden_signals"]) >= {
        "latency",
        "traffic_rps",
        "error_ratio",
        "saturation",
    }


def test_a_limit_declared_wrong_makes_the_run_deviate(
    sandbox: SandboxState, faultdrill_home: Path, tmp_path: Path
) -> None:
    wrong = {"rate": 10, "burst": 10, "key": "ip", "status": 429}
    path = shortened(
        tmp_path, "rate-limit-login.yaml", limit=wrong, legit=None, duration_s=2
    )
    journal_path = tmp_path / "journal.json"
    result = run_experiment(sandbox, faultdrill_home, path, journal_path)
    assert result.returncode == 1, result.stdout + result.stderr
    journal = json.loads(journal_path.read_text())
    assert journal["faultdrill"]["outcome"] == "deviated"
    assert "steady-state" in journal["faultdrill"]["reason"]
    checks = {
        c["name"]: c["passed"] for c in output_of(journal)["rate_limit"]["checks"]
    }
    assert checks["limiter rate"] is False and checks["burst"] is True
    assert journal["faultdrill"]["rate_limit"]["passed"] is False


def test_the_capacity_experiment_records_its_figure(
    sandbox: SandboxState, faultdrill_home: Path, tmp_path: Path
) -> None:
    path = shortened(tmp_path, "capacity-api.yaml", steps=[60], step_s=3, workers=0)
    journal_path = tmp_path / "journal.json"
    result = run_experiment(sandbox, faultdrill_home, path, journal_path)
    assert result.returncode == 0, result.stdout + result.stderr
    journal = json.loads(journal_path.read_text())
    output = output_of(journal)
    assert journal["faultdrill"]["capacity"]["capacity_rps"] == output["capacity_rps"]
    assert output["capacity_rps"] == pytest.approx(60, rel=0.05)
    assert output["capacity_is_lower_bound"] is True
    assert [row["held"] for row in output["steps"]] == [True]
    assert output["load"]["golden_signals"]["errors"] == 0
