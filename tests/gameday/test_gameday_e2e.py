"""End to end: a real game day against the sandbox, interrupted and resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from faultdrill.sandbox.control import running_sandbox
from faultdrill.sandbox.state import SandboxState

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxState]:
    with running_sandbox() as state:
        yield state


def short(tmp_path: Path, name: str, pause_s: float) -> str:
    source = REPO / "experiments" / "api-latency-absorbed.yaml"
    document: dict[str, Any] = yaml.safe_load(source.read_text())
    document["slo"].update(
        {"before": "2s", "after": "2s", "recovery-within": "0.5s", "probe-rate": 40}
    )
    document["method"][0]["pauses"] = {"after": pause_s}
    (tmp_path / name).write_text(yaml.safe_dump(document))
    return name


def toxics(sandbox: SandboxState) -> list[Any]:
    answer = requests.get(f"{sandbox.toxiproxy_url}/proxies/catalog/toxics", timeout=5)
    answer.raise_for_status()
    found: list[Any] = answer.json()
    return found


def state_of(out: Path) -> dict[str, Any]:
    path = out / "gameday-state.json"
    data: dict[str, Any] = json.loads(path.read_text()) if path.exists() else {}
    return data


def test_an_interrupted_game_day_resumes_without_rerunning_what_completed(
    sandbox: SandboxState, faultdrill_home: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.yaml"
    first = short(tmp_path, "first.yaml", 2)  # 80 samples during: >= 59 needed
    second = short(tmp_path, "second.yaml", 6)
    plan.write_text(
        yaml.safe_dump(
            {"name": "e2e", "experiments": [{"file": first}, {"file": second}]}
        )
    )
    out = tmp_path / "out"
    env = dict(os.environ)
    env.update(
        FAULTDRILL_HOME=str(faultdrill_home),
        FAULTDRILL_SANDBOX_URL=sandbox.web_url,
        TOXIPROXY_URL=sandbox.toxiproxy_url,
    )
    command = [
        sys.executable,
        "-m",
        "faultdrill",
        "gameday",
        str(plan),
        "--out",
        str(out),
    ]

    day = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            steps = state_of(out).get("steps", [])
            if steps and steps[0]["status"] == "done" and toxics(sandbox):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the second experiment never applied its fault")
        day.send_signal(signal.SIGTERM)
        output, _ = day.communicate(timeout=60)
    finally:
        day.kill()
    assert day.returncode == 130, output
    assert toxics(sandbox) == []  # the running experiment rolled back
    assert [s["status"] for s in state_of(out)["steps"]] == ["done", "interrupted"]
    first_journal = out / "01-first.json"
    written = first_journal.stat().st_mtime_ns

    resumed = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=90, check=False
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    steps = state_of(out)["steps"]
    assert [(s["status"], s["outcome"], s["attempts"]) for s in steps] == [
        ("done", "held", 1),
        ("done", "held", 2),
    ]
    assert first_journal.stat().st_mtime_ns == written  # not run again
    summary = (out / "summary.md").read_text()
    assert "2 of 2 experiments completed; exit code 0." in summary
