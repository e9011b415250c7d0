"""The blast radius, checked before the first fault.

Every fault the method would inject is read from its activity's arguments
(after ``${...}`` substitution) and compared with ``blast-radius``: which
proxies it may touch, how strong each fault kind may be, how long the
method may last, and whether ``process`` providers may run at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from faultdrill.experiment.durations import parse_seconds
from faultdrill.experiment.model import BlastRadius

Activity = dict[str, Any]


@dataclass(frozen=True)
class Fault:
    """One fault an activity would inject, as far as we can tell statically."""

    activity: str
    kind: str
    target: str
    intensity: float | None = None
    unit: str = ""

    def describe(self) -> str:
        strength = (
            f" {self.intensity:g} {self.unit}" if self.intensity is not None else ""
        )
        return f"{self.kind}{strength} on {self.target} ({self.activity})"


def faults_of(activities: list[Activity]) -> list[Fault]:
    found: list[Fault] = []
    for activity in activities:
        provider = activity.get("provider") or {}
        reader = _READERS.get((provider.get("module"), provider.get("func")))
        if reader is not None:
            found.extend(
                reader(activity.get("name", "?"), provider.get("arguments") or {})
            )
    return found


def violations(radius: BlastRadius, method: list[Activity]) -> list[str]:
    """Why the method does not fit the blast radius; empty when it fits."""
    reasons = list(_fault_violations(radius, faults_of(method)))
    reasons += _duration_violations(radius, method)
    reasons += [
        f"activity {a.get('name')!r} runs a process provider; "
        "set blast-radius.allow-process-providers: true to allow it"
        for a in method
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


def _fault_violations(radius: BlastRadius, faults: list[Fault]) -> Iterator[str]:
    allowed = radius.targets.proxies
    limit = radius.max_intensity.latency_ms
    for fault in faults:
        if fault.target not in allowed:
            yield (
                f"{fault.describe()} targets proxy {fault.target!r}, not in "
                f"blast-radius.targets.proxies {allowed}"
            )
        if (
            fault.kind == "latency"
            and limit is not None
            and (fault.intensity or 0) > limit
        ):
            yield (
                f"{fault.describe()} exceeds blast-radius.max-intensity.latency-ms "
                f"{limit}"
            )


def _duration_violations(radius: BlastRadius, method: list[Activity]) -> list[str]:
    planned = planned_duration(method)
    if planned > radius.max_duration:
        return [
            f"the method pauses for {planned:g} s in all, longer than "
            f"blast-radius.max-duration {radius.max_duration:g} s"
        ]
    return []


def _latency(name: str, args: dict[str, Any]) -> list[Fault]:
    strength = _number(args.get("latency_ms", 0)) + _number(args.get("jitter_ms", 0))
    return [Fault(name, "latency", str(args.get("proxy")), strength, "ms")]


def _toxic(name: str, args: dict[str, Any]) -> list[Fault]:
    attributes = args.get("attributes") or {}
    kind = str(args.get("toxic_type", "toxic"))
    if kind == "latency":
        strength = _number(attributes.get("latency", 0)) + _number(
            attributes.get("jitter", 0)
        )
        return [Fault(name, "latency", str(args.get("proxy")), strength, "ms")]
    return [Fault(name, kind, str(args.get("proxy")))]


def _down(name: str, args: dict[str, Any]) -> list[Fault]:
    return [Fault(name, "down", str(args.get("proxy")))]


def _ctk_toxiproxy_latency(name: str, args: dict[str, Any]) -> list[Fault]:
    strength = _number(args.get("latency", 0)) + _number(args.get("jitter", 0))
    return [Fault(name, "latency", str(args.get("for_proxy")), strength, "ms")]


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


_Reader = Callable[[str, dict[str, Any]], list[Fault]]
_READERS: dict[tuple[Any, Any], _Reader] = {
    ("chaosfaultdrill.network", "add_latency"): _latency,
    ("chaosfaultdrill.network", "add_toxic"): _toxic,
    ("chaosfaultdrill.network", "disable_proxy"): _down,
    ("chaostoxi.toxic.actions", "create_latency_toxic"): _ctk_toxiproxy_latency,
}
