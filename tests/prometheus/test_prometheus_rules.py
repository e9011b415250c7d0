"""Rule export: recording and multiwindow alerts, accepted by promtool."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from faultdrill.cli.main import cli
from faultdrill.prometheus.rules import error_ratio, rules_document, skipped
from faultdrill.slo.model import load_slo_file

from .conftest import SLO_FILE

PROMTOOL = shutil.which("promtool")
requires_promtool = pytest.mark.skipif(
    PROMTOOL is None,
    reason="promtool is not installed (Debian's prometheus package ships it)",
)


def promtool_check(path: Path) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run(
        [PROMTOOL, "check", "rules", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@requires_promtool
def test_promtool_accepts_the_exported_rules(tmp_path: Path) -> None:
    output = tmp_path / "rules.yaml"

    result = CliRunner().invoke(
        cli, ["slo", "rules", "--slo-file", str(SLO_FILE), "-o", str(output)]
    )
    checked = promtool_check(output)

    assert result.exit_code == 0, result.output
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # 5 Prometheus SLOs x 5 windows recorded, x 3 alert rows
    assert "SUCCESS: 40 rules found" in checked.stdout


@requires_promtool
def test_promtool_rejects_a_broken_rule_so_the_check_means_something(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "groups: [{name: g, rules: [{record: 'x:y', expr: 'sum(rate(a[5m]'}]}]\n"
    )

    assert promtool_check(broken).returncode != 0


def test_each_alert_pairs_a_long_and_a_short_window_at_the_workbook_rates() -> None:
    document = rules_document(load_slo_file(SLO_FILE))
    alerts = [
        r for r in document["groups"][1]["rules"] if r["labels"]["slo"] == "pages-2xx"
    ]

    rows = [
        (
            a["labels"]["severity"],
            a["labels"]["long_window"],
            a["labels"]["short_window"],
        )
        for a in alerts
    ]
    assert rows == [("page", "1h", "5m"), ("page", "6h", "30m"), ("ticket", "3d", "6h")]
    assert "slo:sli_error:ratio_rate1h{" in alerts[0]["expr"]
    assert "> (14.4 * 0.01)" in alerts[0]["expr"]
    assert "slo:sli_error:ratio_rate5m{" in alerts[0]["expr"]


def test_recording_rules_cover_every_burn_window() -> None:
    document = rules_document(load_slo_file(SLO_FILE))

    recorded = {
        r["record"]
        for r in document["groups"][0]["rules"]
        if r["labels"]["slo"] == "pages-4xx"
    }

    assert recorded == {
        f"slo:sli_error:ratio_rate{w}" for w in ("5m", "30m", "1h", "6h", "3d")
    }


def test_latency_error_ratio_compares_the_threshold_bucket_with_all() -> None:
    slo = load_slo_file(SLO_FILE).get("api-latency-p95")

    expr = error_ratio(slo, 300)

    assert expr == (
        '1 - (sum(increase(http_request_duration_seconds_bucket{route="/api/videos/{id}", '
        'le="0.5"}[5m]))) / (sum(increase(http_request_duration_seconds_bucket'
        '{route="/api/videos/{id}", le="+Inf"}[5m])))'
    )


def test_a_whole_second_threshold_matches_both_client_spellings(tmp_path: Path) -> None:
    path = tmp_path / "slos.yaml"
    path.write_text(
        yaml.safe_dump({
            "service": "s",
            "slos": [{
                "name": "slow", "objective": 99,
                "sli": {"type": "latency", "threshold-ms": 1000, "source": "prometheus",
                        "prometheus": {"histogram": "h_bucket"}},
            }],
        })
    )  # fmt: skip

    expr = error_ratio(load_slo_file(path).get("slow"), 3600)

    assert 'h_bucket{le=~"1|1.0"}[1h]' in expr


def test_slos_without_promql_are_left_out_and_named() -> None:
    result = CliRunner().invoke(cli, ["slo", "rules", "--slo-file", str(SLO_FILE)])

    assert skipped(load_slo_file(SLO_FILE)) == ["homepage-probed"]
    assert "no PromQL for homepage-probed" in result.stderr
    assert "homepage-probed" not in result.stdout
