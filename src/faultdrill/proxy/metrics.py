"""``/metrics``: Toxiproxy's byte counters in the Prometheus text format.

The counters are read from the proxies when scraped, so the data path only
adds to plain integers. Names and labels follow Toxiproxy's METRICS.md.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from faultdrill.proxy.collection import ProxyCollection
from faultdrill.proxy.stream import Stream

LABELS = ["direction", "listener", "proxy", "upstream"]


class ProxyBytes(Collector):
    """Bytes received and sent by every proxy, per direction."""

    def __init__(self, proxies: ProxyCollection) -> None:
        self._proxies = proxies

    def collect(self) -> Iterator[Metric]:
        received = CounterMetricFamily(
            "toxiproxy_proxy_received_bytes",
            "The number of bytes received from the client or upstream.",
            labels=LABELS,
        )
        sent = CounterMetricFamily(
            "toxiproxy_proxy_sent_bytes",
            "The number of bytes sent to the client or upstream.",
            labels=LABELS,
        )
        for proxy in self._proxies.all():
            for stream in Stream:
                counters = proxy.counters(stream)
                labels = [stream.value, proxy.listen, proxy.name, proxy.upstream]
                received.add_metric(labels, counters.received)
                sent.add_metric(labels, counters.sent)
        yield received
        yield sent


def registry(proxies: ProxyCollection, proxy: bool, runtime: bool) -> CollectorRegistry:
    """A registry of its own, so that several servers in a process never mix."""
    collectors = CollectorRegistry(auto_describe=False)
    if proxy:
        collectors.register(ProxyBytes(proxies))
    if runtime:
        ProcessCollector(registry=collectors)
        PlatformCollector(registry=collectors)
        GCCollector(registry=collectors)
    return collectors


def render(collectors: CollectorRegistry) -> bytes:
    return generate_latest(collectors)
