"""Incidents on disk: ids, updates under a lock, opening from a run's verdicts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from faultdrill.budget.ledger import BudgetLedger
from faultdrill.budget.spend import SpendKind
from faultdrill.errors import InvalidInput
from faultdrill.incidents.manage import (
    Change,
    charge_budget,
    close_incident,
    open_incident,
    update_incident,
)
from faultdrill.incidents.model import ActionItem, Severity, SloImpact
from faultdrill.incidents.open import open_for_verdicts
from faultdrill.incidents.store import IncidentStore
from faultdrill.slo.model import default_slo_file

NOW = 1_710_504_000.0  # 2024-03-15 12:00 UTC
OPENERS = 4
_OPENER = """
import sys
from pathlib import Path
from faultdrill.incidents.manage import open_incident
from faultdrill.incidents.model import Severity
from faultdrill.incidents.store import IncidentStore
store = IncidentStore(Path(sys.argv[1]))
for i in range(5):
    open_incident(store, f"from {sys.argv[2]}", Severity.SEV3, 0.0)
"""


@pytest.fixture
def store(tmp_path: Path) -> IncidentStore:
    return IncidentStore(tmp_path / "incidents")


def test_ids_count_up_from_one(store: IncidentStore) -> None:
    first = open_incident(store, "homepage down", Severity.SEV1, NOW)
    second = open_incident(store, "slow api", Severity.SEV3, NOW)

    assert (first.id, second.id) == ("INC-0001", "INC-0002")
    assert [i.id for i in store.open_incidents()] == ["INC-0001", "INC-0002"]


def test_processes_opening_at_once_never_share_an_id(tmp_path: Path) -> None:
    directory = tmp_path / "incidents"
    procs = [
        subprocess.Popen([sys.executable, "-c", _OPENER, str(directory), str(n)])
        for n in range(OPENERS)
    ]
    assert [p.wait(timeout=60) for p in procs] == [0] * OPENERS

    ids = [i.id for i in IncidentStore(directory).all()]
    assert ids == [f"INC-{n:04d}" for n in range(1, OPENERS * 5 + 1)]


def test_update_adds_to_the_timeline_and_keeps_what_was_there(
    store: IncidentStore,
) -> None:
    opened = open_incident(store, "slow api", Severity.SEV3, NOW)
    change = Change(
        severity=Severity.SEV2,
        note="catalog p95 at 2 s",
        root_cause="catalog connection pool exhausted",
        remediation=["raised the pool size"],
        preventive=[ActionItem(what="alert on pool saturation", owner="sre")],
    )

    update_incident(store, opened.id, change, NOW + 60)
    again = update_incident(
        store, opened.id, Change(remediation=["restarted"]), NOW + 120
    )

    assert again.severity is Severity.SEV2
    assert [e.message for e in again.timeline] == [
        "opened as SEV-3",
        "SEV-3 -> SEV-2",
        "catalog p95 at 2 s",
    ]
    assert again.root_cause == "catalog connection pool exhausted"
    assert again.remediation == ["raised the pool size", "restarted"]
    assert again.preventive_actions[0].owner == "sre"


def test_close_stamps_the_time_and_cannot_happen_twice(store: IncidentStore) -> None:
    opened = open_incident(store, "slow api", Severity.SEV3, NOW)

    closed = close_incident(store, opened.id, Change(note="fixed"), NOW + 600)

    assert not closed.is_open
    assert closed.closed_at is not None
    assert closed.closed_at.timestamp() == NOW + 600
    assert closed.timeline[-1].message == "closed"
    assert store.open_incidents() == []
    with pytest.raises(InvalidInput, match="already closed"):
        close_incident(store, opened.id, Change(), NOW + 700)


def test_an_unknown_id_names_the_known_ones(store: IncidentStore) -> None:
    open_incident(store, "x", Severity.SEV4, NOW)

    with pytest.raises(InvalidInput, match="INC-0001"):
        store.get("INC-0042")
    with pytest.raises(InvalidInput, match="ids look like INC-0001"):
        store.get("../etc/passwd")


def test_an_incident_with_impact_spends_budget_until_closed(
    store: IncidentStore, tmp_path: Path
) -> None:
    ledger = BudgetLedger(tmp_path / "budget.sqlite")
    slos = default_slo_file()
    impact = SloImpact(slo="api-5xx-ratio", bad_ratio=0.0144)
    opened = open_incident(store, "5xx", Severity.SEV2, NOW, [impact])

    charge_budget(opened, slos, ledger, NOW + 1800)
    closed = close_incident(store, opened.id, Change(), NOW + 3600)
    charge_budget(closed, slos, ledger, NOW + 7200)

    (spend,) = ledger.by_ref(SpendKind.INCIDENT, opened.id)
    assert spend.burn_rate == pytest.approx(14.4)
    assert (spend.start, spend.end) == (NOW, NOW + 3600)  # stops at closing


def test_an_impact_on_an_unknown_slo_is_refused_by_the_slo_file() -> None:
    with pytest.raises(InvalidInput, match="known SLOs"):
        default_slo_file().get("nope")


def test_a_run_that_broke_slos_opens_one_incident_at_the_worst_severity(
    store: IncidentStore, tmp_path: Path
) -> None:
    verdicts = [
        {"slo": "api-5xx-ratio", "status": "deviated", "bad": 60, "total": 1000},
        {"slo": "api-5xx-ratio", "status": "deviated", "bad": 10, "total": 1000},
        {"slo": "homepage-availability", "status": "held", "bad": 0, "total": 900},
        {"slo": "login-success", "status": "deviated", "bad": 3, "total": 1000},
    ]
    timeline = [{"at": "2024-03-15T12:00:00+00:00", "message": "phase during started"}]

    opened = open_for_verdicts(
        "run-1", "Catalog outage", "https://runbooks/x", verdicts,
        default_slo_file().slos, timeline, store, NOW,
    )  # fmt: skip

    assert opened is not None
    assert opened.severity is Severity.SEV2
    assert opened.slos == ["api-5xx-ratio", "login-success"]
    assert opened.impacts[0].bad_ratio == pytest.approx(0.06)
    assert opened.run_id == "run-1" and opened.runbook == "https://runbooks/x"
    assert opened.timeline[0].message == "phase during started"
    assert len(opened.verdicts) == 3
    assert not opened.charges_budget
    assert store.get(opened.id) == opened
    ledger = BudgetLedger(tmp_path / "budget.sqlite")
    assert charge_budget(opened, default_slo_file(), ledger, NOW) == []


def test_a_run_whose_slos_held_opens_nothing(store: IncidentStore) -> None:
    verdicts = [{"slo": "api-5xx-ratio", "status": "held", "bad": 0, "total": 10}]

    assert open_for_verdicts("r", "t", None, verdicts, [], (), store, NOW) is None
    assert store.all() == []


def test_a_corrupt_incident_file_names_itself(store: IncidentStore) -> None:
    opened = open_incident(store, "x", Severity.SEV4, NOW)
    (store.directory / f"{opened.id}.json").write_text("{}", encoding="utf-8")

    with pytest.raises(InvalidInput, match=r"INC-0001\.json"):
        store.all()
