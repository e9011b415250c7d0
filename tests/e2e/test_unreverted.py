"""A fault that cannot be reverted is never reported as a success.

The sandbox's proxy server is killed while the run's toxic is on it: the
rollback cannot reach it, so the run must end ``not-reverted`` (exit 6),
say so, keep the fault in the ledger for ``recover``, and the gate must
block until then. Its own sandbox, since this test kills part of it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from faultdrill.faults.ledger import FaultLedger
from faultdrill.sandbox.control import running_sandbox
from faultdrill.sandbox.state import Component
from helpers.e2e import run_command, short_experiment, start_run, wait_for_toxic

pytestmark = pytest.mark.e2e


def test_a_fault_whose_proxy_died_ends_not_reverted_and_blocks_the_gate(
    faultdrill_home: Path, tmp_path: Path
) -> None:
    with running_sandbox() as sandbox:
        journal = tmp_path / "j.json"
        run = start_run(
            sandbox, faultdrill_home, short_experiment(tmp_path), journal,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for_toxic(sandbox)
            (proxy,) = [p for p in sandbox.processes if p.component is Component.PROXY]
            os.kill(proxy.pid, signal.SIGKILL)
            output, _ = run.communicate(timeout=90)
        finally:
            run.kill()
        assert run.returncode == 6, output
        assert "could not be reverted" in output
        assert "faultdrill recover" in output

        recorded = json.loads(journal.read_text())
        assert recorded["faultdrill"]["outcome"] == "not-reverted"
        assert any(r["outcome"].startswith("failed") for r in recorded["faultdrill"]["reverts"])
        ledger = FaultLedger(faultdrill_home / "faults.jsonl")
        (left,) = ledger.pending()

        env = {**os.environ, "FAULTDRILL_HOME": str(faultdrill_home)}
        gate = run_command(env, "gate", "--no-host")
        assert gate.returncode == 3 and "faults-applied" in gate.stdout
        ledger.forget(left.id, "the test killed its proxy server")
