from __future__ import annotations

import json
import logging
import socket
from pathlib import Path
from typing import Any

import pytest
from notify_receiver import Receiver

from faultdrill.errors import InvalidInput
from faultdrill.notify.webhook import check_webhook_url, notify_journal

JOURNALS = Path(__file__).resolve().parents[1] / "report" / "journals"


def load(outcome: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((JOURNALS / f"{outcome}.json").read_text())
    return data


def test_an_aborted_run_posts_json_to_the_webhook(receiver: Receiver) -> None:
    assert notify_journal(load("aborted"), receiver.url) is True
    (request,) = receiver.received
    assert request["path"] == "/hooks/T0KEN"
    assert request["content_type"] == "application/json"
    body = request["body"]
    assert body["event"] == "run-aborted"
    assert body["outcome"] == "aborted" and body["exit_code"] == 4
    assert "break-on-purpose" in body["reason"]
    assert body["text"].startswith("faultdrill: The video API absorbs")


def test_an_incident_posts_its_severity_and_the_broken_slos(receiver: Receiver) -> None:
    assert notify_journal(load("deviated"), receiver.url) is True
    body = receiver.received[0]["body"]
    assert body["event"] == "incident-opened"
    assert body["incident"]["severity"] == "SEV-2"
    assert body["broken"] == [
        {
            "slo": "api-latency-p95",
            "phase": "during",
            "summary": "p95 609 ms > 500 ms over 116 samples: breached beyond chance",
        }
    ]


@pytest.mark.parametrize("outcome", ["held", "refused", "inconclusive", "interrupted"])
def test_runs_that_need_nobody_send_nothing(outcome: str, receiver: Receiver) -> None:
    assert notify_journal(load(outcome), receiver.url) is False
    assert receiver.received == []


def test_a_receiver_error_is_logged_without_the_token(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.status = 500
    with caplog.at_level(logging.WARNING):
        assert notify_journal(load("aborted"), receiver.url) is False
    assert "answered HTTP 500" in caplog.text
    assert "T0KEN" not in caplog.text


def test_an_unreachable_receiver_is_a_warning_not_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with caplog.at_level(logging.WARNING):
        sent = notify_journal(load("aborted"), f"http://127.0.0.1:{port}/x")
    assert sent is False
    assert caplog.text.count("ConnectionError") == 2  # one retry, then give up


def test_a_url_that_is_not_http_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="not an http"):
        check_webhook_url("ftp://hooks.example.com/x")
