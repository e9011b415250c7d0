from __future__ import annotations

from pathlib import Path

import junitparser
import pytest
from click.testing import CliRunner
from gameday_fakes import FakeLauncher, journal_of, write_plan

from faultdrill.cli import gameday as gameday_cli
from faultdrill.cli.gameday import gameday
from faultdrill.errors import InvalidInput
from faultdrill.exitcodes import ExitCode
from faultdrill.gameday.plan import load_plan
from faultdrill.gameday.runner import no_gate
from state.cli_run import faultdrill

REPO = Path(__file__).resolve().parents[2]


def use(monkeypatch: pytest.MonkeyPatch, launcher: FakeLauncher) -> None:
    monkeypatch.setattr(gameday_cli, "_launcher", lambda *args: launcher)
    # The plans here name stand-in files; the gate has its own tests.
    monkeypatch.setattr(gameday_cli, "_gate_between", lambda host_check: no_gate)


def test_one_summary_reports_per_experiment_and_junit_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_plan(tmp_path, ["a", "b", "c"])
    use(
        monkeypatch,
        FakeLauncher(
            {"a": journal_of("held"), "b": journal_of("deviated", "SEV-1"), "c": dict}
        ),
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        gameday, [str(tmp_path / "plan.yaml"), "--out", str(out)]
    )
    assert result.exit_code == 1, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "01-a.html",
        "01-a.json",
        "01-a.md",
        "02-b-postmortem.md",
        "02-b.html",
        "02-b.json",
        "02-b.md",
        "gameday-state.json",
        "junit.xml",
        "summary.html",
        "summary.md",
    ]
    summary = (out / "summary.md").read_text()
    assert "2 of 3 experiments completed, 1 not as planned; exit code 1." in summary
    assert "Stopped early: b opened SEV-1 incident INC-9." in summary
    assert "[postmortem](02-b-postmortem.md)" in summary
    assert '<a href="01-a.html">report</a>' in (out / "summary.html").read_text()
    xml = junitparser.JUnitXml.fromfile(str(out / "junit.xml"))
    assert [suite.name for suite in xml][-1].endswith("c.yaml")
    assert xml.tests == 5 + 5 + 1


def test_an_interrupted_game_day_exits_130_and_says_how_to_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_plan(tmp_path, ["a", "b"])
    use(monkeypatch, FakeLauncher({"a": journal_of("held")}, interrupt_at="b"))
    result = CliRunner().invoke(
        gameday, [str(tmp_path / "plan.yaml"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 130
    assert "run the same command to resume" in result.output
    assert (tmp_path / "out" / "summary.md").exists()


def test_ci_mode_refuses_targets_outside_the_allowlist_before_running_any(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = tmp_path / "plan.yaml"
    experiment = REPO / "experiments" / "api-latency-absorbed.yaml"
    plan.write_text(f"name: ci\nexperiments:\n  - file: {experiment}\n")
    launcher = FakeLauncher({})
    use(monkeypatch, launcher)
    monkeypatch.setenv("FAULTDRILL_SANDBOX_URL", "http://prod.example.com")
    monkeypatch.setenv("TOXIPROXY_URL", "http://127.0.0.1:8474")
    result = CliRunner().invoke(
        gameday, [str(plan), "--ci", "--allow-target", "127.0.0.0/8"]
    )
    assert launcher.ran == []
    assert result.exception is not None
    assert "the SLO base URL http://prod.example.com is not in the CI" in str(
        result.exception
    )


def test_the_webhook_hears_of_incidents_from_this_invocation_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[str] = []
    monkeypatch.setattr(
        gameday_cli, "notify_run", lambda record, url: sent.append(record.run_id)
    )
    write_plan(tmp_path, ["a", "b"])
    out = tmp_path / "out"
    args = [str(tmp_path / "plan.yaml"), "--out", str(out)]
    args += ["--webhook", "http://127.0.0.1:9/hook"]
    deviated = journal_of("deviated", "SEV-2")
    use(monkeypatch, FakeLauncher({"a": deviated}, interrupt_at="b"))
    assert CliRunner().invoke(gameday, args).exit_code == 130
    assert sent == [deviated()["faultdrill"]["run_id"]]
    use(monkeypatch, FakeLauncher({"b": journal_of("held")}))
    assert CliRunner().invoke(gameday, args).exit_code == 1
    assert len(sent) == 2  # b is handed on (notify_run filters); a is not again


def test_run_metrics_go_to_a_textfile_collector_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_plan(tmp_path, ["a"])
    use(monkeypatch, FakeLauncher({"a": journal_of("held")}))
    prom = tmp_path / "textfile" / "faultdrill.prom"
    args = [str(tmp_path / "plan.yaml"), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(gameday, [*args, "--metrics-file", str(prom)])
    assert result.exit_code == 0, result.output
    assert (
        'faultdrill_run_outcome{experiment="api-latency-absorbed",outcome="held"} 1.0'
        in (prom.read_text())
    )


def test_summary_and_junit_mark_what_ended_as_planned_and_what_did_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_plan(tmp_path, ["a", "b", "c"], expect={"b": "deviated", "c": "deviated"})
    launcher = FakeLauncher(
        {"a": journal_of("held"), "b": journal_of("deviated"), "c": journal_of("held")}
    )
    use(monkeypatch, launcher)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        gameday, [str(tmp_path / "plan.yaml"), "--out", str(out)]
    )
    assert result.exit_code == 1, result.output  # c held; it was meant to break

    summary = (out / "summary.md").read_text()
    assert "3 of 3 experiments completed, 1 not as planned; exit code 1." in summary
    assert "| held: as planned |" in summary
    assert "| deviated: as planned |" in summary
    assert "| deviated: NOT as planned |" in summary
    assert "deviated: NOT as planned" in (out / "summary.html").read_text()

    xml = junitparser.JUnitXml.fromfile(str(out / "junit.xml"))
    failed = {
        (suite.name, case.name, result._tag)
        for suite in xml
        for case in suite
        for result in case.result
        if isinstance(result, junitparser.Failure | junitparser.Error)
    }
    # b deviated as planned: no failure anywhere in its suite. c held when
    # the plan expected it to break: its outcome case fails.
    assert [name for _, name, _ in failed] == ["outcome"]
    outcome = next(case for case in list(xml)[2] if case.name == "outcome")
    assert outcome.result[0].message.startswith(
        "held, but the game-day plan expects deviated"
    )
    b_outcome = next(case for case in list(xml)[1] if case.name == "outcome")
    assert b_outcome.system_out.startswith("deviated, as the game-day plan expects")


def test_a_broken_later_step_stops_the_day_before_the_first_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_plan(tmp_path, ["first", "second"])
    (tmp_path / "second.yaml").write_text("title: [unclosed\n")
    launcher = FakeLauncher({"first": journal_of("held")})
    use(monkeypatch, launcher)

    ran = faultdrill(
        "gameday", str(tmp_path / "plan.yaml"), "--out", str(tmp_path / "out"),
        monkeypatch=monkeypatch,
    )  # fmt: skip

    assert ran.code == ExitCode.INVALID_INPUT and ran.clean
    assert f"{tmp_path / 'second.yaml'}: line 2, column 1: invalid YAML" in ran.err
    assert launcher.ran == []


def test_a_step_name_that_is_a_path_is_refused(tmp_path: Path) -> None:
    write_plan(tmp_path, ["a"])
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "name: d\nexperiments:\n  - file: a.yaml\n    name: x/../../escaped\n"
    )

    with pytest.raises(InvalidInput, match=r"experiments\[0\]\.name: 'x/\.\./\.\./escaped' is not a plain name"):
        load_plan(plan)
