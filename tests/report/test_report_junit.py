from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import junitparser
import pytest
from report_fixtures import load

from faultdrill.report.junit import NotRun, write_junit


def parse(path: Path) -> dict[str, junitparser.TestCase]:
    xml = junitparser.JUnitXml.fromfile(str(path))
    return {f"{suite.name} / {case.name}": case for suite in xml for case in suite}


def results(case: junitparser.TestCase) -> list[str]:
    return [type(result).__name__ for result in case.result]


def test_every_outcome_gives_a_case_per_slo_and_phase_plus_rollback_and_outcome(
    any_journal: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "junit.xml"
    write_junit([any_journal], path)
    xml = junitparser.JUnitXml.fromfile(str(path))
    (suite,) = list(xml)
    names = [case.name for case in suite]
    assert names == [
        "api-latency-p95 before",
        "api-latency-p95 during",
        "api-latency-p95 after",
        "rollback",
        "outcome",
    ]
    assert suite.tests == 5
    assert xml.tests == 5


def test_a_deviated_phase_is_a_failure_and_held_phases_pass(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    write_junit([load("deviated")], path)
    cases = {case.name: case for case in parse(path).values()}
    assert results(cases["api-latency-p95 before"]) == []
    assert results(cases["api-latency-p95 during"]) == ["Failure"]
    assert "609 ms > 500 ms" in cases["api-latency-p95 during"].result[0].message
    assert results(cases["api-latency-p95 after"]) == []
    assert results(cases["outcome"]) == ["Failure"]
    assert results(cases["rollback"]) == []


def test_a_held_run_has_no_failures_errors_or_skips(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    write_junit([load("held")], path)
    xml = junitparser.JUnitXml.fromfile(str(path))
    assert (xml.failures, xml.errors, xml.skipped) == (0, 0, 0)


@pytest.mark.parametrize("outcome", ["refused", "aborted", "interrupted"])
def test_runs_that_did_not_finish_are_errors_with_the_reason(
    outcome: str, tmp_path: Path
) -> None:
    journal = load(outcome)
    path = tmp_path / "junit.xml"
    write_junit([journal], path)
    cases = {case.name: case for case in parse(path).values()}
    (error,) = cases["outcome"].result
    assert isinstance(error, junitparser.Error)
    assert error.type == outcome
    assert journal["faultdrill"]["reason"] in error.message


def test_phases_a_run_never_reached_are_skipped_with_why(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    write_junit([load("refused")], path)
    cases = {case.name: case for case in parse(path).values()}
    (skipped,) = cases["api-latency-p95 after"].result
    assert isinstance(skipped, junitparser.Skipped)
    assert skipped.message == "after not measured: the run ended refused"
    assert results(cases["rollback"]) == ["Skipped"]


def test_an_inconclusive_verdict_is_skipped_never_passed(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    write_junit([load("inconclusive")], path)
    cases = {case.name: case for case in parse(path).values()}
    (skipped,) = cases["api-latency-p95 before"].result
    assert skipped.message.startswith("inconclusive: ")
    assert results(cases["outcome"]) == ["Skipped"]


def test_a_failed_rollback_fails_the_rollback_case(tmp_path: Path) -> None:
    journal = copy.deepcopy(load("held"))
    journal["rollbacks"][0]["status"] = "failed"
    journal["faultdrill"]["reverts"] = [
        {"fault": "latency on catalog", "outcome": "failed: proxy gone"}
    ]
    path = tmp_path / "junit.xml"
    write_junit([journal], path)
    cases = {case.name: case for case in parse(path).values()}
    (failure,) = cases["rollback"].result
    assert failure.message == (
        "not rolled back: remove-catalog-latency, latency on catalog"
    )


def test_a_game_day_lists_every_experiment_and_those_not_run(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    write_junit(
        [load("held"), load("deviated")],
        path,
        not_run=[NotRun("experiments/third.yaml", "stopped after a SEV-1")],
    )
    xml = junitparser.JUnitXml.fromfile(str(path))
    assert [suite.name for suite in xml] == [
        "The video API absorbs 100 ms of catalog latency",
        "600 ms of catalog latency breaks the video API p95 SLO",
        "experiments/third.yaml",
    ]
    assert (xml.tests, xml.failures, xml.skipped) == (11, 2, 1)


def test_a_file_that_is_not_a_journal_is_invalid_input(tmp_path: Path) -> None:
    from faultdrill.errors import InvalidInput

    with pytest.raises(InvalidInput, match="not a faultdrill journal"):
        write_junit([{"title": "x"}], tmp_path / "junit.xml")
