"""Network faults through the Toxiproxy HTTP API (chaos actions).

Works against a real toxiproxy-server and against faultdrill's embedded one.
The server is taken from the experiment's configuration key
``toxiproxy_url``, else from the ``TOXIPROXY_URL`` environment variable,
else Toxiproxy's default ``http://127.0.0.1:8474``.

Every fault is written to faultdrill's fault ledger before it is applied, so
that a crashed run can be put back by ``faultdrill recover``.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import requests
from chaoslib.exceptions import ActivityFailed
from toxiproxy.api import APIConsumer
from toxiproxy.exceptions import InvalidToxic, NotFound, ProxyExists

from faultdrill.faults.ledger import FaultKind, FaultLedger, FaultRecord, current_run_id

__all__ = ["add_latency", "add_toxic", "disable_proxy", "enable_proxy", "remove_toxic"]

log = logging.getLogger(__name__)

# Toxiproxy's own default API address (its README and server flags).
DEFAULT_URL = "http://127.0.0.1:8474"
STREAMS = ("upstream", "downstream")

# toxiproxy-python keeps the server address in class attributes; one lock
# keeps concurrent activities from pointing each other at the wrong server.
_client_lock = threading.Lock()

# A Toxiproxy API answers on loopback or a nearby host in milliseconds; a
# call that takes this long is reported instead of hanging a rollback.
HTTP_TIMEOUT_S = 5.0
# Names go into URL paths as they are (toxiproxy-python does not encode).
_NAME = re.compile(r"[A-Za-z0-9_.:-]+")
# Answers that prove the server did not apply the request.
_REFUSALS = (InvalidToxic, ProxyExists, NotFound)


def add_latency(
    proxy: str,
    latency_ms: int,
    jitter_ms: int = 0,
    stream: str = "downstream",
    toxicity: float = 1.0,
    name: str | None = None,
    configuration: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Delay data on ``proxy`` by ``latency_ms`` ± ``jitter_ms`` milliseconds."""
    if latency_ms < 0 or jitter_ms < 0:
        raise ActivityFailed("latency_ms and jitter_ms must be 0 or more milliseconds")
    attributes = {"latency": int(latency_ms), "jitter": int(jitter_ms)}
    return add_toxic(
        proxy, "latency", attributes, stream, toxicity, name, configuration
    )


def add_toxic(
    proxy: str,
    toxic_type: str,
    attributes: dict[str, int] | None = None,
    stream: str = "downstream",
    toxicity: float = 1.0,
    name: str | None = None,
    configuration: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Add any Toxiproxy toxic; it is recorded in the fault ledger first."""
    if stream not in STREAMS:
        raise ActivityFailed(
            f"stream must be 'upstream' or 'downstream', not {stream!r}"
        )
    if not 0.0 <= toxicity <= 1.0:
        raise ActivityFailed(f"toxicity must be between 0 and 1, not {toxicity}")
    api_url = server_url(configuration)
    toxic_name = _checked_name(name or f"{toxic_type}_{stream}", "toxic name")
    _find_proxy(api_url, proxy)
    record = FaultRecord(
        run_id=current_run_id(),
        kind=FaultKind.TOXIC,
        target={"api_url": api_url, "proxy": proxy, "toxic": toxic_name},
        description=(
            f"{toxic_type} toxic {toxic_name!r} {attributes or {}} on proxy {proxy!r}"
        ),
    )
    body = {
        "name": toxic_name,
        "type": toxic_type,
        "stream": stream,
        "toxicity": toxicity,
        "attributes": attributes or {},
    }
    doing = f"adding toxic {toxic_name!r} to proxy {proxy!r}"
    _apply(
        record, doing, lambda: _call(api_url, "post", f"/proxies/{proxy}/toxics", body)
    )
    return {
        "fault_id": record.id,
        "proxy": proxy,
        "toxic": toxic_name,
        "api_url": api_url,
    }


def remove_toxic(
    proxy: str, name: str, configuration: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Remove a toxic; removing one that is already gone succeeds."""
    api_url = server_url(configuration)
    _checked_name(proxy, "proxy name")
    _checked_name(name, "toxic name")
    try:
        _call(api_url, "delete", f"/proxies/{proxy}/toxics/{name}")
        outcome = "removed"
    except NotFound:
        outcome = "already gone"
    except Exception as exc:
        raise _translate(exc, f"removing toxic {name!r} from proxy {proxy!r}") from exc
    ledger = FaultLedger.default()
    for record in ledger.find(
        FaultKind.TOXIC, api_url=api_url, proxy=proxy, toxic=name
    ):
        if record.unanswered_at is not None:
            continue  # it may land late: the run's safety net looks again
        ledger.reverted(record, note=outcome)
    log.info("reverted toxic %r on proxy %r (%s)", name, proxy, outcome)
    return {"proxy": proxy, "toxic": name, "outcome": outcome}


def disable_proxy(
    proxy: str, configuration: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Take ``proxy`` down: it stops listening and drops open connections."""
    api_url = server_url(configuration)
    _find_proxy(api_url, proxy)
    record = FaultRecord(
        run_id=current_run_id(),
        kind=FaultKind.PROXY_DOWN,
        target={"api_url": api_url, "proxy": proxy},
        description=f"proxy {proxy!r} disabled (down)",
    )
    doing = f"disabling proxy {proxy!r}"
    _apply(
        record,
        doing,
        lambda: _call(api_url, "post", f"/proxies/{proxy}", {"enabled": False}),
    )
    return {"fault_id": record.id, "proxy": proxy, "enabled": False}


def enable_proxy(
    proxy: str, configuration: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Bring ``proxy`` back up."""
    api_url = server_url(configuration)
    _find_proxy(api_url, proxy)
    try:
        _call(api_url, "post", f"/proxies/{proxy}", {"enabled": True})
    except Exception as exc:
        raise _translate(exc, f"enabling proxy {proxy!r}") from exc
    ledger = FaultLedger.default()
    for record in ledger.find(FaultKind.PROXY_DOWN, api_url=api_url, proxy=proxy):
        if record.unanswered_at is not None:
            continue  # it may land late: the run's safety net looks again
        ledger.reverted(record, note="enabled")
    log.info("reverted: proxy %r enabled", proxy)
    return {"proxy": proxy, "enabled": True}


def server_url(configuration: dict[str, Any] | None) -> str:
    url = (configuration or {}).get("toxiproxy_url") or os.environ.get("TOXIPROXY_URL")
    return str(url or DEFAULT_URL).rstrip("/")


def _apply(record: FaultRecord, doing: str, request: Callable[[], object]) -> None:
    """Write the fault down, then apply it.

    Only a refusal from the server proves it was not applied; after a
    timeout, a lost connection or a signal the outcome is unknown, so the
    entry stays in the ledger for the rollback's safety net and ``recover``.
    """
    ledger = FaultLedger.default()
    ledger.applying(record)
    try:
        request()
    except _REFUSALS as exc:
        ledger.reverted(record, note=f"not applied: {_detail(exc)}")
        raise _translate(exc, doing) from exc
    except BaseException as exc:
        # No answer: it may be applied now, or later. Ctrl-C lands here too.
        ledger.unanswered(record)
        if not isinstance(exc, Exception):
            raise
        raise _translate(exc, doing) from exc
    log.info("applied %s", record.description)


def _find_proxy(api_url: str, name: str) -> None:
    """A clear error when the server or the proxy is missing."""
    _checked_name(name, "proxy name")
    try:
        _call(api_url, "get", f"/proxies/{name}")
    except NotFound:
        raise ActivityFailed(
            f"the Toxiproxy server at {api_url} has no proxy named {name!r}"
        ) from None
    except requests.RequestException as exc:
        raise ActivityFailed(
            f"no Toxiproxy API answers at {api_url} ({exc.__class__.__name__}); "
            "start one (faultdrill proxy serve) or set TOXIPROXY_URL"
        ) from exc


def _call(api_url: str, method: str, path: str, body: object = None) -> object:
    """One request through toxiproxy-python's API client, with a timeout."""
    with _client_lock:
        parts = urlsplit(api_url)
        APIConsumer.host = parts.hostname or "127.0.0.1"
        APIConsumer.port = parts.port or 8474
        if method == "get":
            return APIConsumer.get(path, timeout=HTTP_TIMEOUT_S)
        if method == "delete":
            return APIConsumer.delete(path, timeout=HTTP_TIMEOUT_S)
        return APIConsumer.post(path, json=body, timeout=HTTP_TIMEOUT_S)


def _checked_name(name: str, what: str) -> str:
    if not _NAME.fullmatch(str(name)):
        raise ActivityFailed(
            f"{what} {name!r} is not usable in the Toxiproxy API's URLs; use "
            "letters, digits and _ . : - only"
        )
    return str(name)


def _detail(exc: BaseException) -> str:
    detail = exc.args[0] if exc.args else exc
    if isinstance(detail, bytes):
        return detail.decode(errors="replace").strip()
    return str(detail)


def _translate(exc: BaseException, doing: str) -> BaseException:
    if isinstance(exc, ActivityFailed):
        same: BaseException = exc
        return same
    if isinstance(exc, _REFUSALS):
        failed: BaseException = ActivityFailed(
            f"{doing}: the Toxiproxy server refused: {_detail(exc)}"
        )
        return failed
    if isinstance(exc, requests.RequestException):
        unreachable: BaseException = ActivityFailed(
            f"{doing}: cannot reach the Toxiproxy API: {exc}"
        )
        return unreachable
    return exc
