"""Bad gate options and threshold files: exit 2 naming the option, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultdrill.errors import InvalidInput
from faultdrill.exitcodes import ExitCode
from faultdrill.gate.live import check_url, prometheus_client
from faultdrill.gate.thresholds import load_thresholds
from state.cli_run import faultdrill

PROMETHEUS_SLO = """\
service: shop
slos:
  - name: api-availability
    objective: 99
    sli:
      type: availability
      source: prometheus
      prometheus: {total: http_requests_total, bad: 'http_requests_total{code="500"}'}
"""


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--min-budget-left", "nan", "finite number"),
        ("--min-budget-left", "-5", "greater than or equal to 0"),
        ("--min-budget-left", "1e999", "finite number"),
        ("--min-budget-left", "101", "less than or equal to 100"),
        ("--spike-burn-rate", "-1", "greater than 0"),
        ("--spike-burn-rate", "inf", "finite number"),
        ("--max-load", "nan", "finite number"),
        ("--max-cpu", "0", "greater than 0"),
        ("--max-memory", "-inf", "finite number"),
    ],
)
def test_out_of_range_option_is_invalid_input_naming_the_option(
    monkeypatch: pytest.MonkeyPatch, option: str, value: str, says: str
) -> None:
    ran = faultdrill("gate", "--no-host", option, value, monkeypatch=monkeypatch)

    assert ran.code == ExitCode.INVALID_INPUT
    assert ran.clean
    assert f"faultdrill gate: {option}: got " in ran.err
    assert says in ran.err


@pytest.mark.parametrize("command", ["gate", "budget"])
@pytest.mark.parametrize("url", ["not a url", "ftp://h/", "http://h:abc", "http://"])
def test_prometheus_url_that_is_no_http_url_is_invalid_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str, url: str
) -> None:
    slo_file = tmp_path / "slos.yaml"
    slo_file.write_text(PROMETHEUS_SLO)
    args = [command, "--slo-file", str(slo_file), "--prometheus", url]
    if command == "gate":
        args.append("--no-host")

    ran = faultdrill(*args, monkeypatch=monkeypatch)

    assert ran.code == ExitCode.INVALID_INPUT
    assert ran.clean
    assert f"--prometheus (or FAULTDRILL_PROMETHEUS_URL): {url!r} is not" in ran.err


def test_prometheus_url_from_the_environment_is_checked_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FAULTDRILL_PROMETHEUS_URL", "localhost:9090")

    with pytest.raises(InvalidInput, match="is not an HTTP URL"):
        prometheus_client(None)


def test_an_http_url_with_a_port_is_accepted() -> None:
    assert check_url("http://127.0.0.1:9090") == "http://127.0.0.1:9090"


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("min-budget-left", "min_budget_left_percent"),
        ("min-budget-left-percent", "min_budget_left_percent"),
        ("max-cpu", "max_cpu_percent"),
        ("max-memory", "max_memory_percent"),
        ("max-load", "max_load_per_core"),
    ],
)
def test_thresholds_file_accepts_the_cli_option_names(
    tmp_path: Path, key: str, field: str
) -> None:
    path = tmp_path / "thresholds.yaml"
    path.write_text(f"{key}: 42\n")

    assert getattr(load_thresholds(path), field) == 42


def test_thresholds_file_rejects_a_value_that_is_not_finite(tmp_path: Path) -> None:
    path = tmp_path / "thresholds.yaml"
    path.write_text("spike-burn-rate: .inf\n")

    with pytest.raises(InvalidInput, match="spike-burn-rate: Input should be a finite"):
        load_thresholds(path)


def test_option_overrides_a_thresholds_file_written_with_option_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "thresholds.yaml"
    path.write_text("min-budget-left: 100\n")

    from_file = faultdrill(
        "gate", "--no-host", "--thresholds", str(path), monkeypatch=monkeypatch
    )
    overridden = faultdrill(
        "gate", "--no-host", "--thresholds", str(path), "--min-budget-left", "0",
        monkeypatch=monkeypatch,
    )  # fmt: skip

    assert from_file.code == ExitCode.REFUSED  # 100% left is "at or below 100%"
    assert overridden.code == ExitCode.HELD
