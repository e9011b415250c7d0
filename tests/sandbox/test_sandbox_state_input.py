"""A sandbox state file that cannot be read: never "no sandbox", never a leak."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from faultdrill.errors import InvalidInput
from faultdrill.exitcodes import ExitCode
from faultdrill.sandbox import control, state
from faultdrill.sandbox.config import SandboxConfig
from faultdrill.sandbox.state import SandboxState, UnreadableState
from helpers.processes import running_children
from state.cli_run import faultdrill

pytestmark = pytest.mark.usefixtures("no_process_left")

SPOILED = {
    "not-utf8": b"\xff\xfe{",
    "not-json": b"{",
    "not-a-state": b'{"web_url": 3}',
}


sandbox_children = running_children


def _state_file(home: Path) -> Path:
    return home / "sandbox" / state.STATE_FILE


@pytest.fixture
def spoiled_while_up(sandbox_home: Path) -> Iterator[SandboxState]:
    """A running sandbox whose state file was then overwritten with junk."""
    running = control.up(SandboxConfig.ephemeral())
    _state_file(sandbox_home).write_bytes(SPOILED["not-utf8"])
    try:
        yield running
    finally:
        control.down()


def _alive(sandbox: SandboxState) -> list[bool]:
    return [psutil.pid_exists(p.pid) for p in sandbox.processes]


@pytest.mark.e2e
def test_status_and_up_name_the_file_and_the_running_pids(
    spoiled_while_up: SandboxState, sandbox_home: Path
) -> None:
    pids = " ".join(str(p.pid) for p in spoiled_while_up.processes)

    for call in (control.status, control.recorded):
        with pytest.raises(UnreadableState) as caught:
            call()
        assert str(caught.value).startswith(f"{_state_file(sandbox_home)}: is not")
        assert f"stop them with 'kill {pids}'" in str(caught.value)
    with pytest.raises(UnreadableState):
        control.up(SandboxConfig.ephemeral())

    assert len(sandbox_children()) == len(spoiled_while_up.processes)
    mine = control.leftover_daemons(sandbox_home / "sandbox")
    assert sorted(str(p.pid) for p in mine) == sorted(pids.split())
    assert control.leftover_daemons(sandbox_home / "elsewhere" / "sandbox") == []


@pytest.mark.e2e
def test_down_stops_this_homes_daemons_and_sets_the_file_aside(
    spoiled_while_up: SandboxState, sandbox_home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    control.down()

    assert not any(_alive(spoiled_while_up))
    directory = sandbox_home / "sandbox"
    assert control.leftover_daemons(directory) == []
    assert not _state_file(sandbox_home).exists()
    (aside,) = directory.glob("state.json.unreadable-*")
    assert aside.read_bytes() == SPOILED["not-utf8"]
    assert "stopped the sandbox processes of this home" in caplog.text
    assert control.recorded() is None


@pytest.mark.parametrize("kind", sorted(SPOILED))
@pytest.mark.parametrize("command", ["status", "down", "up"])
def test_sandbox_commands_with_an_unreadable_state_exit_two(
    sandbox_home: Path, monkeypatch: pytest.MonkeyPatch, kind: str, command: str
) -> None:
    path = _state_file(sandbox_home)
    path.parent.mkdir(parents=True)
    path.write_bytes(SPOILED[kind])

    ran = faultdrill("sandbox", command, monkeypatch=monkeypatch)

    assert ran.code == ExitCode.INVALID_INPUT
    assert ran.clean
    assert f"{path}: is not a sandbox state" in ran.err
    assert "no sandbox process of this home runs" in ran.err
    assert sandbox_children() == []


def test_up_with_a_directory_for_state_starts_nothing(sandbox_home: Path) -> None:
    _state_file(sandbox_home).mkdir(parents=True)

    with pytest.raises(UnreadableState, match="is a directory, not a file"):
        control.up(SandboxConfig.ephemeral())

    assert sandbox_children() == []


def test_up_with_a_directory_for_the_lock_is_invalid_input(sandbox_home: Path) -> None:
    (sandbox_home / "sandbox" / control.LOCK_FILE).mkdir(parents=True)

    with pytest.raises(InvalidInput, match="the sandbox lock cannot be opened"):
        control.up(SandboxConfig.ephemeral())


@pytest.mark.e2e
def test_a_state_that_cannot_be_written_stops_what_was_started(
    sandbox_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(directory: Path, sandbox: SandboxState) -> None:
        raise InvalidInput.single(str(directory), "", "disk full")

    monkeypatch.setattr(state, "save", refuse)

    with pytest.raises(InvalidInput, match="disk full"):
        control.up(SandboxConfig.ephemeral())

    assert sandbox_children() == []


READY = "/h/sandbox/web.ready"


@pytest.mark.parametrize(
    ("cmdline", "ours"),
    [
        (["python", "-m", "faultdrill.sandbox.daemon", "web", "--ready-file", READY],
         True),
        (["python", "-m", "faultdrill", "proxy", "serve", "--ready-file", READY],
         True),
        (["python", "-m", "faultdrill.sandbox.daemon", "web", "--ready-file",
          "/other/sandbox/web.ready"], False),
        (["python", "-m", "something.else", "--ready-file", READY], False),
        (["python", "-m", "faultdrill.sandbox.daemon", "web"], False),
        (["python", "-m", "faultdrill.sandbox.daemon", "--ready-file"], False),
        ([], False),
    ],
    ids=["daemon", "proxy", "other-home", "other-program", "no-ready-file",
         "ready-file-without-path", "no-cmdline"],
)  # fmt: skip
def test_only_our_daemons_of_this_home_are_recognised(
    cmdline: list[str], ours: bool
) -> None:
    assert control._is_daemon(cmdline, {READY}) is ours
