"""Per-slot figures of every request, merged from workers on the master.

A request is filed under the slot it was due in (or started in, when not
paced): requests, failures, statuses, a latency histogram and, for each SLO
criterion, good and bad counts. Latency is counted from the time the
request was due, so a user that fell behind shows the delay (pacing.py).

Workers send the slots they filled since their last report with Locust's
``report_to_master`` event; the master adds them up.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hdrh.histogram import HdrHistogram

from faultdrill.load.plan import Criterion, SlotFigures

# Latency in microseconds from 1 µs to one hour at three significant
# digits: 0.1% resolution, well below Locust's own two-digit rounding.
HDR_LOWEST_US, HDR_HIGHEST_US, HDR_DIGITS = 1, 3_600_000_000, 3

REPORT_KEY = "faultdrill_slots"


def new_histogram() -> HdrHistogram:
    return HdrHistogram(HDR_LOWEST_US, HDR_HIGHEST_US, HDR_DIGITS)


@dataclass
class _Slot:
    requests: int = 0
    failures: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    histogram: HdrHistogram = field(default_factory=new_histogram)
    slo: dict[str, list[int]] = field(default_factory=dict)

    def add(self, other: SlotFigures) -> None:
        self.requests += other.requests
        self.failures += other.failures
        self.statuses.update(other.statuses)
        if other.hdr:
            self.histogram.decode_and_add(other.hdr)
        for name, (good, bad) in other.slo.items():
            counts = self.slo.setdefault(name, [0, 0])
            counts[0] += good
            counts[1] += bad

    def figures(self) -> SlotFigures:
        encoded = self.histogram.encode() if self.histogram.get_total_count() else None
        return SlotFigures(
            requests=self.requests,
            failures=self.failures,
            statuses=dict(self.statuses),
            hdr=encoded.decode() if isinstance(encoded, bytes) else encoded,
            slo={name: list(counts) for name, counts in self.slo.items()},
        )


class Recorder:
    def __init__(self, criteria: list[Criterion], slot_s: float) -> None:
        self._criteria = criteria
        self._slot_s = slot_s
        self._slots: dict[int, _Slot] = {}

    def record(
        self, started: float, latency_ms: float, status: int | None, failed: bool
    ) -> None:
        slot = self._slots.setdefault(math.floor(started / self._slot_s), _Slot())
        slot.requests += 1
        slot.failures += failed
        slot.statuses[str(status or 0)] += 1
        slot.histogram.record_value(max(HDR_LOWEST_US, round(latency_ms * 1000)))
        for criterion in self._criteria:
            counts = slot.slo.setdefault(criterion.name, [0, 0])
            counts[0 if criterion.is_good(status, latency_ms) else 1] += 1

    def drain(self) -> dict[str, Any]:
        """The slots filled so far as plain data, and forget them (workers)."""
        wire = {str(k): s.figures().model_dump() for k, s in self._slots.items()}
        self._slots.clear()
        return wire

    def merge(self, wire: dict[str, Any]) -> None:
        """Add slots a worker sent (master)."""
        for key, data in wire.items():
            slot = self._slots.setdefault(int(key), _Slot())
            slot.add(SlotFigures.model_validate(data))

    def figures(self) -> dict[str, SlotFigures]:
        return {str(k): s.figures() for k, s in sorted(self._slots.items())}
