"""Running ``faultdrill`` in-process the way its entry point does.

``main()`` maps every error to its exit code; a bug shows as exit 70 with
"internal error" on stderr. Tests of bad input assert neither appears.
"""

from __future__ import annotations

import signal
import sys
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

from faultdrill.cli.main import main
from faultdrill.exitcodes import ExitCode


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str

    @property
    def clean(self) -> bool:
        """Ended without a traceback or an internal error."""
        return (
            self.code != ExitCode.INTERNAL_ERROR
            and "Traceback" not in self.err
            and "internal error" not in self.err
        )


def faultdrill(*args: str, monkeypatch: pytest.MonkeyPatch) -> Ran:
    """``faultdrill ARGS`` in this process; stdout, stderr and the exit code."""
    runner = CliRunner()
    previous = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(sys, "argv", ["faultdrill", *args])
    code = 0
    with runner.isolation() as (out, err, _):
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        finally:
            signal.signal(signal.SIGTERM, previous)
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    return Ran(code, stdout, stderr)
