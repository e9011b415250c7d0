"""The fault ledger remembers every fault until it is crossed off."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil

from faultdrill.faults.ledger import FaultKind, FaultLedger, FaultRecord


def toxic(name: str, run_id: str = "run-1") -> FaultRecord:
    return FaultRecord(
        run_id=run_id,
        kind=FaultKind.TOXIC,
        target={"api_url": "http://127.0.0.1:1", "proxy": "catalog", "toxic": name},
        description=f"toxic {name}",
    )


def test_a_fault_is_pending_until_reverted(tmp_path: Path) -> None:
    ledger = FaultLedger(tmp_path / "faults.jsonl")
    first, second = ledger.applying(toxic("a")), ledger.applying(toxic("b"))
    ledger.reverted(first)
    assert [f.id for f in ledger.pending()] == [second.id]


def test_a_new_ledger_object_reads_what_another_wrote(tmp_path: Path) -> None:
    FaultLedger(tmp_path / "faults.jsonl").applying(toxic("a"))
    assert [
        f.target["toxic"] for f in FaultLedger(tmp_path / "faults.jsonl").pending()
    ] == ["a"]


def test_pending_filters_by_run(tmp_path: Path) -> None:
    ledger = FaultLedger(tmp_path / "faults.jsonl")
    ledger.applying(toxic("a", "run-1"))
    ledger.applying(toxic("b", "run-2"))
    assert [f.target["toxic"] for f in ledger.pending("run-2")] == ["b"]


def test_find_matches_on_target(tmp_path: Path) -> None:
    ledger = FaultLedger(tmp_path / "faults.jsonl")
    ledger.applying(toxic("a"))
    ledger.applying(toxic("b"))
    found = ledger.find(FaultKind.TOXIC, proxy="catalog", toxic="b")
    assert [f.target["toxic"] for f in found] == ["b"]


def test_a_torn_last_line_is_skipped_not_fatal(tmp_path: Path) -> None:
    ledger = FaultLedger(tmp_path / "faults.jsonl")
    ledger.applying(toxic("a"))
    with ledger.path.open("a") as handle:
        handle.write('{"event": "applying", "fau')
    assert [f.target["toxic"] for f in ledger.pending()] == ["a"]


WRITER = """
import sys
import time
from pathlib import Path

import psutil
from faultdrill.faults.ledger import FaultKind, FaultLedger, FaultRecord
ledger = FaultLedger(Path(sys.argv[1]))
for index in range(50):
    ledger.applying(FaultRecord(kind=FaultKind.TOXIC, target={"toxic": f"{sys.argv[2]}{index}"}, description="t"))
"""


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "faults.jsonl"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), prefix])
        for prefix in "xyz"
    ]
    for writer in writers:
        assert writer.wait(timeout=60) == 0
    pending = FaultLedger(path).pending()
    assert len(pending) == 150
    assert len({f.target["toxic"] for f in pending}) == 150


def test_a_record_after_a_torn_line_starts_on_its_own_line(tmp_path: Path) -> None:
    ledger = FaultLedger(tmp_path / "faults.jsonl")
    ledger.path.write_text('{"event": "applying", "fault": {"id": "torn", "pro')
    ledger.applying(toxic("after-the-tear"))
    assert [f.target["toxic"] for f in ledger.pending()] == ["after-the-tear"]


def test_undecodable_bytes_are_skipped(tmp_path: Path) -> None:
    ledger = FaultLedger(tmp_path / "faults.jsonl")
    ledger.applying(toxic("a"))
    with ledger.path.open("ab") as handle:
        handle.write(b"\xff\xfe garbage\n")
    ledger.applying(toxic("b"))
    assert [f.target["toxic"] for f in ledger.pending()] == ["a", "b"]


def test_orphans_are_faults_of_processes_that_are_gone(tmp_path: Path) -> None:
    ledger = FaultLedger(tmp_path / "faults.jsonl")
    mine = ledger.applying(toxic("mine"))
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=30)
    gone = ledger.applying(toxic("gone").model_copy(update={"owner_pid": dead.pid, "owner_started": 1.0}))
    assert mine.owner_alive() and not gone.owner_alive()
    assert [f.id for f in ledger.orphans()] == [gone.id]


def test_a_killed_owner_not_yet_reaped_is_an_orphan(tmp_path: Path) -> None:
    ledger = FaultLedger(tmp_path / "faults.jsonl")
    zombie = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        owner = psutil.Process(zombie.pid)
        record = ledger.applying(
            toxic("z").model_copy(
                update={"owner_pid": zombie.pid, "owner_started": owner.create_time()}
            )
        )
        assert record.owner_alive()
        zombie.kill()  # not waited for: it stays a zombie until reaped
        deadline = time.monotonic() + 10
        while owner.status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
            time.sleep(0.01)
        assert owner.status() == psutil.STATUS_ZOMBIE
        assert not record.owner_alive()
        assert [f.id for f in ledger.orphans()] == [record.id]
    finally:
        zombie.kill()
        zombie.wait(timeout=10)


def test_forget_crosses_off_without_reverting(tmp_path: Path) -> None:
    ledger = FaultLedger(tmp_path / "faults.jsonl")
    record = ledger.applying(toxic("a"))
    assert ledger.forget(record.id, "server gone") == record
    assert ledger.pending() == [] and ledger.forget(record.id, "again") is None
