"""Feeds the live progress display from the prober while a run goes on.

The main thread is often blocked (a pause inside an activity), so a small
thread looks at the samples of the current phase every ``EVERY_S`` and
hands each SLO's figures to the display.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from faultdrill.probe.prober import Prober
from faultdrill.report.progress import LiveProgress
from faultdrill.runner.outcome import Phase
from faultdrill.slo.model import Slo
from faultdrill.slo.verdict import evaluate

log = logging.getLogger(__name__)

# Twice a second: as often as a person reads figures change, and evaluating
# a phase's samples (a few thousand) takes about a millisecond.
EVERY_S = 0.5


class ProgressTicker:
    def __init__(
        self,
        progress: LiveProgress,
        prober: Prober,
        slos: Sequence[Slo],
        current_phase: Callable[[], Phase | None],
    ) -> None:
        self._progress, self._prober, self._slos = progress, prober, slos
        self._current_phase = current_phase
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="faultdrill-progress", daemon=True
        )

    def __enter__(self) -> ProgressTicker:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._progress.close()

    def _run(self) -> None:
        while not self._stop.wait(EVERY_S):
            try:
                self._update()
            except Exception:
                log.debug("progress display failed to update", exc_info=True)

    def _update(self) -> None:
        phase = self._current_phase()
        if phase is not None:
            samples = self._prober.samples(phase.value)
            for slo in self._slos:
                self._progress.figures(slo.name, evaluate(slo, samples).summary)
        self._progress.tick()
