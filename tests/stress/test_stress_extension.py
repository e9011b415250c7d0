"""The Chaos Toolkit actions: bounds refused before anything runs, and a round trip."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chaoslib.exceptions import ActivityFailed
from chaoslib.provider.python import run_python_activity

import chaosfaultdrill.stress as stress
from faultdrill.stress.procgroup import members
from faultdrill.stress.supervisor import Supervisor


@pytest.fixture(autouse=True)
def own_supervisor(monkeypatch: pytest.MonkeyPatch) -> Iterator[Supervisor]:
    supervisor = Supervisor(sample_interval_s=0.5)
    monkeypatch.setattr(stress, "_supervisor", supervisor)
    yield supervisor
    supervisor.close()


def activity(func: str, **arguments: Any) -> dict[str, Any]:
    return {
        "type": "action",
        "name": func,
        "provider": {
            "type": "python",
            "module": "chaosfaultdrill.stress",
            "func": func,
            "arguments": arguments,
        },
    }


@pytest.mark.parametrize(
    ("func", "arguments", "named"),
    [
        ("start_cpu", {"percent": 0}, "percent"),
        ("start_cpu", {"percent": 101}, "percent"),
        ("start_cpu", {"percent": 50, "cores": 512}, "cores"),
        ("start_cpu", {"percent": 50, "duration_s": 0}, "duration_s"),
        ("start_memory", {"megabytes": 1 << 30}, "safety margin"),
        ("start_memory", {"megabytes": 10, "duration_s": -1}, "duration_s"),
        ("start_cpu", {"percent": 50, "engine": "stress"}, "engine 'stress'"),
    ],
)
def test_out_of_bounds_requests_fail_the_activity(
    func: str, arguments: dict[str, Any], named: str, own_supervisor: Supervisor
) -> None:
    with pytest.raises(ActivityFailed, match=named):
        run_python_activity(activity(func, **arguments), {}, {})
    assert own_supervisor.status() == []


def test_blast_radius_from_configuration_is_enforced() -> None:
    configuration = {stress.LIMITS_KEY: {"max_percent": 30, "max_memory_mb": 8}}
    with pytest.raises(ActivityFailed, match="blast radius allows at most 30"):
        run_python_activity(activity("start_cpu", percent=50), configuration, {})
    with pytest.raises(ActivityFailed, match="blast radius allows at most 8 MiB"):
        run_python_activity(activity("start_memory", megabytes=16), configuration, {})


def test_malformed_limits_are_reported_by_key() -> None:
    configuration = {stress.LIMITS_KEY: {"max_percnt": 30}}
    with pytest.raises(ActivityFailed, match="faultdrill_stress_limits: max_percnt"):
        stress.start_cpu(10, configuration=configuration)


def test_missing_stress_ng_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ActivityFailed, match="apt install stress-ng"):
        stress.start_cpu(10, cores=1, duration_s=5, engine="stress-ng")


def test_memory_ramp_is_builtin_only() -> None:
    if shutil.which("stress-ng") is None:
        pytest.skip("stress-ng is not installed")
    with pytest.raises(ActivityFailed, match="stress-ng cannot ramp memory"):
        stress.start_memory(10, duration_s=5, ramp_s=2, engine="stress-ng")


@pytest.mark.e2e
def test_start_returns_at_once_and_rollback_stops_everything() -> None:
    started = run_python_activity(activity("start_cpu", percent=20, cores=1), {}, {})
    assert started["state"] == "running"
    assert started["pids"] and members(started["pgid"])

    seen = stress.status()
    stopped = stress.stop_all()

    assert [s["id"] for s in seen["stressors"]] == [started["id"]]
    assert [s["state"] for s in stopped["stressors"]] == ["stopped"]
    assert members(started["pgid"]) == []
    json.dumps(stopped)  # journal-ready


EXPERIMENT = {
    "title": "Half a core for two seconds",
    "description": "The stress actions work from a plain chaos run.",
    "method": [
        {
            **activity("start_cpu", percent=50, cores=1, duration_s=30),
            "pauses": {"after": 2},
        },
        {**activity("status"), "type": "probe"},
    ],
    "rollbacks": [activity("stop_all")],
}


@pytest.mark.e2e
def test_plain_chaos_run_measures_and_rolls_back(tmp_path: Path) -> None:
    experiment = tmp_path / "experiment.json"
    experiment.write_text(json.dumps(EXPERIMENT), encoding="utf-8")
    journal = tmp_path / "journal.json"

    subprocess.run(
        [
            sys.executable,
            "-m",
            "chaostoolkit",
            "--no-log-file",
            "run",
            "--journal-path",
            str(journal),
            str(experiment),
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=60,
    )

    result = json.loads(journal.read_text(encoding="utf-8"))
    status = result["run"][1]["output"]["stressors"][0]
    rollback = result["rollbacks"][0]["output"]["stressors"][0]
    assert 40.0 <= status["achieved_mean"] <= 60.0
    assert rollback["state"] == "stopped"
    assert members(rollback["pgid"]) == []
