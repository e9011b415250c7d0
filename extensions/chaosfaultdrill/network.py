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
import threading
from typing import Any
from urllib.parse import urlsplit

import requests
from chaoslib.exceptions import ActivityFailed
from toxiproxy import Toxiproxy
from toxiproxy.api import APIConsumer
from toxiproxy.exceptions import InvalidToxic, NotFound, ProxyExists
from toxiproxy.proxy import Proxy

from faultdrill.faults.ledger import FaultKind, FaultLedger, FaultRecord, current_run_id

__all__ = ["add_latency", "add_toxic", "disable_proxy", "enable_proxy", "remove_toxic"]

log = logging.getLogger(__name__)

# Toxiproxy's own default API address (its README and server flags).
DEFAULT_URL = "http://127.0.0.1:8474"
STREAMS = ("upstream", "downstream")

# toxiproxy-python keeps the server address in class attributes; one lock
# keeps concurrent activities from pointing each other at the wrong server.
_client_lock = threading.Lock()


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
    toxic_name = name or f"{toxic_type}_{stream}"
    record = FaultRecord(
        run_id=current_run_id(),
        kind=FaultKind.TOXIC,
        target={"api_url": api_url, "proxy": proxy, "toxic": toxic_name},
        description=(
            f"{toxic_type} toxic {toxic_name!r} {attributes or {}} on proxy {proxy!r}"
        ),
    )
    ledger = FaultLedger.default()
    ledger.applying(record)
    try:
        _proxy(api_url, proxy).add_toxic(
            type=toxic_type,
            name=toxic_name,
            stream=stream,
            toxicity=toxicity,
            attributes=attributes or {},
        )
    except BaseException as exc:
        ledger.reverted(record, note=f"not applied: {exc}")
        raise _translate(
            exc, f"adding toxic {toxic_name!r} to proxy {proxy!r}"
        ) from exc
    log.info("applied %s", record.description)
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
    try:
        _proxy(api_url, proxy).destroy_toxic(name)
        outcome = "removed"
    except NotFound:
        outcome = "already gone"
    except Exception as exc:
        raise _translate(exc, f"removing toxic {name!r} from proxy {proxy!r}") from exc
    ledger = FaultLedger.default()
    for record in ledger.find(
        FaultKind.TOXIC, api_url=api_url, proxy=proxy, toxic=name
    ):
        ledger.reverted(record, note=outcome)
    log.info("reverted toxic %r on proxy %r (%s)", name, proxy, outcome)
    return {"proxy": proxy, "toxic": name, "outcome": outcome}


def disable_proxy(
    proxy: str, configuration: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Take ``proxy`` down: it stops listening and drops open connections."""
    api_url = server_url(configuration)
    record = FaultRecord(
        run_id=current_run_id(),
        kind=FaultKind.PROXY_DOWN,
        target={"api_url": api_url, "proxy": proxy},
        description=f"proxy {proxy!r} disabled (down)",
    )
    ledger = FaultLedger.default()
    ledger.applying(record)
    try:
        _set_enabled(api_url, proxy, enabled=False)
    except BaseException as exc:
        ledger.reverted(record, note=f"not applied: {exc}")
        raise
    log.info("applied %s", record.description)
    return {"fault_id": record.id, "proxy": proxy, "enabled": False}


def enable_proxy(
    proxy: str, configuration: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Bring ``proxy`` back up."""
    api_url = server_url(configuration)
    _set_enabled(api_url, proxy, enabled=True)
    ledger = FaultLedger.default()
    for record in ledger.find(FaultKind.PROXY_DOWN, api_url=api_url, proxy=proxy):
        ledger.reverted(record, note="enabled")
    log.info("reverted: proxy %r enabled", proxy)
    return {"proxy": proxy, "enabled": True}


def server_url(configuration: dict[str, Any] | None) -> str:
    url = (configuration or {}).get("toxiproxy_url") or os.environ.get("TOXIPROXY_URL")
    return str(url or DEFAULT_URL).rstrip("/")


def _proxy(api_url: str, name: str) -> Proxy:
    with _client_lock:
        parts = urlsplit(api_url)
        APIConsumer.host = parts.hostname or "127.0.0.1"
        APIConsumer.port = parts.port or 8474
        try:
            found = Toxiproxy().get_proxy(name)
        except requests.RequestException as exc:
            raise ActivityFailed(
                f"no Toxiproxy API answers at {api_url} ({exc.__class__.__name__}); "
                "start one (faultdrill proxy serve) or set TOXIPROXY_URL"
            ) from exc
    if found is None:
        raise ActivityFailed(
            f"the Toxiproxy server at {api_url} has no proxy named {name!r}"
        )
    return found


def _set_enabled(api_url: str, proxy: str, *, enabled: bool) -> None:
    _proxy(api_url, proxy)  # a clear error when the server or proxy is missing
    url = f"{api_url}/proxies/{proxy}"
    try:
        response = requests.post(url, json={"enabled": enabled}, timeout=5)
    except requests.RequestException as exc:
        raise ActivityFailed(f"cannot reach {url}: {exc}") from exc
    if response.status_code >= 300:
        raise ActivityFailed(
            f"{url} answered {response.status_code}: {response.text.strip()}"
        )


def _translate(exc: BaseException, doing: str) -> BaseException:
    if isinstance(exc, ActivityFailed):
        same: BaseException = exc
        return same
    if isinstance(exc, InvalidToxic | ProxyExists | NotFound):
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode(errors="replace").strip()
        failed: BaseException = ActivityFailed(
            f"{doing}: the Toxiproxy server refused: {detail}"
        )
        return failed
    if isinstance(exc, requests.RequestException):
        unreachable: BaseException = ActivityFailed(
            f"{doing}: cannot reach the Toxiproxy API: {exc}"
        )
        return unreachable
    return exc
