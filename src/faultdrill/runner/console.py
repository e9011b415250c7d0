"""What a person at the terminal sees while an experiment runs."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from faultdrill.runner.outcome import Outcome, Phase

# Wide enough for a verdict line and the summary table on one line each.
PIPED_WIDTH = 140

_STYLE = {
    "held": "green",
    "deviated": "bold red",
    "inconclusive": "yellow",
    Outcome.REFUSED.value: "yellow",
    Outcome.ABORTED.value: "bold red",
    Outcome.INTERRUPTED.value: "yellow",
    Outcome.NOT_REVERTED.value: "bold red",
}


class RunConsole:
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)
        if not self.console.is_terminal:
            # Logs and pipes get whole lines, not 80-column wrapping.
            self.console.width = max(self.console.width, PIPED_WIDTH)

    def title(self, title: str, source: str) -> None:
        self.console.rule()
        self.console.print(f"[bold]{title}[/]  ({source})")

    def note(self, message: str) -> None:
        self.console.print(message)

    def phase(self, phase: Phase, seconds: float, what: str) -> None:
        self.console.print(f"[bold]{phase.value}[/]: {what} for {seconds:g} s")

    def verdicts(self, phase: Phase, verdicts: list[dict[str, Any]]) -> None:
        for verdict in verdicts:
            status = str(verdict["status"])
            style = _STYLE.get(status, "")
            self.console.print(
                f"  {phase.value:<8} {verdict['slo']:<24} [{style}]{status:<12}[/] "
                f"{verdict.get('summary', '')}"
            )

    def summary(
        self, outcome: Outcome, reason: str, table: list[dict[str, Any]]
    ) -> None:
        grid = Table(title="SLO verdicts", show_lines=False)
        for column in ("phase", "SLO", "verdict", "figures"):
            grid.add_column(column)
        for row in table:
            status = str(row["status"])
            grid.add_row(
                row["phase"],
                row["slo"],
                f"[{_STYLE.get(status, '')}]{status}[/]",
                row["summary"],
            )
        if table:
            self.console.print(grid)
        style = _STYLE.get(outcome.value, "")
        self.console.print(f"Outcome: [{style}]{outcome.value.upper()}[/] {reason}")
