"""The SQLite ledger: persistence across processes, concurrent writers, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from faultdrill.budget.ledger import DB_ENV, BudgetLedger
from faultdrill.budget.spend import Spend, SpendKind
from faultdrill.errors import InvalidInput

WRITERS = 4
SPENDS_PER_WRITER = 40

_WRITER = """
import sys
from pathlib import Path
from faultdrill.budget.ledger import BudgetLedger
from faultdrill.budget.spend import Spend, SpendKind

ledger = BudgetLedger(Path(sys.argv[1]))
for i in range(int(sys.argv[3])):
    ledger.record(Spend(slo="api-5xx-ratio", kind=SpendKind.EXPERIMENT,
                        ref=f"{sys.argv[2]}-{i}", start=i, end=i + 1, burn_rate=1.0))
"""


def spend(ref: str = "run-1", rate: float = 2.0, slo: str = "api-5xx-ratio") -> Spend:
    return Spend(
        slo=slo, kind=SpendKind.EXPERIMENT, ref=ref, start=10, end=20, burn_rate=rate
    )


def writer(path: Path, name: str, count: int) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-c", _WRITER, str(path), name, str(count)]
    return subprocess.Popen(args)


def test_a_spend_written_by_another_process_is_read_back(tmp_path: Path) -> None:
    path = tmp_path / "budget.sqlite"

    assert writer(path, "other", 1).wait(timeout=30) == 0

    (read,) = BudgetLedger(path).spends("api-5xx-ratio")
    assert (read.ref, read.kind, read.burn_rate) == ("other-0", SpendKind.EXPERIMENT, 1)


def test_concurrent_writers_lose_no_spend(tmp_path: Path) -> None:
    path = tmp_path / "budget.sqlite"

    procs = [writer(path, f"w{n}", SPENDS_PER_WRITER) for n in range(WRITERS)]
    codes = [proc.wait(timeout=60) for proc in procs]

    assert codes == [0] * WRITERS
    refs = {s.ref for s in BudgetLedger(path).spends("api-5xx-ratio")}
    assert len(refs) == WRITERS * SPENDS_PER_WRITER


def test_recording_the_same_ref_again_replaces_it(tmp_path: Path) -> None:
    ledger = BudgetLedger(tmp_path / "budget.sqlite")

    ledger.record(spend(rate=2.0))
    ledger.record(spend(rate=3.0))

    assert [s.burn_rate for s in ledger.spends("api-5xx-ratio")] == [3.0]


def test_spends_are_filtered_by_overlap_with_the_asked_stretch(tmp_path: Path) -> None:
    ledger = BudgetLedger(tmp_path / "budget.sqlite")
    ledger.record(spend("inside"))  # 10..20

    assert ledger.spends("api-5xx-ratio", since=20, until=30) != []
    assert ledger.spends("api-5xx-ratio", since=21) == []
    assert ledger.spends("api-5xx-ratio", until=9) == []
    assert ledger.spends("homepage-availability") == []


def test_by_ref_finds_every_slo_one_run_spent(tmp_path: Path) -> None:
    ledger = BudgetLedger(tmp_path / "budget.sqlite")
    ledger.record(spend(slo="b-slo"))
    ledger.record(spend(slo="a-slo"))
    ledger.record(spend(ref="run-2"))

    assert [s.slo for s in ledger.by_ref(SpendKind.EXPERIMENT, "run-1")] == [
        "a-slo",
        "b-slo",
    ]


def test_default_ledger_lives_under_home_unless_the_env_names_one(
    faultdrill_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert BudgetLedger.default().path == faultdrill_home / "budget.sqlite"

    monkeypatch.setenv(DB_ENV, str(tmp_path / "team.sqlite"))

    assert BudgetLedger.default().path == tmp_path / "team.sqlite"


def test_a_directory_as_ledger_names_the_path_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"cannot be used.*FAULTDRILL_BUDGET_DB"):
        BudgetLedger(tmp_path).spends("api-5xx-ratio")


def test_a_file_that_is_not_sqlite_is_invalid_input(tmp_path: Path) -> None:
    path = tmp_path / "budget.sqlite"
    path.write_bytes(b"not a database at all, just text " * 64)

    with pytest.raises(InvalidInput, match=r"budget\.sqlite"):
        BudgetLedger(path).record(spend())


def test_a_spend_that_ends_before_it_starts_is_rejected() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        Spend(slo="x", kind=SpendKind.INCIDENT, ref="i", start=5, end=4, burn_rate=1)
