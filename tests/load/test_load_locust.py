"""Locust runs in its own processes: rates, locustfiles, workers, and cleanup."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from faultdrill.load.launch import LOCUST, Topology, free_port
from faultdrill.load.plan import Criterion
from faultdrill.load.profile import ConstantProfile
from faultdrill.load.run import LoadRun, run_load
from faultdrill.sandbox.control import running_sandbox
from faultdrill.sandbox.state import SandboxState
from faultdrill.slo.model import Request, default_slo_file

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
MARK = "faultdrill_locustfile"  # in the command line of every Locust process we start


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxState]:
    with running_sandbox() as state:
        yield state


def locust_processes() -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if any(MARK in part for part in process.info["cmdline"] or []):
            found.append(process)
    return found


def wait_until_gone(limit_s: float) -> list[psutil.Process]:
    deadline = time.monotonic() + limit_s
    while (left := locust_processes()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def test_a_constant_profile_reaches_its_rate_with_the_default_request(
    sandbox: SandboxState,
) -> None:
    slo = default_slo_file().get("api-latency-p95")
    run = LoadRun(
        target=sandbox.web_url,
        profile=ConstantProfile(type="constant", rate=100, duration_s=3),
        request=Request(path="/api/videos/42"),
        criteria=[Criterion.of(slo)],
    )
    result = run_load(run)
    (step,) = result.steps
    assert step.steady_rps == pytest.approx(100, rel=0.03)
    assert step.statuses == {"200": step.requests}
    assert step.slo["api-latency-p95"].bad == 0
    signals = result.signals
    assert signals.errors == 0 and signals.latency.p95_ms is not None
    assert signals.saturation.host_cpu_pct is not None
    assert result.locust_totals["requests"] >= step.requests
    assert json.dumps(result.to_json())  # JSON-friendly for the journal
    assert locust_processes() == []


def test_local_and_remote_workers_share_the_rate(sandbox: SandboxState) -> None:
    port = free_port()
    # A worker started elsewhere, as on another host: it fetches the
    # generated locustfile, plan included, from the master.
    remote = subprocess.Popen(
        [
            *LOCUST,
            "-f",
            "-",
            "--worker",
            "--master-host",
            "127.0.0.1",
            "--master-port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        run = LoadRun(
            target=sandbox.web_url,
            profile=ConstantProfile(type="constant", rate=60, duration_s=2.5),
            topology=Topology(workers=1, remote_workers=1, master_port=port),
        )
        result = run_load(run)
        remote.wait(timeout=10)  # told to quit by the master
    finally:
        remote.kill()
        remote.wait()
    assert result.workers == 2
    (step,) = result.steps
    assert step.steady_rps == pytest.approx(60, rel=0.05), step
    assert locust_processes() == []


def test_a_users_locustfile_runs_paced_to_the_profile(sandbox: SandboxState) -> None:
    run = LoadRun(
        target=sandbox.web_url,
        profile=ConstantProfile(type="constant", rate=60, duration_s=3),
        locustfile=REPO / "locustfiles" / "sandbox_browse.py",
    )
    (step,) = run_load(run).steps
    assert step.steady_rps == pytest.approx(60, rel=0.05)
    assert set(step.statuses) == {"200"}


RUNNER = textwrap.dedent(
    """
    import sys
    from faultdrill.load.launch import LOCUST, Topology, free_port
    from faultdrill.load.profile import ConstantProfile
    from faultdrill.load.run import LoadRun, run_load
    print("started", flush=True)
    run_load(LoadRun(target=sys.argv[1], topology=Topology(workers=int(sys.argv[2])),
                     profile=ConstantProfile(type="constant", rate=20, duration_s=60)))
    """
)


@pytest.mark.parametrize(
    ("signum", "workers"),
    [(signal.SIGINT, 0), (signal.SIGKILL, 1)],
    ids=["ctrl-c", "sigkill-distributed"],
)
def test_no_locust_process_outlives_its_runner(
    sandbox: SandboxState, signum: int, workers: int
) -> None:
    runner = subprocess.Popen(
        [sys.executable, "-c", RUNNER, sandbox.web_url, str(workers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert runner.stdout is not None and runner.stdout.readline() == "started\n"
        deadline = time.monotonic() + 15
        while len(locust_processes()) < 1 + workers and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(locust_processes()) == 1 + workers
        os.kill(runner.pid, signum)
        runner.wait(timeout=10)
        # SIGKILL leaves no finally: the processes notice their parent is gone
        assert wait_until_gone(3.0) == []
    finally:
        runner.kill()
        runner.wait()
        if runner.stdout is not None:
            runner.stdout.close()
        for process in locust_processes():
            process.kill()


def test_the_runner_side_never_imports_locust() -> None:
    probe = (
        "import sys, faultdrill.load.run, faultdrill.load.validate, faultdrill.load.steps;"
        "print('locust' in sys.modules, 'gevent' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["False", "False"]
