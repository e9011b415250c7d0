"""Where the experiment's service and fault proxy are.

The Toxiproxy API is, in order: ``--toxiproxy-url``; the ``TOXIPROXY_URL``
environment variable; the experiment's ``toxiproxy_url`` configuration; the
proxy of a running ``faultdrill sandbox``; otherwise an embedded server that
faultdrill starts for this run and stops after it.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests

from faultdrill.errors import InvalidInput, TargetUnavailable
from faultdrill.faults.ledger import FaultLedger
from faultdrill.probe.http import check_base_url
from faultdrill.urls import is_http_url

log = logging.getLogger(__name__)

# Modules whose activities talk to a Toxiproxy API.
NETWORK_MODULES = ("chaosfaultdrill.network", "chaostoxi")
SANDBOX_URL_ENV = "FAULTDRILL_SANDBOX_URL"
# The sandbox's default web address (faultdrill.sandbox.config).
DEFAULT_BASE_URL = "http://127.0.0.1:8780"
# slo.base-url's default, left as is when the configuration has no base_url.
UNSET_BASE_URL = "${base_url}"
# A healthy API answers /version in milliseconds; this only bounds a hang.
PROBE_TIMEOUT_S = 3.0


@dataclass(frozen=True)
class ProxyApi:
    url: str
    origin: str  # which rule above chose it, for the log and the journal


def uses_network_faults(document: dict[str, Any]) -> bool:
    steps = [*document.get("method", []), *document.get("rollbacks", [])]
    modules = [str((s.get("provider") or {}).get("module", "")) for s in steps]
    return any(m.startswith(NETWORK_MODULES) for m in modules)


@contextlib.contextmanager
def toxiproxy_api(
    explicit: str | None, configuration: dict[str, Any]
) -> Iterator[ProxyApi]:
    """The API to use for this run; an embedded one lives as long as the block."""
    chosen = configured_api(explicit, configuration)
    if chosen is not None:
        _check_answers(chosen)
        yield chosen
        return
    from faultdrill.proxy.embedded import EmbeddedProxy

    with EmbeddedProxy() as embedded:
        url = embedded.url
        log.info("started the embedded Toxiproxy-compatible server at %s", url)
        try:
            yield ProxyApi(url, "embedded")
        finally:
            embedded.stop()
            _forget_faults_of(url)


def _forget_faults_of(api_url: str) -> None:
    """The embedded server is gone, and every fault it held went with it."""
    ledger = FaultLedger.default()
    for fault in ledger.pending():
        if fault.target.get("api_url") == api_url:
            ledger.reverted(fault, note="the embedded proxy server stopped")


def configured_api(
    explicit: str | None, configuration: dict[str, Any]
) -> ProxyApi | None:
    """The API the rules above choose, or None for an embedded one."""
    if explicit:
        return _named_api(explicit, "--toxiproxy-url")
    if os.environ.get("TOXIPROXY_URL"):
        return _named_api(os.environ["TOXIPROXY_URL"], "TOXIPROXY_URL")
    if configuration.get("toxiproxy_url"):
        return _named_api(
            str(configuration["toxiproxy_url"]), "configuration.toxiproxy_url"
        )
    sandbox = _running_sandbox()
    if sandbox is not None and sandbox.toxiproxy_url:
        return ProxyApi(sandbox.toxiproxy_url.rstrip("/"), "sandbox")
    return None


def proxies_named(steps: list[dict[str, Any]]) -> list[str]:
    """Proxies that faultdrill's network actions in ``steps`` act on.

    Empty when a step creates proxies itself (chaostoolkit-toxiproxy's
    ``create_proxy``): then they need not exist before the method.
    """
    named: list[str] = []
    for step in steps:
        provider = step.get("provider") or {}
        module, func = provider.get("module"), provider.get("func")
        if module == "chaostoxi.proxy.actions" and func == "create_proxy":
            return []
        proxy = (provider.get("arguments") or {}).get("proxy")
        if module == "chaosfaultdrill.network" and isinstance(proxy, str):
            named.append(proxy)
    return sorted(set(named))


def check_proxies_exist(api: ProxyApi, names: list[str]) -> None:
    """Refused (nothing injected yet) unless ``api`` has every proxy named."""
    if not names:
        return
    try:
        response = requests.get(f"{api.url}/proxies", timeout=PROBE_TIMEOUT_S)
        response.raise_for_status()
        have = set(response.json())
    except (requests.RequestException, ValueError) as exc:
        raise TargetUnavailable(
            f"cannot list the proxies of {api.url} (from {api.origin}): {exc}"
        ) from exc
    missing = [name for name in names if name not in have]
    if not missing:
        return
    hint = (
        "the embedded server starts empty: point --toxiproxy-url at the server "
        "that has them, or start the sandbox (faultdrill sandbox up)"
        if api.origin == "embedded"
        else "create them there, or point --toxiproxy-url at the right server"
    )
    raise TargetUnavailable(
        f"the Toxiproxy API at {api.url} (from {api.origin}) has no proxy "
        f"{', '.join(map(repr, missing))}; {hint}; nothing was injected"
    )


def _named_api(url: str, origin: str) -> ProxyApi:
    """``url`` as the API; InvalidInput naming ``origin`` if it is no HTTP URL."""
    if not is_http_url(url):
        raise InvalidInput.single(
            origin,
            "",
            f"{url!r} is not an HTTP URL; give the Toxiproxy API's base URL, "
            "like http://127.0.0.1:8474",
        )
    return ProxyApi(url.rstrip("/"), origin)


def _check_answers(api: ProxyApi) -> None:
    try:
        response = requests.get(f"{api.url}/version", timeout=PROBE_TIMEOUT_S)
        response.raise_for_status()
    except requests.RequestException as exc:
        raise TargetUnavailable(
            f"no Toxiproxy API answers at {api.url} (from {api.origin}): {exc}; "
            "start it, fix the URL, or leave it unset to use the embedded server"
        ) from exc


def base_url(slo_base_url: Any, configuration: dict[str, Any], source: str = "") -> str:
    """The service the SLO prober measures; ``source`` names the experiment."""
    text = str(slo_base_url)
    if text != UNSET_BASE_URL:
        return check_base_url(text, source or "experiment", "slo.base-url")
    if os.environ.get(SANDBOX_URL_ENV):
        return os.environ[SANDBOX_URL_ENV].rstrip("/")
    sandbox = _running_sandbox()
    if sandbox is not None:
        return str(sandbox.web_url).rstrip("/")
    return DEFAULT_BASE_URL


def check_service_answers(url: str) -> None:
    """TargetUnavailable unless something answers HTTP at ``url``.

    Any answer will do, a 500 included: judging it is the SLOs' work. Only
    a service that is not there at all is refused, so a run against a target
    that was never started says so instead of measuring a deviation.
    """
    try:
        requests.get(url, timeout=PROBE_TIMEOUT_S, allow_redirects=False)
    except requests.RequestException as exc:
        raise TargetUnavailable(
            f"nothing answers at {url} ({_why_unreachable(exc)}); start the "
            "service or fix slo.base-url (for the bundled demo target: "
            "faultdrill sandbox up); nothing was injected"
        ) from exc


def _why_unreachable(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.Timeout):
        return f"no answer within {PROBE_TIMEOUT_S:g} s"
    if isinstance(exc, requests.ConnectionError):
        return "connection refused or reset"
    return type(exc).__name__


def _running_sandbox() -> Any:
    from faultdrill.sandbox import control

    return control.status()
