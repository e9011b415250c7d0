"""End to end: real experiments against the real sandbox on loopback.

Each test runs ``faultdrill run`` as a user would, in its own process, and
then checks the verdicts, the journal, and that no fault is left behind.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import requests
import yaml

from faultdrill.gate.locks import target_lock
from faultdrill.sandbox.control import running_sandbox
from faultdrill.sandbox.state import SandboxState
from helpers.e2e import (
    EXPERIMENTS,
    env_for,
    faultdrill,
    run_command,
    run_experiment,
    short_experiment,
    start_run,
    toxics,
    wait_for_toxic,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxState]:
    with running_sandbox() as state:
        yield state


def verdicts(journal: dict[str, Any], phase: str) -> dict[str, dict[str, Any]]:
    phases = journal["faultdrill"]["phases"]
    return {v["slo"]: v for v in phases[phase]["verdicts"]}


def test_absorbed_latency_holds(
    sandbox: SandboxState, faultdrill_home: Path, tmp_path: Path
) -> None:
    journal_path = tmp_path / "journal.json"
    junit_path = tmp_path / "junit.xml"
    result = run_experiment(
        sandbox,
        faultdrill_home,
        EXPERIMENTS / "api-latency-absorbed.yaml",
        journal_path,
        "--junit",
        str(junit_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    journal = json.loads(journal_path.read_text())
    assert journal["faultdrill"]["outcome"] == "held"
    assert journal["status"] == "completed" and journal["deviated"] is False
    for phase in ("before", "during", "after"):
        verdict = verdicts(journal, phase)["api-latency-p95"]
        assert verdict["status"] == "held"
        assert verdict["total"] >= verdict["samples_needed"] >= 59
    during = verdicts(journal, "during")["api-latency-p95"]["latency"]
    before = verdicts(journal, "before")["api-latency-p95"]["latency"]
    # 100 ms (+-10) of catalog latency shows in the API's median, not before
    assert 90 <= during["p50_ms"] <= 400
    assert before["p50_ms"] < 80
    assert [r["status"] for r in journal["run"]] == ["succeeded"]
    assert [r["status"] for r in journal["rollbacks"]] == ["succeeded"]
    assert toxics(sandbox) == []
    assert "held" in result.stdout.lower()
    assert journal["faultdrill"]["incident"] is None
    assert journal["faultdrill"]["gate"]["allowed"] is True
    series = journal["faultdrill"]["series"]["slos"][0]
    assert series["slo"] == "api-latency-p95" and len(series["points"]) >= 15
    suite = ElementTree.parse(junit_path).getroot()
    cases = [c.get("name") for c in suite.iter("testcase")]
    assert any("api-latency-p95" in str(c) and "during" in str(c) for c in cases), cases
    assert not list(suite.iter("failure"))


def test_breaking_latency_deviates_and_is_rolled_back(
    sandbox: SandboxState, faultdrill_home: Path, tmp_path: Path
) -> None:
    journal_path = tmp_path / "journal.json"
    result = run_experiment(
        sandbox,
        faultdrill_home,
        EXPERIMENTS / "api-latency-breaks-p95.yaml",
        journal_path,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    journal = json.loads(journal_path.read_text())
    assert journal["faultdrill"]["outcome"] == "deviated"
    assert journal["deviated"] is True
    assert verdicts(journal, "before")["api-latency-p95"]["status"] == "held"
    during = verdicts(journal, "during")["api-latency-p95"]
    assert during["status"] == "deviated"
    assert during["latency"]["p95_ms"] > 500
    assert verdicts(journal, "after")["api-latency-p95"]["status"] == "held"
    assert toxics(sandbox) == []
    assert "DEVIATED" in result.stdout
    incident = journal["faultdrill"]["incident"]
    assert incident["run_id"] == journal["faultdrill"]["run_id"]
    assert incident["severity"] in ("SEV-2", "SEV-3")
    (cost,) = journal["faultdrill"]["budget"]
    assert cost["slo"] == "api-latency-p95" and cost["budget_spent"] > 0
    assert [r["status"] for r in journal["rollbacks"]] == ["succeeded"]

    # The report reads the incident exactly as the runner wrote it.
    env = env_for(sandbox, faultdrill_home)
    reported = run_command(env, "report", str(journal_path))
    assert reported.returncode == 0, reported.stdout + reported.stderr
    html = journal_path.with_suffix(".html").read_text()
    assert incident["id"] in html and incident["severity"] in html
    postmortem = journal_path.with_name("journal-postmortem.md")
    assert postmortem.exists() == (incident["severity"] == "SEV-2")


@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"]
)
def test_a_signal_during_the_fault_rolls_back(
    sandbox: SandboxState, faultdrill_home: Path, tmp_path: Path, signum: int
) -> None:
    journal_path = tmp_path / "journal.json"
    process = subprocess.Popen(
        faultdrill(
            "run", str(short_experiment(tmp_path)), "--journal", str(journal_path)
        ),
        env=env_for(sandbox, faultdrill_home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_toxic(sandbox)
        process.send_signal(signum)
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130, output
    assert toxics(sandbox) == []
    journal = json.loads(journal_path.read_text())
    assert journal["faultdrill"]["outcome"] == "interrupted"
    assert [r["status"] for r in journal["rollbacks"]] == ["succeeded"]


def test_a_failing_action_aborts_and_rolls_back(
    sandbox: SandboxState, faultdrill_home: Path, tmp_path: Path
) -> None:
    document = yaml.safe_load(short_experiment(tmp_path).read_text())
    failing = {
        "type": "action",
        "name": "break-on-purpose",
        "provider": {
            "type": "python",
            "module": "chaosfaultdrill.network",
            "func": "add_toxic",
            # Valid as written; the proxy answers 400 (a slicer of 0 bytes
            # recurses forever in Toxiproxy, PR #770), so the action fails.
            "arguments": {
                "proxy": "catalog",
                "toxic_type": "slicer",
                "attributes": {"average_size": 0},
            },
        },
    }
    document["method"][0]["pauses"] = {}
    document["method"].append(failing)
    path = tmp_path / "failing.yaml"
    path.write_text(yaml.safe_dump(document))
    journal_path = tmp_path / "journal.json"
    result = run_experiment(sandbox, faultdrill_home, path, journal_path)
    assert result.returncode == 4, result.stdout + result.stderr
    journal = json.loads(journal_path.read_text())
    assert journal["faultdrill"]["outcome"] == "aborted"
    assert "break-on-purpose" in journal["faultdrill"]["reason"]
    assert toxics(sandbox) == []


def test_a_killed_run_blocks_the_next_until_recovered(
    sandbox: SandboxState, faultdrill_home: Path, tmp_path: Path
) -> None:
    process = subprocess.Popen(
        faultdrill(
            "run",
            str(short_experiment(tmp_path)),
            "--journal",
            str(tmp_path / "j.json"),
        ),
        env=env_for(sandbox, faultdrill_home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_toxic(sandbox)
        process.kill()  # SIGKILL: no rollback can run
        process.wait(timeout=10)
    finally:
        process.kill()
    assert len(toxics(sandbox)) == 1  # an external proxy keeps the fault

    refused = run_experiment(
        sandbox, faultdrill_home, short_experiment(tmp_path), tmp_path / "j2.json"
    )
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "faultdrill recover" in refused.stdout + refused.stderr
    assert len(toxics(sandbox)) == 1  # refused: nothing more injected

    env = env_for(sandbox, faultdrill_home)
    recovered = run_command(env, "recover")
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert toxics(sandbox) == []
    again = run_command(env, "recover")
    assert again.returncode == 0 and "nothing to recover" in again.stdout


def test_the_guard_aborts_a_breaking_method_before_its_declared_end(
    sandbox: SandboxState, faultdrill_home: Path, tmp_path: Path
) -> None:
    document = yaml.safe_load(
        (EXPERIMENTS / "api-latency-guard-aborts.yaml").read_text()
    )
    document["slo"].update(before="3s", after="3s", **{"recovery-within": "1s"})
    document["slo"]["probe-rate"] = 40
    path = tmp_path / "guard.yaml"
    path.write_text(yaml.safe_dump(document))
    journal_path = tmp_path / "journal.json"
    result = run_experiment(sandbox, faultdrill_home, path, journal_path)
    assert result.returncode == 4, result.stdout + result.stderr
    journal = json.loads(journal_path.read_text())
    fd = journal["faultdrill"]
    assert fd["outcome"] == "aborted"
    assert "the guard aborted the method" in fd["reason"]
    assert "api-latency-p95 burns its error budget" in fd["guard"]["breach"]
    assert fd["guard"]["abort_to_reverted_s"] >= 0
    declared = document["method"][0]["pauses"]["after"]
    assert fd["phases"]["during"]["duration"] < declared / 2
    assert [r["status"] for r in journal["rollbacks"]] == ["succeeded"]
    assert toxics(sandbox) == []


def test_a_second_ctrl_c_during_rollback_does_not_skip_it(
    sandbox: SandboxState, faultdrill_home: Path, tmp_path: Path
) -> None:
    document = yaml.safe_load(short_experiment(tmp_path).read_text())
    # A slow rollback, so that the second Ctrl-C lands inside it.
    document["rollbacks"][0]["pauses"] = {"before": 3}
    path = tmp_path / "slow-rollback.yaml"
    path.write_text(yaml.safe_dump(document))
    journal_path = tmp_path / "journal.json"
    process = start_run(
        sandbox,
        faultdrill_home,
        path,
        journal_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_toxic(sandbox)
        process.send_signal(signal.SIGINT)
        time.sleep(1.0)  # inside the 3 s pause before the rollback action
        assert toxics(sandbox), "the rollback should still be pausing"
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 130, output
    assert "rolling back continues" in output
    assert toxics(sandbox) == []
    journal = json.loads(journal_path.read_text())
    assert [r["status"] for r in journal["rollbacks"]] == ["succeeded"]


def test_secrets_never_reach_the_journal_or_the_output(
    sandbox: SandboxState, faultdrill_home: Path, tmp_path: Path
) -> None:
    secret = "s3cr3t-token-value-9f2c"
    document = yaml.safe_load(short_experiment(tmp_path).read_text())
    document["method"][0]["pauses"] = {"after": 2.5}
    document["secrets"] = {
        "catalog": {
            "token": secret,
            "from_env": {"type": "env", "key": "CATALOG_TOKEN"},
        }
    }
    document["method"].append(
        {
            "type": "probe",
            "name": "homepage-with-token",
            "provider": {
                "type": "http",
                "url": sandbox.web_url + "/?token=${token}",
                "headers": {"Authorization": "Bearer ${token}"},
                "secrets": ["catalog"],
            },
        }
    )
    path = tmp_path / "secret.yaml"
    path.write_text(yaml.safe_dump(document))
    journal_path = tmp_path / "journal.json"
    env = env_for(sandbox, faultdrill_home) | {"CATALOG_TOKEN": secret + "-env"}
    result = subprocess.run(
        faultdrill("-v", "run", str(path), "--journal", str(journal_path)),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert secret not in journal_path.read_text()
    assert secret not in result.stdout + result.stderr
    assert [r["status"] for r in json.loads(journal_path.read_text())["run"]] == [
        "succeeded",
        "succeeded",
    ]


def test_an_unmet_steady_state_before_injects_nothing(
    sandbox: SandboxState, faultdrill_home: Path, tmp_path: Path
) -> None:
    # Someone else's slowdown is already on the catalog: the API starts out
    # over its p95 SLO, so the run must stop before its own fault.
    api = f"{sandbox.toxiproxy_url}/proxies/catalog/toxics"
    slowdown = {
        "name": "earlier-slowdown",
        "type": "latency",
        "attributes": {"latency": 900},
    }
    requests.post(api, json=slowdown, timeout=5).raise_for_status()
    try:
        journal_path = tmp_path / "j.json"
        result = run_experiment(
            sandbox, faultdrill_home, short_experiment(tmp_path), journal_path
        )
        assert [t["name"] for t in toxics(sandbox)] == ["earlier-slowdown"]
    finally:
        requests.delete(f"{api}/earlier-slowdown", timeout=5)
    assert result.returncode == 1, result.stdout + result.stderr
    journal = json.loads(journal_path.read_text())
    assert verdicts(journal, "before")["api-latency-p95"]["status"] == "deviated"
    assert "nothing injected" in journal["faultdrill"]["reason"]
    assert not [r for r in journal["run"] if r["activity"]["type"] == "action"]


def test_an_open_incident_refuses_the_run_and_injects_nothing(
    sandbox: SandboxState, faultdrill_home: Path, tmp_path: Path
) -> None:
    env = env_for(sandbox, faultdrill_home)
    opened = run_command(
        env, "incident", "open", "--title", "login outage", "--sev", "2"
    )
    assert opened.returncode == 0, opened.stdout + opened.stderr

    result = run_experiment(
        sandbox, faultdrill_home, short_experiment(tmp_path), tmp_path / "j.json"
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "INC-0001" in result.stdout + result.stderr
    assert toxics(sandbox) == []


def test_a_target_held_by_another_run_refuses_this_one(
    sandbox: SandboxState, faultdrill_home: Path, tmp_path: Path
) -> None:
    with target_lock(["proxy:catalog"], "someone-elses-drill"):
        result = run_experiment(
            sandbox, faultdrill_home, short_experiment(tmp_path), tmp_path / "j.json"
        )
        assert toxics(sandbox) == []
    assert result.returncode == 3, result.stdout + result.stderr
    assert "held by experiment 'someone-elses-drill'" in result.stdout + result.stderr
