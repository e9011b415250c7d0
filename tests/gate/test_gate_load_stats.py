"""``faultdrill gate --load-stats``: a load test's Locust figures gate a deployment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from faultdrill.cli.main import cli
from faultdrill.exitcodes import ExitCode
from state.cli_run import faultdrill

HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)
SLOS = {
    "service": "localizevideos-staging",
    "slos": [
        {"name": "home", "objective": 99.9,
         "sli": {"type": "availability", "source": "load-generator",
                 "request": {"path": "/"}}},
        {"name": "api-p95", "objective": 95,
         "sli": {"type": "latency", "threshold-ms": 500, "source": "load-generator",
                 "request": {"path": "/api/videos/42"}}},
    ],
}  # fmt: skip


def files(tmp_path: Path, home_failures: int, api_p95_ms: int) -> tuple[Path, Path]:
    slo_file = tmp_path / "slos.yaml"
    slo_file.write_text(yaml.safe_dump(SLOS))
    stats = tmp_path / "run_stats.csv"
    rows = [
        f"GET,/,10000,{home_failures},12,14,2,180,512,333,0,"
        "12,13,14,15,18,25,40,60,150,180,180",
        f"GET,/api/videos/42,2000,0,120,150,80,2600,256,66,0,"
        f"120,140,160,180,300,{api_p95_ms},{api_p95_ms + 50},700,2400,2600,2600",
    ]
    stats.write_text("\n".join([HEADER, *rows]) + "\n")
    return slo_file, stats


def gate(slo_file: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["gate", "--no-host", "--slo-file", str(slo_file), *args]
    )
    return result.exit_code, result.output


def test_a_load_test_within_its_slos_lets_the_deployment_go(tmp_path: Path) -> None:
    slo_file, stats = files(tmp_path, home_failures=5, api_p95_ms=450)

    code, output = gate(slo_file, "--load-stats", str(stats), "--load-duration", "30")

    assert code == ExitCode.HELD, output
    assert output.startswith("gate: ALLOWED")


def test_failures_and_latency_of_a_load_test_block_with_both_reasons(
    tmp_path: Path,
) -> None:
    slo_file, stats = files(tmp_path, home_failures=40, api_p95_ms=650)

    code, output = gate(
        slo_file, "--load-stats", str(stats), "--load-duration", "30", "--json"
    )

    assert code == ExitCode.REFUSED, output
    reasons = {r["code"]: r["message"] for r in json.loads(output)["reasons"]}
    assert set(reasons) == {"load-test-breach", "latency-over-slo"}
    assert reasons["load-test-breach"] == (
        "home: the load test's statistics show 99.600% good (40 of 10000 failed "
        "over 30 s), below the objective 99.9%"
    )
    assert "api-p95" in reasons["latency-over-slo"]


@pytest.mark.parametrize(
    ("given", "missing"),
    [("--load-stats", "--load-duration"), ("--load-duration", "--load-stats")],
)
def test_stats_and_duration_go_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, missing: str
) -> None:
    slo_file, stats = files(tmp_path, home_failures=0, api_p95_ms=100)
    value = str(stats) if given == "--load-stats" else "30"

    ran = faultdrill(
        "gate", "--no-host", "--slo-file", str(slo_file), given, value,
        monkeypatch=monkeypatch,
    )  # fmt: skip

    assert ran.code == ExitCode.INVALID_INPUT
    assert ran.clean
    assert f"{given}: needs {missing} too" in ran.err


def test_a_file_that_is_not_locust_stats_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slo_file, _ = files(tmp_path, home_failures=0, api_p95_ms=100)
    other = tmp_path / "notes.csv"
    other.write_text("when,what\nmonday,deploy\n")

    ran = faultdrill(
        "gate", "--no-host", "--slo-file", str(slo_file),
        "--load-stats", str(other), "--load-duration", "30",
        monkeypatch=monkeypatch,
    )  # fmt: skip

    assert ran.code == ExitCode.INVALID_INPUT
    assert ran.clean
    assert f"{other}: header: lacks Type, Name, Request Count" in ran.err


def test_a_binary_stats_file_is_named_not_a_decode_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slo_file, _ = files(tmp_path, home_failures=0, api_p95_ms=100)
    binary = tmp_path / "run_stats.csv"
    binary.write_bytes(bytes(range(256)))

    ran = faultdrill(
        "gate", "--no-host", "--slo-file", str(slo_file),
        "--load-stats", str(binary), "--load-duration", "10",
        monkeypatch=monkeypatch,
    )  # fmt: skip

    assert ran.code == ExitCode.INVALID_INPUT and ran.clean
    assert f"{binary}: is not a CSV text file" in ran.err
