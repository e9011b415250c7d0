"""The journal keeps Chaos Toolkit's shape and never shows a secret."""

from __future__ import annotations

import json
from pathlib import Path

from faultdrill.exitcodes import ExitCode, for_outcome
from faultdrill.runner.journal import REDACTED, Journal, PhaseRecord
from faultdrill.runner.outcome import Outcome, Phase


def journal() -> Journal:
    document = {"title": "t", "secrets": {"db": {"password": "hunter2", "user": "u"}}}
    record = Journal(
        run_id="r1", experiment_file="e.yaml", document=document, start=100.0
    )
    record.phases.append(
        PhaseRecord(Phase.BEFORE, 100.0, 105.0, [{"slo": "s", "status": "held"}], 125)
    )
    record.outcome, record.end = Outcome.DEVIATED, 130.0
    return record


def test_secrets_are_redacted_and_the_input_is_untouched(tmp_path: Path) -> None:
    record = journal()
    record.write(tmp_path / "j.json", 1)
    text = (tmp_path / "j.json").read_text()
    assert "hunter2" not in text
    assert json.loads(text)["experiment"]["secrets"]["db"]["password"] == REDACTED
    assert record.document["secrets"]["db"]["password"] == "hunter2"


def test_chaos_toolkit_fields_and_ours_are_present(tmp_path: Path) -> None:
    journal().write(tmp_path / "j.json", 1)
    data = json.loads((tmp_path / "j.json").read_text())
    assert {
        "chaoslib-version",
        "experiment",
        "start",
        "end",
        "duration",
        "status",
        "deviated",
        "run",
        "rollbacks",
        "steady_states",
    } <= set(data)
    assert (
        data["deviated"] is True
        and data["status"] == "completed"
        and data["duration"] == 30.0
    )
    before = data["faultdrill"]["phases"]["before"]
    assert before["samples"] == 125 and before["duration"] == 5.0


def test_every_outcome_has_its_own_exit_code() -> None:
    codes = {for_outcome(outcome) for outcome in Outcome}
    assert len(codes) == len(Outcome)
    assert for_outcome(Outcome.HELD) is ExitCode.HELD
