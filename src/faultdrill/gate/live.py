"""Live SLI readings for the gate and ``faultdrill budget``, from each source.

Prometheus-sourced SLOs are read over each asked window. Probe-sourced
SLOs are measured by experiments' own probes, not here.

TODO(probe readings for the gate): a deployment gate without Prometheus
could probe probe-sourced SLOs for a few seconds with ``Prober``; until
then their live checks (spike, latency) need a Prometheus source.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

from faultdrill.errors import InvalidInput
from faultdrill.prometheus.client import URL_ENV, PrometheusClient
from faultdrill.prometheus.source import PrometheusSource
from faultdrill.slo.model import SliSource, Slo
from faultdrill.slo.reading import SliReading
from faultdrill.urls import is_http_url

log = logging.getLogger(__name__)


def prometheus_client(url: str | None) -> PrometheusClient | None:
    """A client for ``url``, else for ``$FAULTDRILL_PROMETHEUS_URL``, else None."""
    chosen = url or os.environ.get(URL_ENV)
    return PrometheusClient(check_url(chosen)) if chosen else None


def check_url(url: str) -> str:
    """``url`` if it can reach a Prometheus server; InvalidInput naming it if not."""
    if not is_http_url(url):
        raise InvalidInput.single(
            f"--prometheus (or {URL_ENV})",
            "",
            f"{url!r} is not an HTTP URL; give the server's base URL, like "
            "http://127.0.0.1:9090",
        )
    return url


def live_readings(
    slos: Sequence[Slo], windows_s: Sequence[float], prometheus: PrometheusClient | None
) -> list[SliReading]:
    wanted = [s for s in slos if s.sli.source is SliSource.PROMETHEUS]
    if not wanted:
        return []
    if prometheus is None:
        names = ", ".join(s.name for s in wanted)
        log.warning(
            "%s are measured by Prometheus but no URL was given (--prometheus or "
            "%s); their live checks are skipped",
            names,
            URL_ENV,
        )
        return []
    return PrometheusSource(prometheus).readings(wanted, windows_s)
