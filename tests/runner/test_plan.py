"""plan shows what would happen and never touches anything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"


def plan(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"FAULTDRILL_HOME": str(home), "PATH": "/usr/bin:/bin", "FAULTDRILL_HOST_CHECK": "0"}
    return subprocess.run(
        [sys.executable, "-m", "faultdrill", "plan", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def test_plan_lists_faults_and_phases_and_allows(faultdrill_home: Path) -> None:
    result = plan(
        str(EXPERIMENTS / "api-latency-absorbed.yaml"), "--json", home=faultdrill_home
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["faults"][0]["description"].startswith(
        "latency 110 ms at most on catalog"
    )
    assert data["phases"]["during (planned)"] == 8.0
    assert data["toxiproxy"] == "an embedded server started for the run"
    assert data["refusals"] == []


def test_plan_of_a_kubernetes_experiment_needs_no_cluster(
    faultdrill_home: Path, tmp_path: Path
) -> None:
    document = yaml.safe_load((EXPERIMENTS / "api-latency-absorbed.yaml").read_text())
    document["blast-radius"]["targets"].update(
        namespaces=["staging"], labels={"app": "video-api"}
    )
    document["blast-radius"]["max-intensity"]["pods"] = 1
    document["method"] = [
        {
            "type": "action",
            "name": "kill-two-api-pods",
            "provider": {
                "type": "python",
                "module": "chaosk8s.pod.actions",
                "func": "terminate_pods",
                "arguments": {
                    "ns": "production",
                    "label_selector": "app=video-api",
                    "qty": 2,
                },
            },
        }
    ]
    document["rollbacks"] = []
    path = tmp_path / "k8s.yaml"
    path.write_text(yaml.safe_dump(document))
    result = plan(str(path), home=faultdrill_home)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "namespace 'production'" in result.stdout
    assert "max-intensity.pods 1" in result.stdout
    validate = subprocess.run(
        [sys.executable, "-m", "faultdrill", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"FAULTDRILL_HOME": str(faultdrill_home), "PATH": "/usr/bin:/bin", "FAULTDRILL_HOST_CHECK": "0"},
    )
    # validate checks the same blast radius, still without a cluster.
    assert validate.returncode == 2, validate.stdout + validate.stderr
    assert (
        "blast-radius: " in validate.stderr
        and "namespace 'production'" in validate.stderr
    )


def test_plan_refuses_as_run_would_while_an_incident_is_open(
    faultdrill_home: Path,
) -> None:
    env = {"FAULTDRILL_HOME": str(faultdrill_home), "PATH": "/usr/bin:/bin", "FAULTDRILL_HOST_CHECK": "0"}
    opened = subprocess.run(
        [
            sys.executable,
            "-m",
            "faultdrill",
            "incident",
            "open",
            "--title",
            "catalog down",
            "--sev",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert opened.returncode == 0, opened.stdout + opened.stderr
    result = plan(
        str(EXPERIMENTS / "api-latency-absorbed.yaml"),
        "--json",
        "--no-host-check",
        home=faultdrill_home,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    refusals = json.loads(result.stdout)["refusals"]
    assert any("INC-0001" in r and "incident-open" in r for r in refusals), refusals


def test_plan_and_gate_refuse_while_a_killed_runs_fault_is_applied(
    faultdrill_home: Path,
) -> None:
    from faultdrill.faults.ledger import FaultKind, FaultLedger, FaultRecord

    killed = subprocess.Popen([sys.executable, "-c", "pass"])
    killed.wait(timeout=30)
    FaultLedger(faultdrill_home / "faults.jsonl").applying(
        FaultRecord(
            owner_pid=killed.pid,
            owner_started=1.0,
            kind=FaultKind.TOXIC,
            target={"api_url": "http://127.0.0.1:1", "proxy": "catalog", "toxic": "t"},
            description="latency toxic on catalog",
        )
    )
    result = plan(
        str(EXPERIMENTS / "api-latency-absorbed.yaml"),
        "--no-host-check",
        home=faultdrill_home,
    )
    assert result.returncode == 3 and "run 'faultdrill recover' first" in result.stdout
    gate = subprocess.run(
        [sys.executable, "-m", "faultdrill", "gate", "--no-host"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"FAULTDRILL_HOME": str(faultdrill_home), "PATH": "/usr/bin:/bin", "FAULTDRILL_HOST_CHECK": "0"},
    )
    assert gate.returncode == 3 and "faults-applied" in gate.stdout + gate.stderr
