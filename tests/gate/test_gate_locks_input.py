"""Lock paths that something else occupies: named, with the fix, never a crash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from faultdrill.errors import InvalidInput
from faultdrill.exitcodes import ExitCode
from faultdrill.gate.locks import _path, holders, target_lock
from state.cli_run import faultdrill

EXPERIMENT = (
    Path(__file__).resolve().parents[2] / "experiments/api-latency-absorbed.yaml"
)
TARGET = "proxy:catalog"


def _occupy(locks: Path, kind: str) -> Path:
    """Make ``locks`` (or its catalog lock file) something it should not be."""
    if kind == "locks-a-file":
        locks.parent.mkdir(parents=True, exist_ok=True)
        locks.write_text("")
        return locks
    path = _path(locks, TARGET)
    locks.mkdir(parents=True, exist_ok=True)
    if kind == "lock-a-directory":
        path.mkdir()
    else:
        os.mkfifo(path)
    return path


KINDS = ["locks-a-file", "lock-a-directory", "lock-a-fifo"]


@pytest.mark.parametrize("kind", KINDS)
def test_holders_name_the_path_in_the_way(tmp_path: Path, kind: str) -> None:
    locks = tmp_path / "locks"
    path = _occupy(locks, kind)

    with pytest.raises(InvalidInput, match=f"{path}: .*move it aside"):
        holders([TARGET], locks)


@pytest.mark.parametrize("kind", KINDS)
def test_taking_a_lock_names_the_path_in_the_way(tmp_path: Path, kind: str) -> None:
    locks = tmp_path / "locks"
    path = _occupy(locks, kind)

    taking = target_lock([TARGET], "exp", "run-1", locks)

    with pytest.raises(InvalidInput, match=f"{path}: "):
        taking.__enter__()


def test_other_targets_still_lock_beside_a_bad_lock_file(tmp_path: Path) -> None:
    locks = tmp_path / "locks"
    _occupy(locks, "lock-a-directory")

    with target_lock(["proxy:other"], "exp", "run-1", locks) as held:
        assert held == ["proxy:other"]


@pytest.mark.parametrize("kind", ["locks-a-file", "lock-a-directory"])
def test_plan_with_an_occupied_lock_path_exits_two(
    faultdrill_home: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    monkeypatch.setenv("FAULTDRILL_HOST_CHECK", "0")
    path = _occupy(faultdrill_home / "locks", kind)

    ran = faultdrill("plan", str(EXPERIMENT), monkeypatch=monkeypatch)

    assert ran.code == ExitCode.INVALID_INPUT
    assert ran.clean
    assert f"{path}: " in ran.err
