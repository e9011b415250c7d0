"""The SLO file: shipped defaults, validation errors, good-event rules."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from faultdrill.errors import InvalidInput
from faultdrill.slo.model import (
    AvailabilitySli,
    CalendarMonthWindow,
    ErrorRatioSli,
    HttpMethod,
    LatencySli,
    Request,
    default_slo_file,
    load_slo_file,
)


@dataclass(frozen=True)
class Event:
    latency_s: float
    status: int | None
    error: str | None = None
    request: str = "GET /"


def write(tmp_path: Path, text: str, name: str = "slos.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


VALID = """
service: shop
slos:
  - name: checkout-latency
    objective: 99
    window: {type: calendar-month}
    sli: {type: latency, threshold-ms: 250, request: {method: post, path: /pay}}
"""


def test_shipped_defaults_are_the_four_localizevideos_slos() -> None:
    slo_file = default_slo_file()

    assert slo_file.service == "localizevideos"
    assert slo_file.names == [
        "homepage-availability",
        "login-success",
        "api-latency-p95",
        "api-5xx-ratio",
    ]
    assert [slo.objective for slo in slo_file.slos] == [99.9, 99.9, 95, 99.9]


def test_shipped_login_posts_demo_credentials() -> None:
    request = default_slo_file().get("login-success").sli.request

    assert request.method is HttpMethod.POST
    assert request.path == "/login"
    assert request.body == {"user": "demo", "password": "demo"}


def test_shipped_latency_slo_has_a_500_ms_threshold() -> None:
    sli = default_slo_file().get("api-latency-p95").sli

    assert isinstance(sli, LatencySli)
    assert sli.threshold_ms == 500


def test_slos_with_equal_requests_share_one_key() -> None:
    slo_file = default_slo_file()
    latency = slo_file.get("api-latency-p95").sli.request
    errors = slo_file.get("api-5xx-ratio").sli.request

    assert latency.key == errors.key
    assert latency.key != slo_file.get("homepage-availability").sli.request.key


def test_request_key_tells_bodies_apart() -> None:
    one = Request.model_validate({"path": "/login", "json": {"user": "a"}})
    other = Request.model_validate({"path": "/login", "json": {"user": "b"}})

    assert one.key != other.key


@pytest.mark.parametrize(
    ("objective", "target", "budget"),
    [(99.9, 0.999, 0.001), (95, 0.95, 0.05), (99.95, 0.9995, 0.0005), (50, 0.5, 0.5)],
)
def test_target_ratio_and_error_budget_follow_the_objective(
    objective: float, target: float, budget: float
) -> None:
    slo = default_slo_file().slos[0].model_copy(update={"objective": objective})

    assert slo.target_ratio == target
    assert slo.error_budget == budget


def test_file_with_kebab_keys_loads_with_window_and_method(tmp_path: Path) -> None:
    slo = load_slo_file(write(tmp_path, VALID)).get("checkout-latency")

    assert isinstance(slo.window, CalendarMonthWindow)
    assert isinstance(slo.sli, LatencySli)
    assert slo.sli.threshold_ms == 250
    assert slo.sli.request.method is HttpMethod.POST


def test_python_field_names_are_accepted_too(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("threshold-ms", "threshold_ms"))

    sli = load_slo_file(path).slos[0].sli

    assert isinstance(sli, LatencySli)
    assert sli.threshold_ms == 250


def test_json_file_loads(tmp_path: Path) -> None:
    data = {
        "service": "shop",
        "slos": [
            {
                "name": "up",
                "objective": 99,
                "sli": {"type": "availability", "request": {"path": "/"}},
            }
        ],
    }
    path = write(tmp_path, json.dumps(data), "slos.json")

    assert load_slo_file(path).get("up").window.type == "rolling"


BAD_CASES = [
    ("name: Bad_Name", "slos[0].name", "lowercase letters, digits"),
    ("objective: 100", "slos[0].objective", "less than 100"),
    ("objective: 0", "slos[0].objective", "greater than 0"),
    ("window: {type: weekly}", "slos[0].window", "'rolling', 'calendar-month'"),
    ("window: {type: rolling, days: 0}", "slos[0].window.days", "greater than"),
    ("sli: {type: latncy, request: {path: /}}", "slos[0].sli", "'availability'"),
    (
        "sli: {type: latency, request: {path: /}}",
        "slos[0].sli.threshold-ms",
        "is required",
    ),
    (
        "sli: {type: availability, request: {path: x}}",
        "slos[0].sli.request.path",
        "must start with '/'",
    ),
    (
        "sli: {type: availability, source: prom, request: {path: /}}",
        "slos[0].sli.source",
        "'probe'",
    ),
    (
        "sli: {type: availability, request: {path: /}, extra: 1}",
        "slos[0].sli.extra",
        "not a known field",
    ),
]


@pytest.mark.parametrize(("override", "field", "message"), BAD_CASES)
def test_every_error_names_the_file_and_the_field(
    tmp_path: Path, override: str, field: str, message: str
) -> None:
    key = override.split(":")[0]
    base = {
        "name": "name: ok",
        "objective": "objective: 99",
        "window": "window: {type: rolling}",
        "sli": "sli: {type: availability, request: {path: /}}",
    }
    base[key] = override
    body = "\n    ".join(base.values())
    path = write(tmp_path, f"service: s\nslos:\n  - {body}\n")

    with pytest.raises(InvalidInput) as caught:
        load_slo_file(path)

    problems = caught.value.problems
    assert [(p.source, p.field) for p in problems] == [(str(path), field)]
    assert message in problems[0].message


def test_duplicate_names_are_rejected_naming_both_entries(tmp_path: Path) -> None:
    slo = "  - {name: up, objective: 99, sli: {type: availability, request: {path: /}}}"
    path = write(tmp_path, f"service: s\nslos:\n{slo}\n{slo}\n")

    with pytest.raises(InvalidInput) as caught:
        load_slo_file(path)

    assert "slos[0] and slos[1]" in str(caught.value)


def test_missing_service_and_empty_slos_are_both_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "slos: []\n")

    with pytest.raises(InvalidInput) as caught:
        load_slo_file(path)

    assert {p.field for p in caught.value.problems} == {"service", "slos"}


def test_unknown_slo_name_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInput) as caught:
        default_slo_file().get("checkout")

    text = str(caught.value)
    assert "faultdrill/data/slos.yaml" in text
    assert "'checkout'" in text
    assert "homepage-availability, login-success" in text


def test_get_on_a_loaded_file_names_that_file(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)

    with pytest.raises(InvalidInput, match=str(path)):
        load_slo_file(path).get("nope")


REQUEST = Request(path="/")
AVAILABILITY = AvailabilitySli(type="availability", request=REQUEST)
ERROR_RATIO = ErrorRatioSli(type="error-ratio", request=REQUEST)
LATENCY = LatencySli(type="latency", threshold_ms=500, request=REQUEST)
GOOD_RULES = [
    (AVAILABILITY, Event(0.1, 200), True),
    (AVAILABILITY, Event(0.1, 204), True),
    (AVAILABILITY, Event(0.1, 302), False),
    (AVAILABILITY, Event(0.1, 404), False),
    (AVAILABILITY, Event(0.1, None, "connection refused"), False),
    (ERROR_RATIO, Event(0.1, 404), True),
    (ERROR_RATIO, Event(0.1, 499), True),
    (ERROR_RATIO, Event(0.1, 500), False),
    (ERROR_RATIO, Event(0.1, 503), False),
    (ERROR_RATIO, Event(0.001, None, "connection refused"), False),
    (LATENCY, Event(0.5, 200), True),
    (LATENCY, Event(0.5001, 200), False),
    (LATENCY, Event(0.2, 503), False),  # a fast server error is no fast answer
    (LATENCY, Event(0.2, 502), False),
    (LATENCY, Event(0.2, 429), True),  # a client error was still answered
    (LATENCY, Event(0.01, None, "connection reset"), False),
]


@pytest.mark.parametrize(("sli", "event", "good"), GOOD_RULES)
def test_what_counts_as_a_good_event(
    sli: AvailabilitySli | ErrorRatioSli | LatencySli, event: Event, good: bool
) -> None:
    assert sli.is_good(event) is good
