"""Game-day plans in a temporary directory and a launcher that only pretends."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from faultdrill.gameday.plan import GameDayPlan, load_plan

Journal = Callable[[], dict[str, Any]]

# The journals recorded for the report tests (tests/report/record_journals.py).
JOURNALS = Path(__file__).resolve().parents[1] / "report" / "journals"
STAND_IN = (
    Path(__file__).resolve().parents[2] / "experiments" / "api-latency-absorbed.yaml"
).read_text()


def load(outcome: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((JOURNALS / f"{outcome}.json").read_text())
    return data


def write_plan(
    directory: Path,
    names: list[str],
    stop_on: dict[str, Any] | None = None,
    expect: dict[str, Any] | None = None,
) -> GameDayPlan:
    """A plan of stand-in experiment files; ``expect`` by experiment name.

    Each stand-in is a valid experiment (the game day checks every file
    before the first runs); the fake launcher never runs it.
    """
    for name in names:
        (directory / f"{name}.yaml").write_text(STAND_IN)
    expect = expect or {}
    document: dict[str, Any] = {
        "name": "test-day",
        "experiments": [
            {
                "file": f"{name}.yaml",
                **({"expect": expect[name]} if name in expect else {}),
            }
            for name in names
        ],
    }
    if stop_on is not None:
        document["stop-on"] = stop_on
    path = directory / "plan.yaml"
    path.write_text(yaml.safe_dump(document))
    return load_plan(path)


def journal_of(outcome: str, severity: str | None = None) -> Journal:
    def make() -> dict[str, Any]:
        journal = load(outcome)
        if severity is not None:
            journal["faultdrill"]["incident"] = {"id": "INC-9", "severity": severity}
        return journal

    return make


class FakeLauncher:
    """Writes the journal given for each experiment; records what it ran.

    ``interrupt_at`` names an experiment whose launch raises
    KeyboardInterrupt, as Ctrl-C during it would; ``no_journal`` names one
    that exits without writing a journal, as a crash would.
    """

    def __init__(
        self,
        journals: dict[str, Journal],
        interrupt_at: str | None = None,
        no_journal: str | None = None,
    ) -> None:
        self.journals = journals
        self.interrupt_at = interrupt_at
        self.no_journal = no_journal
        self.ran: list[str] = []

    def __call__(self, experiment: Path, journal: Path) -> int:
        name = experiment.stem
        self.ran.append(name)
        if name == self.interrupt_at:
            raise KeyboardInterrupt
        if name == self.no_journal:
            return 70
        data = self.journals[name]()
        journal.write_text(json.dumps(data))
        return int(data["faultdrill"]["exit_code"])
