"""Exit codes: part of the interface, the same for every command.

This module is the one place that decides them; the README documents them.
"""

from __future__ import annotations

import enum

from faultdrill import errors
from faultdrill.runner.outcome import Outcome


class ExitCode(enum.IntEnum):
    HELD = 0  # success: the hypothesis held / the command did what was asked
    DEVIATED = 1  # an SLO of the hypothesis was broken
    INVALID_INPUT = 2  # a file or argument must be fixed (also click's usage code)
    REFUSED = 3  # a gate refused; nothing was injected
    ABORTED = 4  # the guard aborted the experiment; faults were rolled back
    INCONCLUSIVE = 5  # too few samples to claim the SLO either way
    NOT_REVERTED = 6  # a fault may still be applied; run faultdrill recover
    INTERNAL_ERROR = 70  # a bug or an unexpected failure (EX_SOFTWARE, sysexits.h)
    INTERRUPTED = 130  # Ctrl-C or SIGTERM; faults were rolled back (128 + SIGINT)


def for_error(error: BaseException) -> ExitCode:
    """The exit code for an error that ended a command."""
    if isinstance(error, errors.InvalidInput):
        return ExitCode.INVALID_INPUT
    if isinstance(error, errors.Refused | errors.TargetUnavailable):
        # Nothing was injected: a gate said no, or what we must reach is down.
        return ExitCode.REFUSED
    if isinstance(error, errors.Aborted):
        return ExitCode.ABORTED
    if isinstance(error, KeyboardInterrupt):
        return ExitCode.INTERRUPTED
    return ExitCode.INTERNAL_ERROR


_BY_OUTCOME = {
    Outcome.HELD: ExitCode.HELD,
    Outcome.DEVIATED: ExitCode.DEVIATED,
    Outcome.INCONCLUSIVE: ExitCode.INCONCLUSIVE,
    Outcome.REFUSED: ExitCode.REFUSED,
    Outcome.ABORTED: ExitCode.ABORTED,
    Outcome.INTERRUPTED: ExitCode.INTERRUPTED,
    Outcome.NOT_REVERTED: ExitCode.NOT_REVERTED,
}


def for_outcome(outcome: Outcome) -> ExitCode:
    """The exit code of a run that ended with ``outcome``."""
    return _BY_OUTCOME[outcome]
