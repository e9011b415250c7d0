"""Running one experiment of a game day: ``faultdrill run`` in a child process.

Each experiment gets its own process, so it has its own signal handling,
rollback and exit code, exactly as when run by hand. When the game day
itself is interrupted, the child is sent SIGTERM and given time to roll
back before the interruption goes on.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

# How long an interrupted child gets to roll back: its own rollback is
# seconds (a Toxiproxy call per fault); a minute covers slow APIs.
ROLLBACK_GRACE_S = 60.0


class Launcher(Protocol):
    def __call__(self, experiment: Path, journal: Path) -> int:
        """Run one experiment, writing its journal; return its exit code."""
        ...


class SubprocessLauncher:
    """``python -m faultdrill run FILE --journal PATH [extra...]``."""

    def __init__(
        self,
        extra_args: Sequence[str] = (),
        grace_s: float = ROLLBACK_GRACE_S,
    ) -> None:
        self.extra_args = list(extra_args)
        self.grace_s = grace_s

    def command(self, experiment: Path, journal: Path) -> list[str]:
        return [
            sys.executable,
            "-m",
            "faultdrill",
            "run",
            str(experiment),
            "--journal",
            str(journal),
            *self.extra_args,
        ]

    def __call__(self, experiment: Path, journal: Path) -> int:
        child = subprocess.Popen(self.command(experiment, journal))
        try:
            return child.wait()
        except BaseException:
            self._stop(child, experiment)
            raise

    def _stop(self, child: subprocess.Popen[bytes], experiment: Path) -> None:
        if child.poll() is not None:
            return
        log.warning("stopping %s: it rolls back before exiting", experiment.name)
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(self.grace_s)
        except subprocess.TimeoutExpired:
            log.error(
                "the experiment did not exit %g s after SIGTERM; killing it, "
                "run 'faultdrill recover'",
                self.grace_s,
            )
            child.kill()
            child.wait()
