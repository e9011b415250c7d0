"""The blast radius, checked before the first fault.

Every fault the method would inject is read from its activity's arguments
(after ``${...}`` substitution) and compared with ``blast-radius``: what it
may touch (proxies, hosts, Kubernetes namespaces and labels), how strong
each fault kind may be, what share of traffic or instances it may affect,
how long the method may last, and whether ``process`` providers may run.
Nothing here needs the target to be reachable: ``validate`` and ``plan``
work without a cluster or a proxy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from faultdrill.experiment.arguments import TOXIC_TYPES
from faultdrill.experiment.durations import parse_seconds
from faultdrill.experiment.model import BlastRadius

Activity = dict[str, Any]

# chaostoolkit-kubernetes actions that act on whole nodes, not pods.
K8S_NODE_FUNCS = {"delete_nodes", "drain_nodes", "cordon_node", "uncordon_node"}


@dataclass(frozen=True)
class Fault:
    """One fault an activity would inject, as far as we can tell statically."""

    activity: str
    kind: str
    target: str
    intensity: float | None = None
    unit: str = ""
    share_pct: float | None = None  # of traffic or instances
    details: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        strength = (
            f" {self.intensity:g} {self.unit}" if self.intensity is not None else ""
        )
        share = ""
        if self.share_pct is not None:
            share = f", {self.share_pct:g}% of traffic"
        return f"{self.kind}{strength} on {self.target}{share} ({self.activity})"


def faults_of(activities: list[Activity]) -> list[Fault]:
    found: list[Fault] = []
    # Any activity that calls a fault function injects a fault, whether the
    # file calls it an action or a probe, and wherever it stands.
    for activity in activities:
        provider = activity.get("provider") or {}
        module, func = provider.get("module"), provider.get("func")
        args = provider.get("arguments") or {}
        name = str(activity.get("name", "?"))
        reader = _READERS.get((module, func))
        if reader is not None:
            found.extend(reader(name, args))
        elif str(module).startswith("chaosk8s") and ".probes" not in str(module):
            found.append(_kubernetes(name, str(func), args))
    return found


def violations(
    radius: BlastRadius,
    method: list[Activity],
    rollbacks: list[Activity] | None = None,
    probes: list[Activity] | None = None,
) -> list[str]:
    """Why the experiment does not fit the blast radius; empty when it fits.

    ``probes`` are the steady-state hypothesis's; they run before and after
    the method, so a fault there is checked like one in the method.
    """
    every = method + (rollbacks or []) + (probes or [])
    reasons = [reason for fault in faults_of(every) for reason in _check(radius, fault)]
    reasons += _duration_violations(radius, method)
    reasons += _http_violations(radius, method)
    reasons += [
        f"activity {a.get('name')!r} runs a process provider; "
        "set blast-radius.allow-process-providers: true to allow it"
        for a in every
        if (a.get("provider") or {}).get("type") == "process"
        and not radius.allow_process_providers
    ]
    return reasons


def planned_duration(method: list[Activity]) -> float:
    """Seconds the method's declared pauses add up to."""
    total = 0.0
    for activity in method:
        for value in (activity.get("pauses") or {}).values():
            try:
                total += parse_seconds(value)
            except ValueError:
                continue  # ${...} not resolved; chaostoolkit will reject it
    return total


# --- checks -----------------------------------------------------------------


def _check(radius: BlastRadius, fault: Fault) -> Iterator[str]:
    if fault.kind in ("latency", "toxic", "down") or fault.kind in _TOXICS:
        yield from _check_proxy(radius, fault)
    elif fault.kind in ("cpu", "memory"):
        yield from _check_stress(radius, fault)
    elif fault.kind.startswith("kubernetes"):
        yield from _check_kubernetes(radius, fault)
    elif fault.kind == "load":
        yield from _check_load(radius, fault)
    if fault.share_pct is not None and fault.share_pct > radius.max_traffic_share:
        yield (
            f"{fault.describe()} affects {fault.share_pct:g}%, over "
            f"blast-radius.max-traffic-share {radius.max_traffic_share:g}%"
        )


def _check_proxy(radius: BlastRadius, fault: Fault) -> Iterator[str]:
    allowed = radius.targets.proxies
    if fault.target not in allowed:
        yield (
            f"{fault.describe()} targets proxy {fault.target!r}, not in "
            f"blast-radius.targets.proxies {allowed}"
        )
    limit = radius.max_intensity.latency_ms
    too_slow = limit is not None and (fault.intensity or 0) > limit
    if fault.unit.startswith("ms") and too_slow:
        yield (
            f"{fault.describe()} exceeds blast-radius.max-intensity.latency-ms {limit}"
        )


def _check_stress(radius: BlastRadius, fault: Fault) -> Iterator[str]:
    limits = {
        "cpu": ("cpu-percent", radius.max_intensity.cpu_percent),
        "memory": ("memory-mb", radius.max_intensity.memory_mb),
    }
    key, limit = limits[fault.kind]
    if limit is None:
        yield f"{fault.describe()} needs blast-radius.max-intensity.{key}"
    elif (fault.intensity or 0) > limit:
        yield f"{fault.describe()} exceeds blast-radius.max-intensity.{key} {limit:g}"


def _check_load(radius: BlastRadius, fault: Fault) -> Iterator[str]:
    limit = radius.max_intensity.request_rate
    if limit is None:
        yield f"{fault.describe()} needs blast-radius.max-intensity.request-rate"
    elif (fault.intensity or 0) > limit:
        yield (
            f"{fault.describe()} exceeds blast-radius.max-intensity.request-rate "
            f"{limit:g}"
        )
    if not _reachable(radius, fault.target):
        yield (
            f"{fault.describe()} sends load outside blast-radius.targets.hosts "
            f"{radius.targets.hosts} and .endpoints {radius.targets.endpoints}"
        )


def _check_kubernetes(radius: BlastRadius, fault: Fault) -> Iterator[str]:
    targets = radius.targets
    if fault.kind == "kubernetes-node":
        if fault.target not in targets.hosts:
            yield (
                f"{fault.describe()} acts on node {fault.target!r}, not in "
                f"blast-radius.targets.hosts {targets.hosts}"
            )
        return
    namespace = fault.details.get("namespace", "default")
    if namespace not in targets.namespaces:
        yield (
            f"{fault.describe()} acts in namespace {namespace!r}, not in "
            f"blast-radius.targets.namespaces {targets.namespaces}"
        )
    selector = _labels(fault.details.get("label_selector"))
    missing = {k: v for k, v in targets.labels.items() if selector.get(k) != v}
    if missing:
        wanted = ",".join(f"{k}={v}" for k, v in targets.labels.items())
        yield (
            f"{fault.describe()} must select pods by label_selector containing "
            f"{wanted} (blast-radius.targets.labels)"
        )
    if fault.details.get("all"):
        yield f"{fault.describe()} selects all pods (all: true); name a count instead"
    pods = radius.max_intensity.pods
    if fault.unit == "pods" and pods is not None and (fault.intensity or 0) > pods:
        yield f"{fault.describe()} exceeds blast-radius.max-intensity.pods {pods}"


def _duration_violations(radius: BlastRadius, method: list[Activity]) -> list[str]:
    planned = planned_duration(method)
    if planned > radius.max_duration:
        return [
            f"the method pauses for {planned:g} s in all, longer than "
            f"blast-radius.max-duration {radius.max_duration:g} s"
        ]
    return []


def _reachable(radius: BlastRadius, url: str) -> bool:
    """Whether ``url`` is on an allowed host or under an allowed endpoint."""
    host = urlsplit(url).hostname or ""
    targets = radius.targets
    return host in targets.hosts or any(url.startswith(e) for e in targets.endpoints)


def _http_violations(radius: BlastRadius, method: list[Activity]) -> list[str]:
    reasons = []
    for activity in method:
        provider = activity.get("provider") or {}
        if activity.get("type") != "action" or provider.get("type") != "http":
            continue
        url = str(provider.get("url", ""))
        if _reachable(radius, url):
            continue
        reasons.append(
            f"http action {activity.get('name')!r} calls {url}, outside "
            "blast-radius.targets.hosts and .endpoints"
        )
    return reasons


# --- readers: activity arguments to faults -----------------------------------

_TOXICS = set(TOXIC_TYPES) - {"latency"}


def _share(args: dict[str, Any]) -> float:
    return 100.0 * _number(args.get("toxicity", 1.0), default=1.0)


def _latency(name: str, args: dict[str, Any]) -> list[Fault]:
    strength = _number(args.get("latency_ms")) + _number(args.get("jitter_ms"))
    # The most a request is delayed (latency + jitter): what the limit bounds.
    proxy = str(args.get("proxy"))
    return [Fault(name, "latency", proxy, strength, "ms at most", _share(args))]


def _toxic(name: str, args: dict[str, Any]) -> list[Fault]:
    kind = str(args.get("toxic_type", "toxic"))
    return [_any_toxic(name, kind, str(args.get("proxy")), args)]


def _any_toxic(name: str, kind: str, proxy: str, args: dict[str, Any]) -> Fault:
    """A toxic of any type, its hold-up of the data as its intensity."""
    stall = _stall_ms(kind, args.get("attributes") or {})
    if stall is None:
        return Fault(name, kind, proxy, share_pct=_share(args))
    return Fault(name, kind, proxy, stall, "ms of delay", _share(args))


def _stall_ms(kind: str, attributes: dict[str, Any]) -> float | None:
    """How long a toxic holds data up, in ms, as the latency limit bounds it.

    Toxiproxy's attributes (reference/toxiproxy-api.md): a timeout of 0 and
    a bandwidth of 0 hold data until the toxic goes (infinite here); a
    slicer's delay is in microseconds, per slice, so its figure is a floor.
    """
    if kind == "latency":
        return _number(attributes.get("latency")) + _number(attributes.get("jitter"))
    if kind == "slow_close":
        return _number(attributes.get("delay"))
    if kind == "timeout":
        timeout = _number(attributes.get("timeout"))
        return math.inf if timeout <= 0 else timeout
    if kind == "bandwidth":
        return math.inf if _number(attributes.get("rate"), default=1.0) <= 0 else None
    if kind == "slicer":
        return _number(attributes.get("delay")) / 1000.0
    return None


def _down(name: str, args: dict[str, Any]) -> list[Fault]:
    return [Fault(name, "down", str(args.get("proxy")), share_pct=100.0)]


def _ctk_toxiproxy_latency(name: str, args: dict[str, Any]) -> list[Fault]:
    strength = _number(args.get("latency")) + _number(args.get("jitter"))
    return [Fault(name, "latency", str(args.get("for_proxy")), strength, "ms")]


# TODO(chaostoolkit-toxiproxy in the fault ledger): its actions are bounded
# here but applied by chaostoxi itself, not written to the fault ledger first,
# so `recover` cannot revert what a killed run added through them; the
# chaosfaultdrill.network actions are the crash-safe way to the same toxics.
def _ctk_toxiproxy_toxic(name: str, args: dict[str, Any]) -> list[Fault]:
    """chaostoolkit-toxiproxy's generic ``create_toxic``: any toxic type."""
    kind = str(args.get("toxic_type", "toxic"))
    return [_any_toxic(name, kind, str(args.get("for_proxy")), args)]


def _ctk_toxiproxy_named(kind: str, attributes: dict[str, str]) -> _Reader:
    """A chaostoolkit-toxiproxy action that adds one toxic of ``kind``.

    ``attributes``: the toxic's attribute from each argument of the action.
    """

    def read(name: str, args: dict[str, Any]) -> list[Fault]:
        given = {attr: args[arg] for arg, attr in attributes.items() if arg in args}
        toxic = {"attributes": given, "toxicity": 1.0}
        return [_any_toxic(name, kind, str(args.get("for_proxy")), toxic)]

    return read


def _ctk_toxiproxy_proxy(name: str, args: dict[str, Any]) -> list[Fault]:
    """Disabling, deleting or re-pointing a proxy takes its path down."""
    return [Fault(name, "down", str(args.get("proxy_name")), share_pct=100.0)]


def _cpu(name: str, args: dict[str, Any]) -> list[Fault]:
    cores = args.get("cores")
    target = f"{cores} core(s)" if cores else "all cores"
    return [Fault(name, "cpu", target, _number(args.get("percent")), "%")]


def _memory(name: str, args: dict[str, Any]) -> list[Fault]:
    return [Fault(name, "memory", "this host", _number(args.get("megabytes")), "MB")]


def _load_rate(name: str, args: dict[str, Any]) -> list[Fault]:
    profile = args.get("profile") or {}
    rates = profile.get("rates") or [profile.get("rate")]
    peak = max((_number(r) for r in rates), default=0.0)
    return [Fault(name, "load", str(args.get("target_url")), peak, "requests/s")]


def _rate_limit_probe(name: str, args: dict[str, Any]) -> list[Fault]:
    legit = args.get("legit") or {}
    legit_rate = _number(legit.get("keys")) * _number(legit.get("rate-per-key"))
    offered = _number(args.get("offered_rate")) + legit_rate
    return [Fault(name, "load", str(args.get("url")), offered, "requests/s")]


def _capacity_steps(name: str, args: dict[str, Any]) -> list[Fault]:
    peak = max((_number(r) for r in args.get("steps") or []), default=0.0)
    return [Fault(name, "load", str(args.get("url")), peak, "requests/s")]


def _kubernetes(name: str, func: str, args: dict[str, Any]) -> Fault:
    if func in K8S_NODE_FUNCS:
        return Fault(
            name, "kubernetes-node", str(args.get("name") or args.get("label_selector"))
        )
    details = {
        "namespace": args.get("ns", "default"),
        "label_selector": args.get("label_selector"),
        "all": bool(args.get("all", False)),
    }
    target = f"namespace {details['namespace']}"
    if str(args.get("mode", "fixed")) == "percentage":
        share = _number(args.get("qty"), default=1.0)
        return Fault(
            name, f"kubernetes {func}", target, share_pct=share, details=details
        )
    quantity = (
        _number(args.get("qty"), default=1.0)
        if "terminate" in func or "delete" in func
        else None
    )
    unit = "pods" if quantity is not None else ""
    return Fault(name, f"kubernetes {func}", target, quantity, unit, details=details)


def _labels(selector: Any) -> dict[str, str]:
    pairs = [p.strip() for p in str(selector or "").split(",") if "=" in p]
    return {
        k.strip().rstrip("!"): v.strip() for k, v in (p.split("=", 1) for p in pairs)
    }


def _number(value: Any, default: float = 0.0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


_Reader = Callable[[str, dict[str, Any]], list[Fault]]
_READERS: dict[tuple[Any, Any], _Reader] = {
    ("chaosfaultdrill.network", "add_latency"): _latency,
    ("chaosfaultdrill.network", "add_toxic"): _toxic,
    ("chaosfaultdrill.network", "disable_proxy"): _down,
    ("chaosfaultdrill.stress", "start_cpu"): _cpu,
    ("chaosfaultdrill.stress", "start_memory"): _memory,
    ("chaostoxi.toxic.actions", "create_latency_toxic"): _ctk_toxiproxy_latency,
    ("chaostoxi.toxic.actions", "create_toxic"): _ctk_toxiproxy_toxic,
    ("chaostoxi.toxic.actions", "create_bandwith_degradation_toxic"): (
        _ctk_toxiproxy_named("bandwidth", {"rate": "rate"})
    ),
    ("chaostoxi.toxic.actions", "create_limiter_toxic"): (
        _ctk_toxiproxy_named("limit_data", {"bytes_limit": "bytes"})
    ),
    ("chaostoxi.toxic.actions", "create_slicer_toxic"): (
        _ctk_toxiproxy_named("slicer", {"delay": "delay"})
    ),
    ("chaostoxi.toxic.actions", "create_slow_connection_close_toxic"): (
        _ctk_toxiproxy_named("slow_close", {"delay": "delay"})
    ),
    ("chaostoxi.toxic.actions", "create_timeout_toxic"): (
        _ctk_toxiproxy_named("timeout", {"timeout": "timeout"})
    ),
    ("chaostoxi.proxy.actions", "disable_proxy"): _ctk_toxiproxy_proxy,
    ("chaostoxi.proxy.actions", "delete_proxy"): _ctk_toxiproxy_proxy,
    ("chaostoxi.proxy.actions", "modify_proxy"): _ctk_toxiproxy_proxy,
    ("chaosfaultdrill.load", "run_load"): _load_rate,
    ("chaosfaultdrill.load", "validate_rate_limit"): _rate_limit_probe,
    ("chaosfaultdrill.load", "find_capacity"): _capacity_steps,
}
