"""``faultdrill budget``: the table and the JSON, from the ledger under home."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from faultdrill.budget.ledger import BudgetLedger
from faultdrill.budget.spend import Spend, SpendKind
from faultdrill.cli.main import cli

HOUR = 3600.0


def record_fast_burn(path: Path | None = None) -> None:
    ledger = BudgetLedger(path) if path else BudgetLedger.default()
    now = time.time()
    ledger.record(
        Spend(slo="api-5xx-ratio", kind=SpendKind.INCIDENT, ref="INC-0001",
              start=now - 2 * HOUR, end=now - HOUR, burn_rate=14.4)
    )  # fmt: skip


def test_json_lists_every_slo_with_budget_left_and_burn_rates() -> None:
    record_fast_burn()

    result = CliRunner().invoke(cli, ["budget", "--json"])

    assert result.exit_code == 0, result.output
    rows = {row["slo"]: row for row in json.loads(result.output)["slos"]}
    assert set(rows) == {
        "homepage-availability", "login-success", "api-latency-p95", "api-5xx-ratio",
    }  # fmt: skip
    assert rows["api-5xx-ratio"]["budget_left_percent"] == pytest.approx(98.0)
    assert rows["api-5xx-ratio"]["spent_by"]["incident"] == pytest.approx(0.02)
    assert rows["api-5xx-ratio"]["burn_rates"]["6h"] == pytest.approx(2.4, rel=1e-3)
    assert rows["homepage-availability"]["budget_left_percent"] == 100.0


def test_table_shows_objective_budget_left_and_each_burn_window() -> None:
    record_fast_burn()

    result = CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["budget"])

    assert result.exit_code == 0, result.output
    assert "burn 5m" in result.output and "burn 3d" in result.output
    line = next(ln for ln in result.output.splitlines() if "api-5xx-ratio" in ln)
    assert "99.9%" in line and "98.00%" in line


def test_ledger_option_reads_another_ledger(tmp_path: Path) -> None:
    other = tmp_path / "team.sqlite"
    record_fast_burn(other)

    mine = CliRunner().invoke(cli, ["budget", "--json"])
    theirs = CliRunner().invoke(cli, ["budget", "--json", "--ledger", str(other)])

    def left(output: str) -> float:
        rows = json.loads(output)["slos"]
        return float(next(r for r in rows if r["slo"] == "api-5xx-ratio")["left"])

    assert left(mine.output) == 1.0
    assert left(theirs.output) == pytest.approx(0.98)


def test_a_missing_slo_file_is_invalid_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["budget", "--slo-file", str(tmp_path / "nope.yaml")]
    )

    assert result.exit_code != 0
    assert "no such file" in str(result.exception)
