"""Experiment files: what is accepted, and what each mistake says."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from faultdrill.errors import InvalidInput
from faultdrill.experiment.durations import parse_seconds
from faultdrill.experiment.loader import load_experiment

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"

VALID: dict[str, Any] = {
    "title": "t",
    "description": "d",
    "slo": {"hypothesis": ["api-latency-p95"]},
    "blast-radius": {"targets": {"proxies": ["catalog"]}, "max-duration": "1m"},
    "method": [
        {
            "type": "action",
            "name": "slow",
            "provider": {
                "type": "python",
                "module": "chaosfaultdrill.network",
                "func": "add_latency",
                "arguments": {"proxy": "catalog", "latency_ms": 100},
            },
        }
    ],
    "rollbacks": [{"ref": "slow"}],
}


def write(tmp_path: Path, document: Any, name: str = "exp.yaml") -> Path:
    path = tmp_path / name
    path.write_text(
        yaml.safe_dump(document) if name.endswith(".yaml") else json.dumps(document)
    )
    return path


def problems_of(tmp_path: Path, document: Any) -> str:
    with pytest.raises(InvalidInput) as caught:
        load_experiment(write(tmp_path, document))
    return str(caught.value)


@pytest.mark.parametrize(
    "path", sorted(EXPERIMENTS.glob("*.yaml")), ids=lambda p: p.name
)
def test_shipped_experiments_load(path: Path) -> None:
    loaded = load_experiment(path)
    assert loaded.model.slo.hypothesis
    targets = loaded.model.blast_radius.targets
    assert targets.proxies == ["catalog"] or targets.hosts == ["127.0.0.1"]


def test_json_and_yaml_load_the_same(tmp_path: Path) -> None:
    as_yaml = load_experiment(write(tmp_path, VALID, "e.yaml")).model
    as_json = load_experiment(write(tmp_path, VALID, "e.json")).model
    assert as_yaml == as_json
    assert as_yaml.blast_radius.max_duration == 60.0


def test_loading_does_not_change_the_document(tmp_path: Path) -> None:
    loaded = load_experiment(write(tmp_path, VALID))
    assert loaded.document == VALID


def _with(
    change: dict[str, Any] | None = None, drop: str | None = None
) -> dict[str, Any]:
    document = copy.deepcopy(VALID)
    if drop:
        document.pop(drop)
    for dotted, value in (change or {}).items():
        node = document
        *parents, leaf = dotted.split("/")
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[leaf] = value
    return document


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (_with(drop="title"), "title: is required"),
        (_with(drop="method"), "method: is required"),
        (_with(drop="slo"), "slo: is required"),
        (_with(drop="blast-radius"), "blast-radius: is required"),
        (_with({"title": ""}), "title: String should have at least 1 character"),
        (
            _with({"slo/hypothesis": []}),
            "slo.hypothesis: List should have at least 1 item",
        ),
        (
            _with({"slo/hypothesis": ["API p95"]}),
            "slo.hypothesis: 'API p95' is not an SLO name",
        ),
        (_with({"slo/before": "ten"}), "slo.before: 'ten' is not a duration"),
        (
            _with({"slo/probe-rate": 0}),
            "slo.probe-rate: Input should be greater than 0",
        ),
        (_with({"slo/colour": "red"}), "slo.colour: is not a known field"),
        (
            _with({"blast-radius/max-duration": 0}),
            "blast-radius.max-duration: must be longer",
        ),
        (_with({"blast_radius": {}}), "blast_radius: is not a known field"),
        (
            _with({"method/0/type": "attack"}),
            "method[0].type: Input should be 'action' or 'probe'",
        ),
        (_with({"method/0/provider/type": "ftp"}), "method[0].provider"),
        (_with({"method/0/provider/func": ""}), "method[0].provider.func"),
        (
            _with({"method/0/provider/argumnets": {}}),
            "method[0].provider.argumnets: is not a known",
        ),
        (
            _with({"rollbacks": [{"ref": "nope"}]}),
            "rollbacks[0].ref: no activity is named 'nope'",
        ),
        (
            _with({"method/0/pauses": {"after": "later"}}),
            "method[0].pauses.after: 'later' is not a duration",
        ),
        (
            _with({"slo/recovery-within": "x"}),
            "slo.recovery-within: 'x' is not a duration",
        ),
        (_with({"slo/file": 3}), "slo.file: Input should be a valid string"),
        (_with({"runbook": 5}), "runbook: Input should be a valid string"),
        (
            _with({"blast-radius/targets": {"proxies": "catalog"}}),
            "blast-radius.targets.proxies: Input should be a valid list",
        ),
        (
            _with({"blast-radius/targets": {"proxies": ["catalog"], "pods": 1}}),
            "blast-radius.targets.pods: is not a known field",
        ),
        (
            _with({"blast-radius/max-intensity": {"latency-ms": -5}}),
            "blast-radius.max-intensity.latency-ms: Input should be greater than or equal to 0",
        ),
        (
            _with({"blast-radius/max-traffic-share": 120}),
            "blast-radius.max-traffic-share: Input should be less than or equal to 100",
        ),
        (
            _with({"blast-radius/max-budget-spend": -1}),
            "blast-radius.max-budget-spend: Input should be greater than 0",
        ),
        (
            _with({"guard": {"max-burn-rate": 0}}),
            "guard.max-burn-rate: Input should be greater than 0",
        ),
        (_with({"guard": {"window": "-1s"}}), "guard.window: '-1s' is not a duration"),
        (
            _with({"guard": {"check-every": "soon"}}),
            "guard.check-every: 'soon' is not a duration",
        ),
        (
            _with({"guard": {"abort-on-slo-breach": "maybe"}}),
            "guard.abort-on-slo-breach: Input should be a valid boolean",
        ),
        (
            _with({"gate": {"min-budget-left": 150}}),
            "gate.min-budget-left: Input should be less than or equal to 100",
        ),
        (
            _with({"gate": {"environments": "staging"}}),
            "gate.environments: Input should be a valid list",
        ),
        (
            _with({"gate": {"no-open-incidents": "perhaps"}}),
            "gate.no-open-incidents: Input should be a valid boolean",
        ),
    ],
)
def test_each_mistake_names_file_and_field(
    tmp_path: Path, document: dict[str, Any], expected: str
) -> None:
    message = problems_of(tmp_path, document)
    assert str(tmp_path / "exp.yaml") in message
    assert expected in message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    document = _with({"slo/before": "ten", "method/0/type": "attack"}, drop="title")
    with pytest.raises(InvalidInput) as caught:
        load_experiment(write(tmp_path, document))
    fields = {p.field for p in caught.value.problems}
    assert {"title", "slo.before", "method[0].type"} <= fields


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: [unclosed", "invalid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
        ("", "empty file"),
    ],
)
def test_unreadable_documents_are_clear(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(InvalidInput, match=expected):
        load_experiment(path)


def test_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        load_experiment(tmp_path / "absent.yaml")


def test_invalid_json_names_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"title": }')
    with pytest.raises(InvalidInput, match="line 1, column 11: invalid JSON"):
        load_experiment(path)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (30, 30.0),
        ("30s", 30.0),
        ("500ms", 0.5),
        ("2m", 120.0),
        ("1h", 3600.0),
        (" 1.5s ", 1.5),
    ],
)
def test_durations_parse(value: object, seconds: float) -> None:
    assert parse_seconds(value) == seconds


@pytest.mark.parametrize("value", ["soon", "-1s", -2, True, "5 days"])
def test_bad_durations_are_rejected(value: object) -> None:
    with pytest.raises(ValueError):
        parse_seconds(value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"slo/befor": "3s"},
            "slo.befor: is not a known field; check its spelling; valid here: "
            "hypothesis, file, base-url, before, after, recovery-within, probe-rate",
        ),
        (
            {"blast-radius/max-intensity": {"latency": 3}},
            "blast-radius.max-intensity.latency: is not a known field; check its "
            "spelling; valid here: latency-ms, cpu-percent, memory-mb, request-rate, pods",
        ),
    ],
)
def test_a_misspelled_key_is_answered_with_the_keys_valid_there(
    tmp_path: Path, change: dict[str, Any], expected: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        load_experiment(write(tmp_path, _with(change)))
    assert [p.field + ": " + p.message for p in raised.value.problems] == [expected]


def test_keys_inside_lists_are_not_guessed(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as raised:
        load_experiment(write(tmp_path, _with({"method/0/provider/argumnets": {}})))
    (problem,) = raised.value.problems
    assert problem.message == "is not a known field; check its spelling"
