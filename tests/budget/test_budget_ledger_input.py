"""A mistyped ledger path and rows the ledger cannot read: named, never guessed."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

import pytest

from faultdrill.budget.ledger import DB_ENV, BudgetLedger
from faultdrill.budget.spend import Spend, SpendKind
from faultdrill.errors import InvalidInput
from faultdrill.exitcodes import ExitCode
from state.cli_run import faultdrill


def _spend(ref: str = "INC-0001") -> Spend:
    now = time.time()
    return Spend(
        slo="api-5xx-ratio", kind=SpendKind.INCIDENT, ref=ref,
        start=now - 600, end=now - 60, burn_rate=2.0,
    )  # fmt: skip


def test_named_ledger_in_a_missing_directory_is_invalid_input(tmp_path: Path) -> None:
    path = tmp_path / "typo" / "x" / "budget.sqlite"

    with pytest.raises(InvalidInput, match=r"its directory .*typo/x does not exist"):
        BudgetLedger(path).record(_spend())

    assert not (tmp_path / "typo").exists()


@pytest.mark.parametrize("how", ["option", "environment"])
@pytest.mark.parametrize("command", [["gate", "--no-host"], ["budget"]])
def test_gate_and_budget_refuse_a_ledger_in_a_missing_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str, command: list[str]
) -> None:
    path = tmp_path / "nonexistent" / "y.sqlite"
    args = [*command]
    if how == "option":
        args += ["--ledger", str(path)]
    else:
        monkeypatch.setenv(DB_ENV, str(path))

    ran = faultdrill(*args, monkeypatch=monkeypatch)

    assert ran.code == ExitCode.INVALID_INPUT
    assert ran.clean
    assert f"{path}: its directory" in ran.err
    assert "--ledger or FAULTDRILL_BUDGET_DB" in ran.err
    assert not path.parent.exists()


def test_incident_is_not_opened_when_its_ledger_is_unusable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "nonexistent" / "y.sqlite"

    ran = faultdrill(
        "incident", "open", "--title", "5xx", "--sev", "3", "--ledger", str(path),
        "--impact", "api-5xx-ratio=0.01", monkeypatch=monkeypatch,
    )  # fmt: skip

    assert ran.code == ExitCode.INVALID_INPUT
    listed = faultdrill("incident", "list", monkeypatch=monkeypatch)
    assert listed.out.strip() == "no open incidents"


def test_reading_a_named_ledger_that_does_not_exist_warns_and_creates_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "typo.sqlite"
    ledger = BudgetLedger(path)

    with caplog.at_level(logging.WARNING, logger="faultdrill.budget.ledger"):
        first = ledger.spends("api-5xx-ratio")
        second = ledger.by_ref(SpendKind.INCIDENT, "INC-0001")

    assert first == second == []
    assert not path.exists()
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1
    assert f"budget ledger {path} does not exist yet" in warnings[0]


def test_the_default_ledger_is_created_under_home(faultdrill_home: Path) -> None:
    BudgetLedger.default().record(_spend())

    assert (faultdrill_home / "budget.sqlite").is_file()


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("kind", "'bogus'", "kind: Input should be 'experiment' or 'incident'"),
        ("burn_rate", "-1", "burn_rate: Input should be greater than or equal to 0"),
        ('"end"', "0", "ends before it starts"),
        ("total_events", "-3", "total_events: Input should be greater than"),
    ],
)
def test_a_row_the_ledger_cannot_read_is_named_with_its_id(
    tmp_path: Path, column: str, value: str, says: str
) -> None:
    path = tmp_path / "budget.sqlite"
    ledger = BudgetLedger(path)
    ledger.record(_spend("INC-0001"))
    ledger.record(_spend("INC-0002"))
    with sqlite3.connect(path) as db:
        db.execute(f"UPDATE spend SET {column} = {value} WHERE ref = 'INC-0002'")
    db.close()

    with pytest.raises(InvalidInput) as caught:
        ledger.spends("api-5xx-ratio")

    message = str(caught.value)
    assert message.startswith(f"{path}: spend row id=2: ")
    assert says in message
    assert "DELETE FROM spend WHERE id = 2" in message


@pytest.mark.parametrize("command", [["gate", "--no-host"], ["budget"]])
def test_gate_and_budget_with_a_bogus_row_exit_two_naming_it(
    faultdrill_home: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    BudgetLedger.default().record(_spend())
    path = faultdrill_home / "budget.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("UPDATE spend SET kind = 'bogus'")
    db.close()

    ran = faultdrill(*command, monkeypatch=monkeypatch)

    assert ran.code == ExitCode.INVALID_INPUT
    assert ran.clean
    assert f"{path}: spend row id=1: kind:" in ran.err
