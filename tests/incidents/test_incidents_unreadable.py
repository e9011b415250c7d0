"""Incident files that cannot be read: named, and never taken for "none open"."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from faultdrill.budget.ledger import BudgetLedger
from faultdrill.errors import InvalidInput
from faultdrill.exitcodes import ExitCode
from faultdrill.experiment.loader import load_experiment
from faultdrill.gate.check import check_experiment
from faultdrill.gate.decision import ReasonCode
from faultdrill.incidents.manage import Change, close_incident, open_incident
from faultdrill.incidents.model import Severity
from faultdrill.incidents.store import IncidentStore
from faultdrill.slo.model import default_slo_file
from state.cli_run import faultdrill

EXPERIMENT = (
    Path(__file__).resolve().parents[2] / "experiments/api-latency-absorbed.yaml"
)
BAD_FILES = ["a-directory", "not-utf8", "not-json", "not-an-incident"]


def _spoil(directory: Path, kind: str) -> tuple[Path, str]:
    """Put an unreadable INC-0002.json in ``directory``; the path and the why."""
    path = directory / "INC-0002.json"
    directory.mkdir(parents=True, exist_ok=True)
    if kind == "a-directory":
        path.mkdir()
        return path, "is a directory, not an incident file"
    if kind == "not-utf8":
        path.write_bytes(b'{"id": "\xff"}')
        return path, "is not UTF-8 text (byte 8)"
    path.write_text("{" if kind == "not-json" else '{"id": "INC-0002"}')
    return path, "is not a readable incident"


@pytest.fixture
def store(faultdrill_home: Path) -> IncidentStore:
    store = IncidentStore.default()
    open_incident(store, "readable", Severity.SEV4, time.time())
    return store


@pytest.mark.parametrize("kind", BAD_FILES)
def test_all_and_get_name_the_unreadable_file(store: IncidentStore, kind: str) -> None:
    path, why = _spoil(store.directory, kind)

    with pytest.raises(InvalidInput, match=re.escape(f"{path}: {why}")):
        store.all()
    with pytest.raises(InvalidInput, match=re.escape(f"{path}: {why}")):
        store.get("INC-0002")


@pytest.mark.parametrize("kind", BAD_FILES)
def test_scan_keeps_the_readable_ones_beside_the_problems(
    store: IncidentStore, kind: str
) -> None:
    path, _ = _spoil(store.directory, kind)

    scan = store.scan()

    assert [i.id for i in scan.incidents] == ["INC-0001"]
    assert [p.source for p in scan.problems] == [str(path)]


@pytest.mark.parametrize("kind", BAD_FILES)
def test_gate_refuses_when_an_incident_file_cannot_be_read(
    store: IncidentStore, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    close_incident(store, "INC-0001", Change(), time.time())
    path, why = _spoil(store.directory, kind)

    ran = faultdrill("gate", "--no-host", monkeypatch=monkeypatch)

    assert ran.code == ExitCode.REFUSED
    assert ran.out.startswith("gate: BLOCKED (1 reason)")
    reason = f"incidents-unreadable: cannot tell whether an incident is open: {path}"
    assert f"{reason}: {why}" in ran.out


@pytest.mark.parametrize("kind", BAD_FILES)
def test_incident_list_shows_the_readable_and_warns_of_the_rest(
    store: IncidentStore, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    path, why = _spoil(store.directory, kind)

    ran = faultdrill("incident", "list", "--json", monkeypatch=monkeypatch)

    assert ran.code == ExitCode.HELD
    assert '"id": "INC-0001"' in ran.out
    assert f"not listed: {path}: {why}" in ran.err


@pytest.mark.parametrize("kind", BAD_FILES)
def test_incident_show_of_an_unreadable_file_exits_two(
    store: IncidentStore, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    path, why = _spoil(store.directory, kind)

    ran = faultdrill("incident", "show", "INC-0002", monkeypatch=monkeypatch)

    assert ran.code == ExitCode.INVALID_INPUT
    assert ran.clean
    assert f"{path}: {why}" in ran.err


@pytest.fixture
def incidents_a_file(faultdrill_home: Path) -> Path:
    faultdrill_home.mkdir()
    path = faultdrill_home / "incidents"
    path.write_text("")
    return path


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (["gate", "--no-host"], ExitCode.REFUSED),
        (["incident", "show", "INC-0001"], ExitCode.INVALID_INPUT),
        (["incident", "list"], ExitCode.INVALID_INPUT),
        (["incident", "open", "--title", "x", "--sev", "4"], ExitCode.INVALID_INPUT),
        (["incident", "close", "INC-0001"], ExitCode.INVALID_INPUT),
    ],
    ids=lambda c: " ".join(c) if isinstance(c, list) else str(c),
)
def test_incidents_path_that_is_a_file_is_named_by_every_command(
    incidents_a_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
    code: ExitCode,
) -> None:
    ran = faultdrill(*command, monkeypatch=monkeypatch)

    assert ran.code == code
    assert ran.clean
    assert f"{incidents_a_file}: is a file, not the directory of incidents" in (
        ran.out + ran.err
    )


@pytest.mark.parametrize("kind", ["a-directory", "not-utf8"])
def test_experiment_gate_refuses_when_an_incident_file_cannot_be_read(
    tmp_path: Path, kind: str
) -> None:
    experiment = load_experiment(EXPERIMENT).model
    store = IncidentStore(tmp_path / "incidents")
    _spoil(store.directory, kind)
    slos = [default_slo_file().get(n) for n in experiment.slo.hypothesis]

    decision = check_experiment(
        experiment, slos, BudgetLedger(tmp_path / "b.sqlite"), time.time(),
        incidents=store, environment="staging", lock_dir=tmp_path / "locks",
    )  # fmt: skip

    assert [r.code for r in decision.reasons] == [ReasonCode.INCIDENTS_UNREADABLE]
