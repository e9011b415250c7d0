"""Kill the runner at random points, many times: nothing may stay behind.

Each round starts a real experiment (a latency toxic on the sandbox's
proxy and a CPU stressor) and sends SIGINT, SIGTERM or SIGKILL after a
random delay: before, during or after the fault, or during rollback.
After SIGINT and SIGTERM the runner must have cleaned up by itself; after
SIGKILL, ``faultdrill recover`` must. Then no toxic, no stress process, no
ledger entry and no held target lock may be left. The loop is bounded in rounds and in time.
"""

from __future__ import annotations

import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import yaml

from faultdrill.experiment.loader import load_experiment
from faultdrill.faults.ledger import FaultLedger
from faultdrill.gate.locks import experiment_targets, holders
from faultdrill.sandbox.control import running_sandbox
from faultdrill.sandbox.state import SandboxState
from helpers.e2e import EXPERIMENTS, env_for, faultdrill, run_command, toxics

pytestmark = pytest.mark.e2e

MAX_ROUNDS = 12
TIME_BUDGET_S = 75.0
SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGKILL]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxState]:
    with running_sandbox() as state:
        yield state


def experiment(tmp_path: Path) -> Path:
    document = yaml.safe_load((EXPERIMENTS / "api-latency-absorbed.yaml").read_text())
    document["slo"].update(before="1.5s", after="1s", **{"recovery-within": 0})
    document["slo"]["probe-rate"] = 60
    document["blast-radius"]["max-intensity"]["cpu-percent"] = 30
    document["method"][0]["pauses"] = {}
    document["method"].append(
        {
            "type": "action",
            "name": "cpu-on-one-core",
            "provider": {
                "type": "python",
                "module": "chaosfaultdrill.stress",
                "func": "start_cpu",
                "arguments": {"percent": 20, "cores": 1, "duration_s": 20},
            },
            "pauses": {"after": 3},
        }
    )
    document["rollbacks"].append(
        {
            "type": "action",
            "name": "stop-stress",
            "provider": {
                "type": "python",
                "module": "chaosfaultdrill.stress",
                "func": "stop_all",
            },
        }
    )
    path = tmp_path / "kill-loop.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def stress_processes(home: Path) -> list[psutil.Process]:
    """Stress workers started under this test's FAULTDRILL_HOME."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            if "faultdrill.stress.worker" not in " ".join(
                process.info["cmdline"] or []
            ):
                continue
            if process.environ().get("FAULTDRILL_HOME") == str(home):
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def wait_until_gone(home: Path, limit_s: float = 3.0) -> list[psutil.Process]:
    deadline = time.monotonic() + limit_s
    while (left := stress_processes(home)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def test_random_kills_leave_nothing_behind(
    sandbox: SandboxState, faultdrill_home: Path, tmp_path: Path
) -> None:
    rng = random.Random(20261203)
    path = experiment(tmp_path)
    targets = experiment_targets(load_experiment(path).model)
    env = env_for(sandbox, faultdrill_home)
    started = time.monotonic()
    rounds: list[str] = []
    while len(rounds) < MAX_ROUNDS and time.monotonic() - started < TIME_BUDGET_S:
        signum, delay = rng.choice(SIGNALS), rng.uniform(0.5, 7.0)
        process = subprocess.Popen(
            faultdrill(
                "run", str(path), "--journal", str(tmp_path / f"j{len(rounds)}.json")
            ),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            try:
                process.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                process.send_signal(signum)
            _, errors = process.communicate(timeout=30)
        finally:
            process.kill()
        rounds.append(
            f"{signal.Signals(signum).name}@{delay:.1f}s->{process.returncode}"
        )
        assert "Traceback" not in errors, errors

        if signum == signal.SIGKILL:
            recovered = run_command(env, "recover")
            assert recovered.returncode == 0, recovered.stdout + recovered.stderr
        else:
            # 130: interrupted and rolled back. -signum: the signal landed
            # while the interpreter was exiting, after the run had finished
            # and Python had put the default handlers back.
            assert process.returncode in (0, 130, -signum), f"{rounds[-1]}: {errors}"

        assert toxics(sandbox) == [], rounds
        assert wait_until_gone(faultdrill_home) == [], rounds
        assert FaultLedger.default().pending() == [], rounds
        assert holders(targets) == [], rounds
    assert len(rounds) >= 5, rounds
    assert any(r.startswith("SIGKILL") for r in rounds), rounds
