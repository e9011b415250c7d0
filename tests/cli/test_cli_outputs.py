"""What the commands write besides their verdict: warnings, pages, log lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner

from faultdrill.cli.main import cli

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"


def test_validate_warns_of_a_missing_runbook_and_still_passes(tmp_path: Path) -> None:
    document = yaml.safe_load((EXPERIMENTS / "api-latency-absorbed.yaml").read_text())
    del document["runbook"]
    bare = tmp_path / "no-runbook.yaml"
    bare.write_text(yaml.safe_dump(document))

    result = CliRunner().invoke(
        cli, ["validate", str(bare), str(EXPERIMENTS / "api-latency-absorbed.yaml")]
    )

    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "runbook" in line]
    assert warnings == [
        f"{bare}: runbook: warning: none declared; add a 'runbook' URL so "
        "reports link the procedure this experiment exercises"
    ]


def test_budget_html_writes_a_page_with_every_slo(tmp_path: Path) -> None:
    page = tmp_path / "budget.html"

    result = CliRunner().invoke(cli, ["budget", "--html", str(page)])

    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>")
    for slo in ("homepage-availability", "login-success", "api-latency-p95"):
        assert slo in html
    assert f"budget report: {page}" in result.stderr


def faultdrill(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "faultdrill", *args],
        env={**os.environ, "FAULTDRILL_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_log_format_json_makes_every_log_line_one_json_object(
    faultdrill_home: Path,
) -> None:
    opened = faultdrill(
        faultdrill_home, "--log-format", "json", "incident", "open",
        "--title", "login errors", "--sev", "3",
    )  # fmt: skip

    assert opened.returncode == 0, opened.stderr
    lines = [json.loads(line) for line in opened.stderr.splitlines()]
    assert [line["message"] for line in lines] == [
        "incident INC-0001 opened (SEV-3): login errors"
    ]
    assert lines[0]["level"] == "info"
    assert lines[0]["logger"] == "faultdrill.incidents.store"


def test_plain_log_lines_are_text(faultdrill_home: Path) -> None:
    opened = faultdrill(
        faultdrill_home, "incident", "open", "--title", "login errors", "--sev", "3"
    )

    assert opened.returncode == 0, opened.stderr
    (line,) = opened.stderr.splitlines()
    assert line.endswith("INFO  incident INC-0001 opened (SEV-3): login errors")
