from __future__ import annotations

import io

from rich.console import Console

from faultdrill.clock import FakeClock
from faultdrill.report.progress import LiveProgress
from faultdrill.runner.outcome import Phase


def plain() -> tuple[LiveProgress, FakeClock, io.StringIO]:
    out = io.StringIO()
    clock = FakeClock()
    console = Console(file=out, force_terminal=False, width=120)
    return LiveProgress(console, clock, plain_every_s=5.0), clock, out


def test_off_a_terminal_each_phase_is_one_plain_line() -> None:
    progress, _, out = plain()
    progress.phase_started(Phase.BEFORE, 10.0)
    progress.phase_started(Phase.DURING, 30.0)
    assert out.getvalue().splitlines() == ["before: 10 s", "during: 30 s"]
    assert "\x1b[" not in out.getvalue()


def test_figures_print_when_they_change_at_most_every_interval() -> None:
    progress, clock, out = plain()
    progress.phase_started(Phase.DURING, 30.0)
    progress.figures("api", "p95 100 ms")
    clock.advance(1.0)
    progress.figures("api", "p95 120 ms")  # too soon: held back
    clock.advance(5.0)
    progress.figures("api", "p95 120 ms")
    progress.figures("api", "p95 120 ms")  # unchanged: not repeated
    lines = out.getvalue().splitlines()[1:]
    assert [line.split()[2:5] for line in lines] == [
        ["p95", "100", "ms"],
        ["p95", "120", "ms"],
    ]
    assert lines[-1].endswith("(24 s left)")


def test_time_left_follows_the_clock_and_stops_at_zero() -> None:
    progress, clock, _ = plain()
    progress.phase_started(Phase.AFTER, 10.0)
    clock.advance(4.0)
    assert progress.time_left() == 6.0
    clock.advance(60.0)
    assert progress.time_left() == 0.0


def test_on_a_terminal_a_live_panel_shows_phase_figures_and_time_left() -> None:
    out = io.StringIO()
    clock = FakeClock()
    console = Console(file=out, force_terminal=True, width=100)
    with LiveProgress(console, clock) as progress:
        progress.phase_started(Phase.DURING, 30.0)
        clock.advance(15.0)
        progress.figures("api-latency-p95", "p95 113 ms over 125 samples")
        progress.tick()
    text = out.getvalue()
    assert "\x1b[" in text  # drawn in place with terminal control codes
    assert "during" in text
    assert "p95 113 ms over 125 samples" in text
    assert "15 s left" in text
    assert "█" * 15 + "·" * 15 in text
