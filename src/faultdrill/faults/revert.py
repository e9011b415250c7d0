"""Reverting a recorded fault, whoever applied it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import quote

import requests

from faultdrill.errors import FaultError
from faultdrill.faults.ledger import FaultKind, FaultLedger, FaultRecord

log = logging.getLogger(__name__)

# Generous for a loopback or same-datacentre API; a revert that cannot reach
# the proxy within this is reported, not retried forever.
HTTP_TIMEOUT_S = 5.0


def revert(record: FaultRecord) -> str:
    """Remove one fault; returns what was done. Idempotent."""
    try:
        if record.kind is FaultKind.TOXIC:
            return _remove_toxic(record)
        if record.kind is FaultKind.PROXY_DOWN:
            return _enable_proxy(record)
    except KeyError as exc:
        raise FaultError(
            f"the ledger entry {record.id} lacks {exc}; revert it by hand, then "
            f"'faultdrill recover --forget {record.id}'"
        ) from None
    raise FaultError(f"no way to revert a fault of kind {record.kind}")


def revert_pending(
    ledger: FaultLedger, run_id: str | None = None, *, orphans_only: bool = False
) -> list[tuple[FaultRecord, str]]:
    """Revert pending faults (of one run, or all, or of dead runs only).

    Each fault that is gone is crossed off; one that cannot be reverted stays.
    """
    done = []
    records = ledger.orphans() if orphans_only else ledger.pending(run_id)
    for record in records:
        try:
            outcome = revert(record)
        except FaultError as exc:
            log.error("could not revert %s: %s", record.description, exc)
            done.append((record, f"failed: {exc}"))
            continue
        ledger.reverted(record, note=outcome)
        log.info("reverted %s (%s)", record.description, outcome)
        done.append((record, outcome))
    return done


# How long after an unanswered apply its revert keeps looking for the fault
# to appear: three times the request timeout of the network actions (5 s),
# so a server that was only slow to answer has carried the request out.
# TODO(late applies past the grace): a request held longer than this by
# something between runner and server can still land after the revert.
LATE_APPLY_GRACE_S = 15.0
_LOOK_EVERY_S = 0.25


def _remove_toxic(record: FaultRecord) -> str:
    api, proxy, toxic = (record.target[k] for k in ("api_url", "proxy", "toxic"))
    url = f"{api.rstrip('/')}/proxies/{_segment(proxy)}/toxics/{_segment(toxic)}"

    def delete() -> bool:
        """True if there was a toxic to remove."""
        return _found("DELETE", url)

    if delete():
        return "toxic removed"  # an unanswered apply that had landed, too
    if record.unanswered_at is None:
        return "already gone"
    if _settle_late_apply(record, lambda: _call("GET", url).status_code == 200):
        delete()
        return "toxic removed after its unanswered apply landed late"
    return "already gone (its apply was unanswered)"


def _enable_proxy(record: FaultRecord) -> str:
    api, proxy = record.target["api_url"], record.target["proxy"]
    url = f"{api.rstrip('/')}/proxies/{_segment(proxy)}"

    def enable() -> str:
        found = _found("POST", url, json={"enabled": True})
        return "proxy enabled" if found else "proxy no longer exists"

    def disabled() -> bool:
        response = _call("GET", url)
        return response.status_code == 200 and response.json().get("enabled") is False

    # An unanswered disable that is already in place has landed: no waiting.
    landed = record.unanswered_at is None or disabled()
    outcome = enable()
    if landed or outcome != "proxy enabled":
        return outcome
    if _settle_late_apply(record, disabled):
        enable()
        return "proxy enabled again after its unanswered disable landed late"
    return outcome


def _settle_late_apply(record: FaultRecord, applied: Callable[[], bool]) -> bool:
    """Whether the unanswered apply of ``record`` shows up within the grace."""
    assert record.unanswered_at is not None
    deadline = record.unanswered_at + LATE_APPLY_GRACE_S
    while True:
        if applied():
            log.warning("the unanswered apply of %s landed late", record.description)
            return True
        if time.time() >= deadline:
            return False
        time.sleep(_LOOK_EVERY_S)


def _found(method: str, url: str, json: dict[str, bool] | None = None) -> bool:
    """Send the request; False for a 404, FaultError for any other failure."""
    response = _call(method, url, json=json)
    if response.status_code == 404:
        return False
    if response.status_code >= 300:
        raise FaultError(
            f"{method} {url} answered {response.status_code}: {response.text.strip()}"
        )
    return True


def _segment(name: str) -> str:
    """A name as one URL path segment: ``?``, ``#`` and ``/`` cannot escape it."""
    return quote(str(name), safe="")


def _call(
    method: str, url: str, json: dict[str, bool] | None = None
) -> requests.Response:
    try:
        return requests.request(method, url, json=json, timeout=HTTP_TIMEOUT_S)
    except requests.RequestException as exc:
        raise FaultError(
            f"cannot reach the Toxiproxy API at {url}: {exc}; if that server is "
            "gone for good (and its faults with it), 'faultdrill recover --forget "
            "ID' crosses the fault off"
        ) from exc
