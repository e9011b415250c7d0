"""The console script ends quietly when interrupted while it starts up."""

from __future__ import annotations

import importlib.abc
import sys

import pytest

from faultdrill.cli import entry
from faultdrill.exitcodes import ExitCode


class _InterruptOnImport(importlib.abc.MetaPathFinder):
    """Raises KeyboardInterrupt when one module is imported, as Ctrl-C would."""

    def __init__(self, name: str) -> None:
        self.name = name

    def find_spec(self, fullname, path=None, target=None):  # type: ignore[no-untyped-def]
        if fullname == self.name:
            raise KeyboardInterrupt
        return None


def test_ctrl_c_while_importing_exits_130_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delitem(sys.modules, "faultdrill.cli.main", raising=False)
    monkeypatch.setattr(
        sys, "meta_path", [_InterruptOnImport("faultdrill.cli.main"), *sys.meta_path]
    )

    with pytest.raises(SystemExit) as ended:
        entry.main()

    assert ended.value.code == ExitCode.INTERRUPTED
    err = capsys.readouterr().err
    assert err == "interrupted\n"
    assert "Traceback" not in err


def test_console_script_points_at_the_entry() -> None:
    from importlib.metadata import entry_points

    (script,) = [
        ep for ep in entry_points(group="console_scripts") if ep.name == "faultdrill"
    ]
    assert script.value == "faultdrill.cli.entry:main"
