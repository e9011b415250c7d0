"""``faultdrill incident``: open, update, close and list, as a user types them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from faultdrill.budget.ledger import BudgetLedger
from faultdrill.budget.spend import SpendKind
from faultdrill.cli.main import cli


def invoke(*args: str) -> str:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["incident", *args])
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def test_open_update_close_and_list() -> None:
    incident_id = invoke(
        "open", "--title", "login failing", "--sev", "1",
        "--impact", "login-success=60%",
    ).strip()  # fmt: skip
    invoke("update", incident_id, "--note", "rolled back", "--preventive",
           "canary logins", "--owner", "auth-team")  # fmt: skip

    listed = json.loads(invoke("list", "--json"))
    invoke("close", incident_id, "--root-cause", "bad deploy")
    after = json.loads(invoke("list", "--json"))
    everything = json.loads(invoke("list", "--all", "--json"))

    assert incident_id == "INC-0001"
    assert [i["severity"] for i in listed] == ["SEV-1"]
    assert listed[0]["preventive_actions"] == [
        {"what": "canary logins", "owner": "auth-team"}
    ]
    assert after == []
    assert everything[0]["status"] == "closed"
    assert everything[0]["root_cause"] == "bad deploy"
    (spend,) = BudgetLedger.default().by_ref(SpendKind.INCIDENT, incident_id)
    assert spend.burn_rate == pytest.approx(600.0)  # 60% bad / 0.1% budget


def test_list_table_shows_open_incidents() -> None:
    invoke("open", "--title", "slow api", "--sev", "SEV-3")

    table = invoke("list")

    assert "INC-0001" in table and "SEV-3" in table and "slow api" in table


def test_show_prints_one_incident() -> None:
    invoke("open", "--title", "slow api", "--sev", "SEV-3")

    assert json.loads(invoke("show", "INC-0001"))["title"] == "slow api"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sev", "9"], "SEV-1, SEV-2, SEV-3 or SEV-4"),
        (["--sev", "2", "--impact", "api-5xx-ratio"], "write SLO=RATIO"),
        (["--sev", "2", "--impact", "nope=1%"], "known SLOs"),
    ],
)
def test_bad_input_says_what_would_be_valid(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["incident", "open", "--title", "x", *args])

    assert result.exit_code != 0
    assert message in result.output + str(result.exception)
