"""Prometheus as an SLI source, and the SLO file as Prometheus rules.

PrometheusSource(PrometheusClient(url)).readings(slos, windows)
rules_yaml(slo_file)          recording + multiwindow burn-rate alerts
running_prometheus(targets)   a local server on loopback
"""

from faultdrill.prometheus.client import URL_ENV, PrometheusClient
from faultdrill.prometheus.rules import rules_document, rules_yaml
from faultdrill.prometheus.source import PrometheusSource

__all__ = [
    "URL_ENV",
    "PrometheusClient",
    "PrometheusSource",
    "rules_document",
    "rules_yaml",
]
