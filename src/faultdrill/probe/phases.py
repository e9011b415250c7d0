"""Which phase of an experiment was current at a given time."""

from __future__ import annotations

import bisect
import math
import threading


class PhaseTimeline:
    """Phase changes in time order; safe to change and read from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._starts: list[float] = [-math.inf]
        self._names: list[str | None] = [None]

    def change(self, at: float, name: str | None) -> None:
        """From ``at`` on, the phase is ``name``; ``at`` must not go back."""
        with self._lock:
            if at < self._starts[-1]:
                raise ValueError(
                    f"phase {name!r} set at {at}, before the last change at "
                    f"{self._starts[-1]}; phases must be set in time order"
                )
            self._starts.append(at)
            self._names.append(name)

    def at(self, when: float) -> str | None:
        """The phase current at ``when``: the last change at or before it."""
        with self._lock:
            return self._names[bisect.bisect_right(self._starts, when) - 1]
