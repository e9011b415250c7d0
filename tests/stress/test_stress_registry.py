"""The durable record of running stressors."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultdrill.errors import FaultError
from faultdrill.stress.model import (
    CpuTarget,
    Engine,
    Kind,
    Member,
    MemoryTarget,
    Record,
)
from faultdrill.stress.registry import Registry


def record(stressor_id: str, kind: Kind = Kind.CPU) -> Record:
    target = (
        CpuTarget(50.0, 2, 30.0)
        if kind is Kind.CPU
        else MemoryTarget(1 << 20, 30.0, 5.0)
    )
    return Record(
        stressor_id,
        kind,
        Engine.BUILTIN,
        4242,
        (Member(4242, 1.7e9), Member(4243, 1.7e9 + 0.5)),
        1.7e9,
        30.0,
        target,
    )


def test_records_survive_a_new_registry_object(tmp_path: Path) -> None:
    Registry(tmp_path).add(record("cpu-1"))
    Registry(tmp_path).add(record("memory-1", Kind.MEMORY))

    found = {r.stressor_id: r for r in Registry(tmp_path).records()}

    assert found == {
        "cpu-1": record("cpu-1"),
        "memory-1": record("memory-1", Kind.MEMORY),
    }


def test_removing_twice_is_harmless(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    registry.add(record("cpu-1"))

    registry.remove("cpu-1")
    registry.remove("cpu-1")

    assert registry.records() == []


def test_a_corrupt_registry_says_what_to_do(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    registry.path.write_text("{not json", encoding="utf-8")
    with pytest.raises(FaultError, match="kill leftover stress processes by hand"):
        registry.records()


def test_default_registry_lives_under_the_state_home(faultdrill_home: Path) -> None:
    assert Registry().path == faultdrill_home / "stress" / "registry.json"
