"""Target locks: exclusive, named holders, never stuck after a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from faultdrill.errors import Refused
from faultdrill.gate.locks import holders, target_lock

_HOLDER = """
import sys, time
from pathlib import Path
from faultdrill.gate.locks import target_lock
with target_lock(["proxy:catalog"], "held elsewhere", "run-x", Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def other_holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.kill()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def test_a_second_lock_on_the_same_target_is_refused_naming_the_holder(
    tmp_path: Path,
) -> None:
    with (
        target_lock(["proxy:catalog"], "first", "run-1", tmp_path),
        pytest.raises(Refused) as refused,
        target_lock(["proxy:catalog"], "second", "run-2", tmp_path),
    ):
        pass

    message = str(refused.value)
    assert "target proxy:catalog is held by experiment 'first'" in message
    assert f"run run-1, pid {os.getpid()}" in message


def test_a_lock_is_free_again_after_the_block(tmp_path: Path) -> None:
    with target_lock(["proxy:catalog"], "first", None, tmp_path):
        assert [h.experiment for h in holders(["proxy:catalog"], tmp_path)] == ["first"]

    assert holders(["proxy:catalog"], tmp_path) == []
    with target_lock(["proxy:catalog"], "second", None, tmp_path):
        pass


def test_different_targets_do_not_conflict(tmp_path: Path) -> None:
    with (
        target_lock(["proxy:catalog"], "a", None, tmp_path),
        target_lock(["proxy:payments", "host:db-1"], "b", None, tmp_path),
    ):
        assert len(holders(["proxy:catalog", "host:db-1"], tmp_path)) == 2


def test_a_refusal_on_one_target_leaves_none_of_the_others_locked(
    tmp_path: Path,
) -> None:
    with target_lock(["proxy:z"], "holder", None, tmp_path):
        with (
            pytest.raises(Refused),
            target_lock(["proxy:a", "proxy:z"], "late", None, tmp_path),
        ):
            pass
        assert holders(["proxy:a"], tmp_path) == []


def test_a_holder_in_another_process_is_named(
    tmp_path: Path, other_holder: subprocess.Popen[str]
) -> None:
    with (
        pytest.raises(
            Refused, match=rf"'held elsewhere' \(run run-x, pid {other_holder.pid}"
        ),
        target_lock(["proxy:catalog"], "mine", None, tmp_path),
    ):
        pass


def test_a_killed_holder_leaves_no_stuck_lock(
    tmp_path: Path, other_holder: subprocess.Popen[str]
) -> None:
    os.kill(other_holder.pid, signal.SIGKILL)
    other_holder.wait(timeout=10)

    with target_lock(["proxy:catalog"], "after the crash", None, tmp_path) as names:
        assert names == ["proxy:catalog"]


def test_targets_with_similar_names_get_their_own_files(tmp_path: Path) -> None:
    with (
        target_lock(["label:app=a/b"], "one", None, tmp_path),
        target_lock(["label:app=a:b"], "two", None, tmp_path),
    ):
        pass
    assert len(list(tmp_path.glob("*.lock"))) == 2


def test_holders_of_a_never_locked_target_are_none(tmp_path: Path) -> None:
    start = time.monotonic()
    assert holders(["proxy:nothing"], tmp_path / "missing") == []
    assert time.monotonic() - start < 5
