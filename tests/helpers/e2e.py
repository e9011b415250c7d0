"""Running the faultdrill command against a sandbox, for end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests
import yaml

from faultdrill.sandbox.state import SandboxState

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"


def env_for(sandbox: SandboxState, home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        FAULTDRILL_HOME=str(home),
        FAULTDRILL_SANDBOX_URL=sandbox.web_url,
        TOXIPROXY_URL=sandbox.toxiproxy_url,
        # The test suite loads this small machine; its load average says
        # nothing about the sandbox's health (the gate's own tests cover it).
        FAULTDRILL_HOST_CHECK="0",
    )
    return env


def faultdrill(*args: str) -> list[str]:
    return [sys.executable, "-m", "faultdrill", *args]


def run_command(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``faultdrill ARGS`` to completion, output captured."""
    return subprocess.run(
        faultdrill(*args),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def start_run(
    sandbox: SandboxState, home: Path, experiment: Path, journal: Path, **popen: Any
) -> subprocess.Popen[str]:
    """``faultdrill run`` in the background, for tests that signal it."""
    return subprocess.Popen(
        faultdrill("run", str(experiment), "--journal", str(journal)),
        env=env_for(sandbox, home),
        text=True,
        **popen,
    )


def toxics(sandbox: SandboxState) -> list[dict[str, Any]]:
    response = requests.get(
        f"{sandbox.toxiproxy_url}/proxies/catalog/toxics", timeout=5
    )
    response.raise_for_status()
    result: list[dict[str, Any]] = response.json()
    return result


def run_experiment(
    sandbox: SandboxState, home: Path, experiment: Path, journal: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        faultdrill("run", str(experiment), "--journal", str(journal), *extra),
        env=env_for(sandbox, home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def wait_for_toxic(sandbox: SandboxState, limit_s: float = 30.0) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if toxics(sandbox):
            return
        time.sleep(0.1)
    raise AssertionError("the experiment never applied its toxic")


def short_experiment(tmp_path: Path, **changes: Any) -> Path:
    """The absorbed-latency experiment with short phases and a long fault."""
    document = yaml.safe_load((EXPERIMENTS / "api-latency-absorbed.yaml").read_text())
    document["slo"].update(before="3s", after="3s", **{"recovery-within": "1s"})
    document["slo"]["probe-rate"] = 40
    document["method"][0]["pauses"] = {"after": 30}
    for key, value in changes.items():
        document[key] = value
    path = tmp_path / "short.yaml"
    path.write_text(yaml.safe_dump(document))
    return path
