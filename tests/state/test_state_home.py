"""FAULTDRILL_HOME that cannot be a directory is named, with the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultdrill.errors import InvalidInput
from faultdrill.exitcodes import ExitCode
from faultdrill.home import home, state_dir
from state.cli_run import faultdrill


def _file(tmp_path: Path) -> Path:
    path = tmp_path / "afile"
    path.write_text("not a directory\n")
    return path


def _bad_home(kind: str, tmp_path: Path) -> Path:
    if kind == "a-file":
        return _file(tmp_path)
    if kind == "under-a-file":
        return _file(tmp_path) / "x"
    return Path("/proc/faultdrill-x")  # procfs refuses new directories


@pytest.mark.parametrize(
    ("kind", "why"),
    [
        ("a-file", "is a file, not a directory"),
        ("under-a-file", "lies under a file"),
        ("proc", "cannot be created"),
    ],
)
def test_home_that_cannot_be_a_directory_names_the_variable_and_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, why: str
) -> None:
    bad = _bad_home(kind, tmp_path)
    monkeypatch.setenv("FAULTDRILL_HOME", str(bad))

    with pytest.raises(InvalidInput) as caught:
        home()

    message = str(caught.value)
    assert message.startswith(f"FAULTDRILL_HOME: {bad}: {why}")
    assert "point FAULTDRILL_HOME at a directory" in message


def test_state_dir_with_a_file_in_the_way_names_that_file(
    faultdrill_home: Path,
) -> None:
    faultdrill_home.mkdir()
    (faultdrill_home / "locks").write_text("")

    with pytest.raises(InvalidInput, match=r"locks: is a file, not a directory"):
        state_dir("locks")


def test_state_dir_is_created_under_home(faultdrill_home: Path) -> None:
    assert state_dir("stress") == faultdrill_home / "stress"
    assert (faultdrill_home / "stress").is_dir()


@pytest.mark.parametrize(
    "command",
    [
        ["gate", "--no-host"],
        ["budget"],
        ["incident", "list"],
        ["incident", "show", "INC-0001"],
        ["recover"],
        ["sandbox", "status"],
        ["sandbox", "down"],
    ],
    ids=lambda c: " ".join(c),
)
def test_every_command_with_home_a_file_exits_two_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("FAULTDRILL_HOME", str(_file(tmp_path)))

    ran = faultdrill(*command, monkeypatch=monkeypatch)

    assert ran.code == ExitCode.INVALID_INPUT
    assert ran.clean
    assert "FAULTDRILL_HOME" in ran.err
