"""Live progress on the console: the phase, each SLI's figures, time left.

The lifecycle calls three methods and never cares where the output goes:

    progress.phase_started(Phase.DURING, 30.0)
    progress.figures("api-latency-p95", "p95 113 ms over 125 samples")
    progress.tick()      # from any loop, as often as it likes

On a terminal a rich ``Live`` panel redraws in place. Elsewhere (CI logs,
pipes) it degrades to plain lines: one per phase, and each SLO's figures
when they change, at most every ``PLAIN_EVERY_S`` seconds, so logs stay
readable.
"""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.table import Table

from faultdrill.clock import Clock, MonotonicClock
from faultdrill.runner.outcome import Phase

# A CI log line per SLO every 5 s is enough to follow a run of minutes
# without drowning it; the terminal panel redraws 4 times a second (rich's
# default refresh rate).
PLAIN_EVERY_S = 5.0


class LiveProgress:
    def __init__(
        self,
        console: Console | None = None,
        clock: Clock | None = None,
        plain_every_s: float = PLAIN_EVERY_S,
        announce_phases: bool = True,
    ) -> None:
        self.console = console or Console(highlight=False)
        self.clock = clock or MonotonicClock()
        self.plain_every_s = plain_every_s
        self.announce_phases = announce_phases  # False when the caller does
        self.phase: Phase | None = None
        self.ends_at: float | None = None
        self.seconds = 0.0
        self._figures: dict[str, str] = {}
        self._printed: dict[str, tuple[str, float]] = {}
        self._live: Live | None = None

    @property
    def interactive(self) -> bool:
        return self.console.is_terminal

    # --- what the lifecycle calls ----------------------------------------

    def phase_started(self, phase: Phase, seconds: float) -> None:
        self.phase, self.seconds = phase, seconds
        self.ends_at = self.clock.now() + seconds
        self._figures.clear()
        if self.interactive:
            self._ensure_live().update(self._panel(), refresh=True)
        elif self.announce_phases:
            self.console.print(f"{phase.value}: {seconds:g} s")

    def figures(self, slo: str, text: str) -> None:
        self._figures[slo] = text
        if self.interactive:
            self._ensure_live().update(self._panel())
        else:
            self._print_plain(slo, text)

    def tick(self) -> None:
        if self.interactive and self._live is not None:
            self._live.update(self._panel())

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    # --- figures ---------------------------------------------------------

    def time_left(self) -> float:
        if self.ends_at is None:
            return 0.0
        return max(0.0, self.ends_at - self.clock.now())

    def _print_plain(self, slo: str, text: str) -> None:
        now = self.clock.now()
        last = self._printed.get(slo)
        if last is not None and (last[0] == text or now - last[1] < self.plain_every_s):
            return
        self._printed[slo] = (text, now)
        phase = self.phase.value if self.phase else "-"
        self.console.print(
            f"  {phase:<8} {slo:<24} {text}  ({self.time_left():.0f} s left)"
        )

    def _panel(self) -> Table:
        phase = self.phase.value if self.phase else "-"
        grid = Table.grid(padding=(0, 2))
        grid.add_row(
            f"[bold]{phase}[/]",
            _bar(self.seconds - self.time_left(), self.seconds),
            f"{self.time_left():.0f} s left",
        )
        for slo, text in self._figures.items():
            grid.add_row("", slo, text)
        return grid

    def _ensure_live(self) -> Live:
        if self._live is None:
            self._live = Live(console=self.console, auto_refresh=False, transient=False)
            self._live.start()
        return self._live

    def __enter__(self) -> LiveProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


# 30 cells: a phase of 30 s moves one cell a second.
_BAR_CELLS = 30


def _bar(done: float, total: float) -> str:
    share = 1.0 if total <= 0 else min(1.0, max(0.0, done / total))
    filled = round(share * _BAR_CELLS)
    return "█" * filled + "·" * (_BAR_CELLS - filled)
