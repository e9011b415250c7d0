"""``--ci``: refuse any target outside the declared staging allowlist.

A CI job must never reach production by accident: a copied experiment, a
stale ``TOXIPROXY_URL``, a default base URL. In CI mode every host an
experiment would touch is checked before anything runs:

- the service the SLO prober measures (``slo.base-url``, resolved);
- the Toxiproxy API, when the experiment injects network faults;
- every URL of an ``http`` provider (method, rollbacks, steady state);
- ``blast-radius.targets.hosts``.

The allowlist holds host names (``staging.example.com``), ``host:port``
pairs, or IP networks (``10.20.0.0/16``, ``127.0.0.1``). Names are compared
as written, never resolved: a DNS answer must not widen the list.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from faultdrill.errors import Refused
from faultdrill.experiment.loader import LoadedExperiment
from faultdrill.runner import targets
from faultdrill.runner.chaostoolkit import ChaosToolkit

ALLOWLIST_ENV = "FAULTDRILL_CI_ALLOWLIST"  # comma-separated, like --allow-target


@dataclass(frozen=True)
class Target:
    what: str  # where in the experiment the host comes from
    url: str

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or self.url).lower()

    @property
    def port(self) -> int | None:
        try:
            return urlsplit(self.url).port
        except ValueError:
            return None


def allowlist_from(
    options: Sequence[str], environ: dict[str, str] | None = None
) -> list[str]:
    """The allowlist: ``--allow-target`` values plus FAULTDRILL_CI_ALLOWLIST."""
    env = os.environ if environ is None else environ
    listed = [item.strip() for item in env.get(ALLOWLIST_ENV, "").split(",")]
    return [item for item in [*options, *listed] if item]


def check_ci_targets(
    experiments: Iterable[LoadedExperiment],
    allowlist: Sequence[str],
    toxiproxy_url: str | None = None,
) -> list[str]:
    """Every target outside ``allowlist``, as reasons; empty when all are in."""
    if not allowlist:
        return [
            "CI mode needs the staging allowlist: pass --allow-target HOST "
            f"(repeatable) or set {ALLOWLIST_ENV}=host1,host2"
        ]
    reasons = []
    for loaded in experiments:
        for target in experiment_targets(loaded, toxiproxy_url):
            if not allowed(target, allowlist):
                reasons.append(
                    f"{loaded.path}: {target.what} {target.url} is not in the CI "
                    f"allowlist ({', '.join(allowlist)})"
                )
    return reasons


def require_ci_targets(
    experiments: Iterable[LoadedExperiment],
    allowlist: Sequence[str],
    toxiproxy_url: str | None = None,
) -> None:
    """Raise Refused (exit code 3) unless every target is allowed."""
    reasons = check_ci_targets(experiments, allowlist, toxiproxy_url)
    if reasons:
        raise Refused(reasons)


def experiment_targets(
    loaded: LoadedExperiment, toxiproxy_url: str | None = None
) -> list[Target]:
    toolkit = ChaosToolkit(loaded.document, str(loaded.path))
    configuration = toolkit.configuration
    found = [
        Target(
            "the SLO base URL",
            targets.base_url(
                toolkit.substitute(loaded.model.slo.base_url), configuration
            ),
        )
    ]
    if targets.uses_network_faults(loaded.document):
        api = targets.configured_api(toxiproxy_url, configuration)
        if api is not None:
            found.append(Target(f"the Toxiproxy API (from {api.origin})", api.url))
    found += [
        Target(f"http provider of {name}", str(toolkit.substitute(url)))
        for name, url in _http_urls(loaded.document)
    ]
    found += [
        Target("blast-radius.targets.hosts", host)
        for host in loaded.model.blast_radius.targets.hosts
    ]
    return found


def _http_urls(document: dict[str, Any]) -> list[tuple[str, str]]:
    hypothesis = document.get("steady-state-hypothesis") or {}
    steps = [
        *(hypothesis.get("probes") or []),
        *(document.get("method") or []),
        *(document.get("rollbacks") or []),
    ]
    return [
        (str(step.get("name", "?")), str(step["provider"]["url"]))
        for step in steps
        if (step.get("provider") or {}).get("type") == "http"
    ]


def allowed(target: Target, allowlist: Sequence[str]) -> bool:
    return any(_matches(target, entry.strip().lower()) for entry in allowlist)


def _matches(target: Target, entry: str) -> bool:
    network = _network(entry)
    if network is not None:
        address = _address(target.host)
        return address is not None and address in network
    if entry.count(":") == 1:
        host, _, port = entry.partition(":")
        return target.host == host and str(target.port) == port
    return target.host == entry


def _network(entry: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(entry.strip("[]"), strict=False)
    except ValueError:
        return None


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
