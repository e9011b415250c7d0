"""Journals that are not journals, and output paths that cannot be written.

Each ends in exit 2 with the file or option named, never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from report_fixtures import load

from faultdrill.errors import InvalidInput
from faultdrill.exitcodes import ExitCode
from faultdrill.report.record import parse_journal, read_journal
from faultdrill.report.write import check_writable, write_text
from state.cli_run import faultdrill


def _journal(tmp_path: Path, data: dict[str, Any] | None = None) -> Path:
    path = tmp_path / "run.json"
    path.write_text(json.dumps(data if data is not None else load("deviated")))
    return path


def test_journal_that_is_not_utf8_is_invalid_input_naming_the_byte(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run.json"
    path.write_bytes(b'{"faultdrill": "\xff"}')

    with pytest.raises(InvalidInput, match=r"run.json: byte 16: not UTF-8 text"):
        read_journal(path)


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("faultdrill.phases", "x"),
        ("faultdrill.phases.during", 3),
        ("faultdrill.reverts", {"a": 1}),
        ("faultdrill.timeline", "x"),
        ("experiment", ["x"]),
        ("experiment.slo", "x"),
        ("experiment.method", "x"),
        ("run", {"a": 1}),
        ("run[0]", "x"),
        ("run[0].activity", 3),
        ("run[0].activity.provider", "python"),
        ("rollbacks", "x"),
    ],
)
def test_journal_part_of_the_wrong_shape_is_named(where: str, value: Any) -> None:
    data = load("deviated")
    _put(data, where, value)

    with pytest.raises(InvalidInput) as caught:
        parse_journal(data, "run.json")

    assert f"run.json: {where}: is {type(value).__name__}, where a journal has" in (
        str(caught.value)
    )


def _put(data: dict[str, Any], where: str, value: Any) -> None:
    *parents, last = where.replace("[0]", ".0").split(".")
    target: Any = data
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if last.isdigit():
        target[int(last)] = value
    else:
        target[last] = value


def test_report_of_a_misshapen_journal_exits_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = load("deviated")
    data["faultdrill"]["phases"] = "x"

    ran = faultdrill("report", str(_journal(tmp_path, data)), monkeypatch=monkeypatch)

    assert ran.code == ExitCode.INVALID_INPUT
    assert ran.clean
    assert "faultdrill.phases: is str" in ran.err


def _unwritable(kind: str, tmp_path: Path) -> tuple[Path, str]:
    afile = tmp_path / "afile"
    afile.write_text("")
    if kind == "under-a-file":
        return afile / "x", "lies under"
    if kind == "deep-under-a-file":
        return afile / "x" / "y.html", "lies under"
    return Path("/proc/faultdrill-x"), "cannot be written there"  # procfs refuses


KINDS = ["under-a-file", "deep-under-a-file", "proc"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("option", ["--html", "--markdown", "--junit", "--postmortem"])
def test_report_output_that_cannot_be_written_names_option_and_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, option: str
) -> None:
    journal = _journal(tmp_path)
    path, why = _unwritable(kind, tmp_path)

    ran = faultdrill("report", str(journal), option, str(path), monkeypatch=monkeypatch)

    assert ran.code == ExitCode.INVALID_INPUT
    assert ran.clean
    assert f"{option}: {path}: {why}" in ran.err


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("command", "option"),
    [(["budget"], "--html"), (["slo", "rules"], "--output")],
    ids=["budget", "slo-rules"],
)
def test_other_outputs_that_cannot_be_written_name_option_and_path(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    command: list[str],
    option: str,
) -> None:
    path, why = _unwritable(kind, tmp_path)

    ran = faultdrill(*command, option, str(path), monkeypatch=monkeypatch)

    assert ran.code == ExitCode.INVALID_INPUT
    assert ran.clean
    assert f"{option}: {path}: {why}" in ran.err


def test_an_unwritable_output_is_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = _journal(tmp_path)
    html = tmp_path / "ok.html"
    path, _ = _unwritable("under-a-file", tmp_path)

    ran = faultdrill(
        "report", str(journal), "--html", str(html), "--junit", str(path),
        monkeypatch=monkeypatch,
    )  # fmt: skip

    assert ran.code == ExitCode.INVALID_INPUT
    assert not html.exists()


def test_a_directory_given_as_the_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="is a directory; give a file name"):
        check_writable(tmp_path, "--html")


def test_write_text_creates_missing_directories(tmp_path: Path) -> None:
    path = tmp_path / "new" / "dir" / "report.md"

    write_text(path, "# report\n", "--markdown")

    assert path.read_text() == "# report\n"
    assert [p.name for p in path.parent.iterdir()] == ["report.md"]
