"""The one exception tree of faultdrill.

    FaultdrillError                 root; the CLI catches only this
    ├── InvalidInput                a file or argument the user must fix
    ├── Refused                     a gate said no; nothing was injected
    ├── Aborted                     the guard stopped a running experiment
    ├── TargetUnavailable           a service or proxy we must talk to is down
    └── FaultError                  applying or reverting a fault failed

Errors from libraries are translated where they are caught, with
``raise ... from exc``, so a user sees what broke and what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class FaultdrillError(Exception):
    """Root of every error faultdrill raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where, what, and what would be valid."""

    source: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}: {self.field}" if self.field else self.source
        return f"{where}: {self.message}"


class InvalidInput(FaultdrillError):
    """Input the user must fix; carries every problem found, not just one."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, source: str, field: str, message: str) -> InvalidInput:
        return cls([Problem(source, field, message)])


class Refused(FaultdrillError):
    """A gate refused to start; no fault was injected."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("; ".join(self.reasons))


class Aborted(FaultdrillError):
    """The guard aborted a running experiment."""


class TargetUnavailable(FaultdrillError):
    """A service, proxy or API that faultdrill must reach did not answer."""


class FaultError(FaultdrillError):
    """Applying or reverting a fault failed."""
