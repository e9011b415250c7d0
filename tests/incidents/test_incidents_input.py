"""Incident text that cannot be stored is refused at the option, exit 2."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from faultdrill.errors import InvalidInput
from faultdrill.exitcodes import ExitCode
from faultdrill.incidents.manage import open_incident
from faultdrill.incidents.model import Severity
from faultdrill.incidents.store import IncidentStore
from state.cli_run import faultdrill

NOT_UTF8 = b"\xff\xfe down".decode("utf-8", "surrogateescape")  # as argv gives it


@pytest.mark.parametrize(
    ("title", "says"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        (NOT_UTF8, "is not UTF-8 text"),
    ],
    ids=["empty", "blank", "not-utf8"],
)
def test_open_with_a_title_that_cannot_be_stored_exits_two(
    monkeypatch: pytest.MonkeyPatch, title: str, says: str
) -> None:
    ran = faultdrill(
        "incident", "open", "--title", title, "--sev", "2", monkeypatch=monkeypatch
    )

    assert ran.code == ExitCode.INVALID_INPUT
    assert ran.clean
    assert "'--title'" in ran.err
    assert says in ran.err
    assert IncidentStore.default().all() == []


@pytest.mark.parametrize("option", ["--note", "--summary", "--root-cause", "--owner"])
def test_update_with_text_that_is_not_utf8_exits_two_naming_the_option(
    monkeypatch: pytest.MonkeyPatch, option: str
) -> None:
    opened = open_incident(IncidentStore.default(), "5xx", Severity.SEV3, time.time())

    ran = faultdrill(
        "incident", "update", opened.id, option, NOT_UTF8, monkeypatch=monkeypatch
    )

    assert ran.code == ExitCode.INVALID_INPUT
    assert ran.clean
    assert f"'{option}'" in ran.err
    assert IncidentStore.default().get(opened.id) == opened


def test_empty_preventive_action_exits_two(monkeypatch: pytest.MonkeyPatch) -> None:
    opened = open_incident(IncidentStore.default(), "5xx", Severity.SEV3, time.time())

    ran = faultdrill(
        "incident", "update", opened.id, "--preventive", "", monkeypatch=monkeypatch
    )

    assert ran.code == ExitCode.INVALID_INPUT
    assert "'--preventive': is empty" in ran.err


def test_open_incident_with_an_empty_title_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="new incident: title"):
        open_incident(IncidentStore(tmp_path), "", Severity.SEV2, time.time())


def test_an_slo_given_twice_as_impact_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    ran = faultdrill(
        "incident", "open", "--title", "errors", "--sev", "3",
        "--impact", "api-5xx-ratio=5%", "--impact", "api-5xx-ratio=7%",
        monkeypatch=monkeypatch,
    )  # fmt: skip

    assert ran.code == ExitCode.INVALID_INPUT and ran.clean
    assert "--impact: api-5xx-ratio: is given twice" in ran.err
