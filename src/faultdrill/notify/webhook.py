"""POST a run's notification as JSON to a webhook.

A failed notification never changes a run's outcome or exit code: it is
logged as a warning, with the host only (webhook URLs often carry a token
in their path).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import requests

from faultdrill.errors import InvalidInput
from faultdrill.notify.event import notification, should_notify
from faultdrill.report.record import RunRecord, parse_journal

log = logging.getLogger(__name__)

WEBHOOK_ENV = "FAULTDRILL_WEBHOOK_URL"
# A webhook receiver answers in well under a second; 5 s bounds a hang
# without holding a finished run's exit for long.
TIMEOUT_S = 5.0
# One retry covers a dropped connection; more would delay the exit code.
ATTEMPTS = 2


def check_webhook_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput.single(
            "--webhook",
            "",
            f"{_host(url)!r} is not an http(s) URL; give one like "
            "https://hooks.example.com/...",
        )
    return url


def notify_journal(journal: dict[str, Any], url: str) -> bool:
    """Notify about a journal if it calls for it; True if a webhook was sent."""
    return notify_run(parse_journal(journal), url)


def notify_run(record: RunRecord, url: str) -> bool:
    if not should_notify(record):
        log.debug("run %s: nothing to notify (%s)", record.run_id, record.outcome)
        return False
    return post_json(url, notification(record))


def post_json(url: str, body: dict[str, Any]) -> bool:
    """POST ``body``; True on a 2xx answer. Never raises for network trouble."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            response = requests.post(url, json=body, timeout=TIMEOUT_S)
        except requests.RequestException as exc:
            log.warning(
                "webhook to %s failed (attempt %d of %d): %s",
                _host(url),
                attempt,
                ATTEMPTS,
                type(exc).__name__,
            )
            continue
        if response.ok:
            log.info("webhook sent to %s (%s)", _host(url), body.get("event"))
            return True
        log.warning("webhook to %s answered HTTP %d", _host(url), response.status_code)
        return False
    return False


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "(no host)"
