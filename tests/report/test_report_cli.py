from __future__ import annotations

import json
from pathlib import Path

import junitparser
from click.testing import CliRunner
from report_fixtures import load

from faultdrill.cli.report import report


def journal_file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(load(name)))
    return path


def test_by_default_html_markdown_and_postmortem_go_beside_the_journal(
    tmp_path: Path,
) -> None:
    journal = journal_file(tmp_path, "deviated")
    result = CliRunner().invoke(report, [str(journal)])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "deviated.html").read_text()
    assert 'href="deviated-postmortem.md"' in html
    assert (tmp_path / "deviated.md").read_text().startswith("# 600 ms of catalog")
    assert "# Postmortem draft" in (tmp_path / "deviated-postmortem.md").read_text()


def test_a_held_run_gets_no_postmortem(tmp_path: Path) -> None:
    journal = journal_file(tmp_path, "held")
    result = CliRunner().invoke(report, [str(journal)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "held.html",
        "held.json",
        "held.md",
    ]


def test_only_the_files_asked_for_are_written(tmp_path: Path) -> None:
    journal = journal_file(tmp_path, "aborted")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        report, [str(journal), "--junit", str(out / "junit.xml")]
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["junit.xml"]
    assert junitparser.JUnitXml.fromfile(str(out / "junit.xml")).errors == 1


def test_a_file_that_is_not_a_journal_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{}")
    result = CliRunner().invoke(report, [str(path)])
    assert result.exit_code != 0
    assert "not a faultdrill journal" in str(result.exception)
