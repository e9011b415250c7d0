"""``faultdrill gate`` as a pipeline runs it: exit code, reasons, JSON."""

from __future__ import annotations

import json
import time
from pathlib import Path

from click.testing import CliRunner

from faultdrill.budget.ledger import BudgetLedger
from faultdrill.budget.spend import Spend, SpendKind
from faultdrill.cli.main import cli
from faultdrill.exitcodes import ExitCode
from faultdrill.incidents.manage import open_incident
from faultdrill.incidents.model import Severity
from faultdrill.incidents.store import IncidentStore


def gate(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["gate", "--no-host", *args])
    return result.exit_code, result.stdout


def exhaust(slo: str) -> None:
    now = time.time()
    BudgetLedger.default().record(
        Spend(slo=slo, kind=SpendKind.INCIDENT, ref="INC-0001",
              start=now - 86_400, end=now - 3 * 3600, burn_rate=40.0)
    )  # fmt: skip


def test_allows_with_exit_zero_when_nothing_is_wrong() -> None:
    code, output = gate()

    assert code == ExitCode.HELD
    assert output.startswith("gate: ALLOWED")


def test_blocks_with_exit_three_and_prints_every_reason() -> None:
    exhaust("api-5xx-ratio")
    open_incident(IncidentStore.default(), "5xx storm", Severity.SEV2, time.time())

    code, output = gate()

    assert code == ExitCode.REFUSED
    assert "BLOCKED (2 reasons)" in output
    assert "budget-exhausted: api-5xx-ratio" in output
    assert "incident-open: INC-0001 (SEV-2)" in output


def test_json_has_the_decision_and_the_figures() -> None:
    exhaust("login-success")

    code, output = gate("--json")
    data = json.loads(output)

    assert code == 3
    assert data["allowed"] is False
    assert [r["code"] for r in data["reasons"]] == ["budget-exhausted"]
    assert data["figures"]["budgets"]["login-success"]["budget_left_percent"] < 0


def test_thresholds_come_from_a_file_and_options_override_it(tmp_path: Path) -> None:
    now = time.time()
    BudgetLedger.default().record(
        Spend(
            slo="api-5xx-ratio",
            kind=SpendKind.INCIDENT,
            ref="INC-0001",
            start=now - 86_400,
            end=now - 3 * 3600,
            burn_rate=15.0,
        )
    )  # fmt: skip  -> 50% spent
    thresholds = tmp_path / "gate.yaml"
    thresholds.write_text("min-budget-left-percent: 60\n", encoding="utf-8")

    by_file, _ = gate("--thresholds", str(thresholds))
    overridden, _ = gate("--thresholds", str(thresholds), "--min-budget-left", "10")

    assert (by_file, overridden) == (3, 0)


def test_a_misspelled_threshold_is_invalid_input(tmp_path: Path) -> None:
    thresholds = tmp_path / "gate.yaml"
    thresholds.write_text("max-cpus: 50\n", encoding="utf-8")

    result = CliRunner().invoke(cli, ["gate", "--thresholds", str(thresholds)])

    assert "max-cpus: is not a known field" in str(result.exception)


def test_host_sampling_reports_the_machines_figures() -> None:
    result = CliRunner().invoke(cli, ["gate", "--json", "--max-load", "1000"])

    host = json.loads(result.stdout)["figures"]["host"]
    assert 0 <= host["cpu_percent"] <= 100
    assert host["cores"] >= 1
