"""The shipped stress experiments, end to end against the sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from faultdrill.sandbox.control import running_sandbox
from faultdrill.sandbox.state import SandboxState
from faultdrill.stress.registry import Registry
from helpers.e2e import EXPERIMENTS, run_experiment

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxState]:
    with running_sandbox() as state:
        yield state


@pytest.mark.parametrize("name", ["cpu-saturation", "memory-pressure"])
def test_stress_experiment_holds_and_records_target_against_achieved(
    sandbox: SandboxState, faultdrill_home: Path, tmp_path: Path, name: str
) -> None:
    journal_path = tmp_path / "journal.json"
    result = run_experiment(
        sandbox, faultdrill_home, EXPERIMENTS / f"{name}.yaml", journal_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    journal = json.loads(journal_path.read_text())
    assert journal["faultdrill"]["outcome"] == "held"
    started = journal["run"][0]["output"]
    assert started["target"] and started["pgid"] > 0
    status = journal["run"][1]["output"]["stressors"][0]
    assert status["samples"], "the journal keeps target against achieved over time"
    assert all({"target", "achieved"} <= set(s) for s in status["samples"])
    stopped = journal["rollbacks"][0]["output"]["stressors"]
    assert stopped and all(s["state"] in ("stopped", "finished") for s in stopped)
    with_home = Registry(faultdrill_home / "stress")
    assert with_home.records() == []
