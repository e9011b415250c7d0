from __future__ import annotations

from pathlib import Path

import pytest
from gameday_fakes import FakeLauncher, journal_of, write_plan

from faultdrill.errors import InvalidInput
from faultdrill.exitcodes import ExitCode
from faultdrill.gameday.plan import PlannedExperiment, load_plan
from faultdrill.gameday.runner import GameDay
from faultdrill.gameday.state import load_state

HELD, DEVIATED = journal_of("held"), journal_of("deviated")


def statuses(directory: Path) -> list[str]:
    state = load_state(directory)
    assert state is not None
    return [step.status.value for step in state.steps]


def test_experiments_run_in_plan_order_and_the_worst_outcome_is_the_exit_code(
    tmp_path: Path,
) -> None:
    plan = write_plan(tmp_path, ["a", "b", "c"])
    launcher = FakeLauncher({"a": HELD, "b": DEVIATED, "c": HELD})
    result = GameDay(plan, tmp_path / "out", launcher).run()
    assert launcher.ran == ["a", "b", "c"]
    assert [r.outcome.value for r in result.records] == ["held", "deviated", "held"]
    assert result.exit_code is ExitCode.DEVIATED
    assert statuses(tmp_path / "out") == ["done", "done", "done"]


def test_a_sev1_stops_the_game_day_and_the_rest_is_not_run(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, ["a", "b", "c"])
    launcher = FakeLauncher(
        {"a": HELD, "b": journal_of("deviated", "SEV-1"), "c": HELD}
    )
    result = GameDay(plan, tmp_path / "out", launcher).run()
    assert launcher.ran == ["a", "b"]
    assert statuses(tmp_path / "out") == ["done", "done", "not-run"]
    assert result.state.stopped == "b opened SEV-1 incident INC-9"
    assert result.exit_code is ExitCode.DEVIATED


def test_a_sev2_does_not_stop_it_by_default(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, ["a", "b"])
    launcher = FakeLauncher({"a": journal_of("deviated", "SEV-2"), "b": HELD})
    GameDay(plan, tmp_path / "out", launcher).run()
    assert launcher.ran == ["a", "b"]


def test_the_plan_can_stop_on_other_outcomes(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, ["a", "b"], stop_on={"outcomes": ["deviated"]})
    launcher = FakeLauncher({"a": DEVIATED, "b": HELD})
    GameDay(plan, tmp_path / "out", launcher).run()
    assert launcher.ran == ["a"]


def test_the_gate_is_checked_before_each_experiment(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, ["a", "b", "c"])
    asked: list[str] = []

    def gate(step: PlannedExperiment) -> list[str]:
        asked.append(step.name)
        return (
            ["budget-exhausted: api-latency-p95 has 0% left"]
            if step.name == "b"
            else []
        )

    launcher = FakeLauncher({"a": HELD, "b": HELD, "c": HELD})
    result = GameDay(plan, tmp_path / "out", launcher, gate_check=gate).run()
    assert asked == ["a", "b"]
    assert launcher.ran == ["a"]
    assert statuses(tmp_path / "out") == ["done", "not-run", "not-run"]
    assert result.state.steps[1].note.startswith("gate refused: budget-exhausted")
    assert result.exit_code is ExitCode.REFUSED


def test_an_interrupted_game_day_resumes_where_it_stopped(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, ["a", "b", "c"])
    out = tmp_path / "out"
    first = FakeLauncher({"a": HELD, "b": HELD, "c": HELD}, interrupt_at="b")
    with pytest.raises(KeyboardInterrupt):
        GameDay(plan, out, first).run()
    assert first.ran == ["a", "b"]
    assert statuses(out) == ["done", "interrupted", "pending"]

    second = FakeLauncher({"a": HELD, "b": HELD, "c": DEVIATED})
    result = GameDay(plan, out, second).run()
    assert second.ran == ["b", "c"]  # a is not run again
    assert statuses(out) == ["done", "done", "done"]
    assert [s.attempts for s in result.state.steps] == [1, 2, 1]
    assert [r.outcome.value for r in result.records] == ["held", "held", "deviated"]


def test_a_run_that_ended_interrupted_stops_the_day_and_is_rerun(
    tmp_path: Path,
) -> None:
    plan = write_plan(tmp_path, ["a", "b"])
    out = tmp_path / "out"
    first = FakeLauncher({"a": journal_of("interrupted"), "b": HELD})
    result = GameDay(plan, out, first).run()
    assert first.ran == ["a"]
    assert result.exit_code is ExitCode.INTERRUPTED
    assert statuses(out) == ["interrupted", "not-run"]

    second = FakeLauncher({"a": HELD, "b": HELD})
    assert GameDay(plan, out, second).run().exit_code is ExitCode.HELD
    assert second.ran == ["a", "b"]


def test_a_run_that_left_no_journal_fails_the_day_and_is_retried(
    tmp_path: Path,
) -> None:
    plan = write_plan(tmp_path, ["a", "b"])
    out = tmp_path / "out"
    first = FakeLauncher({"b": HELD}, no_journal="a")
    result = GameDay(plan, out, first).run()
    assert result.exit_code is ExitCode.INTERNAL_ERROR
    assert statuses(out) == ["failed", "not-run"]
    second = FakeLauncher({"a": HELD, "b": HELD})
    GameDay(plan, out, second).run()
    assert second.ran == ["a", "b"]


def test_a_completed_game_day_runs_nothing_again_unless_fresh(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, ["a"])
    out = tmp_path / "out"
    GameDay(plan, out, FakeLauncher({"a": HELD})).run()
    again = FakeLauncher({"a": HELD})
    GameDay(plan, out, again).run()
    assert again.ran == []
    fresh = FakeLauncher({"a": HELD})
    GameDay(plan, out, fresh, fresh=True).run()
    assert fresh.ran == ["a"]


def test_resuming_with_a_changed_plan_is_refused_with_the_fix(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, ["a", "b"])
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        GameDay(plan, out, FakeLauncher({"a": HELD}, interrupt_at="b")).run()
    changed = write_plan(tmp_path, ["a", "c"])
    with pytest.raises(InvalidInput, match="pass --fresh"):
        GameDay(changed, out, FakeLauncher({}))


def test_a_plan_with_missing_experiments_lists_each(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("name: x\nexperiments:\n  - file: nope.yaml\n  - file: gone.yaml\n")
    with pytest.raises(InvalidInput) as caught:
        load_plan(path)
    fields = [problem.field for problem in caught.value.problems]
    assert fields == ["experiments[0].file", "experiments[1].file"]


def test_an_outcome_the_plan_expects_counts_as_held(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, ["a", "b"], expect={"b": "deviated"})
    launcher = FakeLauncher({"a": HELD, "b": DEVIATED})
    result = GameDay(plan, tmp_path / "out", launcher).run()
    assert [step.as_expected for step in result.state.steps] == [True, True]
    assert result.exit_code is ExitCode.HELD


def test_a_step_that_held_when_meant_to_break_fails_the_day(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, ["a", "b"], expect={"b": "deviated"})
    launcher = FakeLauncher({"a": HELD, "b": HELD})
    result = GameDay(plan, tmp_path / "out", launcher).run()
    assert [step.as_expected for step in result.state.steps] == [True, False]
    assert result.exit_code is ExitCode.DEVIATED


def test_an_unexpected_outcome_still_sets_the_exit_code(tmp_path: Path) -> None:
    plan = write_plan(tmp_path, ["a"], expect={"a": ["deviated", "inconclusive"]})
    launcher = FakeLauncher({"a": journal_of("aborted")})
    result = GameDay(plan, tmp_path / "out", launcher).run()
    assert result.state.steps[0].expect == ["deviated", "inconclusive"]
    assert result.exit_code is ExitCode.ABORTED


@pytest.mark.parametrize(
    ("expect", "message"),
    [
        ("refused", "experiments[0].expect[0]: Input should be"),
        ([], "at least one outcome"),
        ("broken", "'held', 'deviated', 'aborted' or 'inconclusive'"),
    ],
)
def test_an_expect_that_is_no_outcome_is_refused_naming_the_field(
    tmp_path: Path, expect: object, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        write_plan(tmp_path, ["a"], expect={"a": expect})
    text = str(refused.value)
    assert "plan.yaml" in text
    assert message in text
