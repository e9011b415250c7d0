"""How a run ended, and why."""

from __future__ import annotations

import enum


class Outcome(enum.StrEnum):
    HELD = "held"  # every hypothesis SLO held in every phase
    DEVIATED = "deviated"  # an SLO of the hypothesis broke
    INCONCLUSIVE = "inconclusive"  # too few samples to claim either way
    REFUSED = "refused"  # a gate said no; nothing was injected
    ABORTED = "aborted"  # stopped early (guard, failing action); rolled back
    INTERRUPTED = "interrupted"  # Ctrl-C or SIGTERM; rolled back
    # A fault could not be reverted and may still be applied: recover it.
    NOT_REVERTED = "not-reverted"


class Phase(enum.StrEnum):
    BEFORE = "before"  # steady state before anything is injected
    DURING = "during"  # while the method's faults are in place
    RECOVERY = "recovery"  # grace after rollback; measured, not judged
    AFTER = "after"  # steady state after recovery
