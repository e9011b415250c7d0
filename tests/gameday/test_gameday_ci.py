from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from faultdrill.errors import Refused
from faultdrill.experiment.loader import load_experiment
from faultdrill.gameday.ci import (
    Target,
    allowed,
    allowlist_from,
    check_ci_targets,
    require_ci_targets,
)

REPO = Path(__file__).resolve().parents[2]
ABSORBED = REPO / "experiments" / "api-latency-absorbed.yaml"


@pytest.mark.parametrize(
    ("url", "entry", "ok"),
    [
        ("http://staging.example.com:8080", "staging.example.com", True),
        ("http://STAGING.example.com", "staging.example.com", True),
        ("http://prod.example.com", "staging.example.com", False),
        ("http://staging.example.com.evil.net", "staging.example.com", False),
        ("http://staging.example.com:8080", "staging.example.com:8080", True),
        ("http://staging.example.com:9090", "staging.example.com:8080", False),
        ("http://10.20.3.4:80", "10.20.0.0/16", True),
        ("http://10.21.3.4:80", "10.20.0.0/16", False),
        ("http://[::1]:8780", "::1", True),
        ("http://localhost:8780", "127.0.0.0/8", False),  # names are not resolved
    ],
)
def test_allowlist_matching(url: str, entry: str, ok: bool) -> None:
    assert allowed(Target("x", url), [entry]) is ok


def test_every_target_of_an_experiment_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = yaml.safe_load(ABSORBED.read_text())
    document["rollbacks"].append(
        {
            "type": "probe",
            "name": "ping-prod",
            "provider": {"type": "http", "url": "https://prod.example.com/health"},
        }
    )
    document["blast-radius"]["targets"]["hosts"] = ["db.prod.internal"]
    path = tmp_path / "e.yaml"
    path.write_text(yaml.safe_dump(document))
    monkeypatch.setenv("FAULTDRILL_SANDBOX_URL", "http://127.0.0.1:8780")
    monkeypatch.setenv("TOXIPROXY_URL", "http://toxiproxy.prod.internal:8474")
    reasons = check_ci_targets([load_experiment(path)], ["127.0.0.1"])
    assert [r.split(": ", 1)[1].split(" is not")[0] for r in reasons] == [
        "the Toxiproxy API (from TOXIPROXY_URL) http://toxiproxy.prod.internal:8474",
        "http provider of ping-prod https://prod.example.com/health",
        "blast-radius.targets.hosts db.prod.internal",
    ]


def test_targets_inside_the_allowlist_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAULTDRILL_SANDBOX_URL", "http://127.0.0.1:8780")
    monkeypatch.setenv("TOXIPROXY_URL", "http://127.0.0.1:8474")
    require_ci_targets([load_experiment(ABSORBED)], ["127.0.0.0/8"])


def test_an_empty_allowlist_refuses_and_says_how_to_declare_one() -> None:
    with pytest.raises(Refused, match="--allow-target HOST"):
        require_ci_targets([load_experiment(ABSORBED)], [])


def test_the_allowlist_joins_options_and_the_environment() -> None:
    environ = {"FAULTDRILL_CI_ALLOWLIST": "a.example, b.example,"}
    assert allowlist_from(["c.example"], environ) == [
        "c.example",
        "a.example",
        "b.example",
    ]
