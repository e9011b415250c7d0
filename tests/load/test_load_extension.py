"""The chaos actions' arguments: checked before anything is sent."""

from __future__ import annotations

from typing import Any

import pytest
from chaoslib.exceptions import ActivityFailed

from chaosfaultdrill import load
from faultdrill.load.rawhttp import parse_head

URL = "http://127.0.0.1:9/login"  # nothing listens on port 9 (discard)


def limits(**values: float) -> dict[str, Any]:
    return {load.LIMITS_KEY: values}


def test_a_bad_limit_names_the_field_and_what_is_valid() -> None:
    with pytest.raises(
        ActivityFailed, match=r"limit: status: Input should be 429 or 503"
    ):
        load.validate_rate_limit(URL, {"rate": 20, "status": 418}, 100, 1)


def test_a_rate_beyond_the_blast_radius_is_refused_before_sending(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def never(*_: Any, **__: Any) -> Any:
        raise AssertionError("nothing may be sent")

    monkeypatch.setattr(load, "validate", never)
    legit = {"slo": "login-success", "keys": 50, "rate-per-key": 10}
    with pytest.raises(
        ActivityFailed,
        match=r"600 requests/s exceeds blast-radius.max-intensity.request-rate 500",
    ):
        load.validate_rate_limit(
            URL,
            {"rate": 20},
            100,
            1,
            legit=legit,
            configuration=limits(max_request_rate=500),
        )


def test_load_longer_than_the_blast_radius_allows_is_refused() -> None:
    profile = {"type": "constant", "rate": 10, "duration_s": 120}
    with pytest.raises(
        ActivityFailed, match=r"120 s of load exceeds blast-radius\.max-duration 60 s"
    ):
        load.run_load(
            "http://127.0.0.1:9", profile, configuration=limits(max_duration_s=60)
        )


def test_an_unknown_profile_type_lists_the_valid_ones() -> None:
    with pytest.raises(ActivityFailed, match="type must be 'constant' or 'steps'"):
        load.run_load("http://127.0.0.1:9", {"type": "ramp", "rate": 10})


def test_an_unknown_slo_lists_the_known_ones() -> None:
    with pytest.raises(
        ActivityFailed, match="no SLO named 'fast'; known SLOs: homepage-availability"
    ):
        load.find_capacity("http://127.0.0.1:9/api", [10], 1, slos=["fast"])


def test_no_validation_yet_counts_as_held() -> None:
    assert load.rate_limit_held() is True


@pytest.mark.parametrize(
    ("head", "status", "retry_after"),
    [
        (b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\n\r\n", 429, "2"),
        (
            b"HTTP/1.1 503 Service Temporarily Unavailable\r\nServer: nginx\r\n\r\n",
            503,
            None,
        ),
        (b"HTTP/1.0 200 OK\r\nretry-after:  7 \r\n\r\n", 200, "7"),
    ],
)
def test_status_and_retry_after_are_read_from_the_head(
    head: bytes, status: int, retry_after: str | None
) -> None:
    answer = parse_head(head)
    assert (answer.status, answer.retry_after, answer.error) == (
        status,
        retry_after,
        None,
    )


def test_a_head_without_a_status_line_is_a_bad_response() -> None:
    assert parse_head(b"garbage\r\n\r\n").error == "bad response: no status line"
