"""Per-step figures from the raw per-slot output of a Locust run.

A step's figures come from the slots that lie wholly inside it, and its
rates divide by the time those slots cover, so where a step boundary falls
inside a slot costs a few requests, never a biased rate. The steady rate
leaves out each step's warm-up, while users are spawned.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from hdrh.histogram import HdrHistogram

from faultdrill.load import golden
from faultdrill.load.plan import Criterion, LoadOutput, PlannedStep, SlotFigures
from faultdrill.load.recorder import new_histogram
from faultdrill.slo.verdict import VerdictStatus, decide

# Saturation and rates exclude each step's first second: spawning users.
WARMUP_S = 1.0


@dataclass(frozen=True)
class SloCount:
    good: int
    bad: int
    status: VerdictStatus


@dataclass(frozen=True)
class StepFigures:
    index: int
    target_rps: float
    users: int
    start_s: float
    end_s: float
    requests: int
    achieved_rps: float
    steady_rps: float | None
    failures: int
    statuses: dict[str, int]
    latency: golden.Latency
    slo: dict[str, SloCount]
    saturation: golden.Saturation

    @property
    def held(self) -> bool:
        return bool(self.slo) and all(
            c.status is VerdictStatus.HELD for c in self.slo.values()
        )

    @property
    def rate_error_pct(self) -> float | None:
        rate = self.steady_rps
        return (
            None if rate is None else 100 * (rate - self.target_rps) / self.target_rps
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["slo"] = {
            name: {"good": c.good, "bad": c.bad, "status": c.status.value}
            for name, c in self.slo.items()
        }
        data["held"] = self.held
        data["rate_error_pct"] = self.rate_error_pct
        return data


@dataclass(frozen=True)
class _Window:
    start: float  # epoch
    end: float

    def slots(self, output: LoadOutput) -> tuple[list[SlotFigures], float]:
        """The slots wholly inside, and the seconds they cover."""
        first = math.ceil(self.start / output.slot_s)
        last = math.floor(self.end / output.slot_s)  # exclusive
        keys = range(first, max(first, last))
        found = [output.slots[str(k)] for k in keys if str(k) in output.slots]
        return found, len(keys) * output.slot_s


def step_figures(
    output: LoadOutput,
    steps: Sequence[PlannedStep],
    criteria: Sequence[Criterion],
    cores: int,
) -> list[StepFigures]:
    return [_one(output, step, criteria, cores) for step in steps]


def _one(
    output: LoadOutput, step: PlannedStep, criteria: Sequence[Criterion], cores: int
) -> StepFigures:
    whole = _Window(output.started_at + step.start_s, output.started_at + step.end_s)
    steady = _Window(min(whole.start + WARMUP_S, whole.end), whole.end)
    slots, seconds = whole.slots(output)
    steady_slots, steady_seconds = steady.slots(output)
    requests = sum(s.requests for s in slots)
    return StepFigures(
        index=step.index,
        target_rps=step.rate,
        users=step.users,
        start_s=step.start_s,
        end_s=step.end_s,
        requests=requests,
        achieved_rps=requests / seconds if seconds else 0.0,
        steady_rps=_rate(steady_slots, steady_seconds),
        failures=sum(s.failures for s in slots),
        statuses=_statuses(slots),
        latency=latency_of(slots),
        slo=_slo_counts(slots, criteria),
        saturation=saturation_in(output, steady if steady_seconds else whole, cores),
    )


def _rate(slots: list[SlotFigures], seconds: float) -> float | None:
    return sum(s.requests for s in slots) / seconds if seconds else None


def _statuses(slots: list[SlotFigures]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for slot in slots:
        counts.update(slot.statuses)
    return dict(sorted(counts.items()))


def merged_histogram(slots: Sequence[SlotFigures]) -> HdrHistogram:
    histogram = new_histogram()
    for slot in slots:
        if slot.hdr:
            histogram.decode_and_add(slot.hdr)
    return histogram


def latency_of(slots: Sequence[SlotFigures]) -> golden.Latency:
    histogram = merged_histogram(slots)
    if histogram.get_total_count() == 0:
        return golden.Latency(None, None, None, None)
    picks = [histogram.get_value_at_percentile(p) / 1000 for p in golden.PERCENTILES]
    return golden.Latency(
        picks[0], picks[1], picks[2], histogram.get_max_value() / 1000
    )


def _slo_counts(
    slots: list[SlotFigures], criteria: Sequence[Criterion]
) -> dict[str, SloCount]:
    found = {}
    for criterion in criteria:
        good = sum(s.slo.get(criterion.name, [0, 0])[0] for s in slots)
        bad = sum(s.slo.get(criterion.name, [0, 0])[1] for s in slots)
        status = decide(criterion.objective / 100, good + bad, bad)
        found[criterion.name] = SloCount(good, bad, status)
    return found


def saturation_in(output: LoadOutput, window: _Window, cores: int) -> golden.Saturation:
    samples = [c for c in output.cpu if window.start <= c.at <= window.end]
    if len(samples) < 2:
        return golden.Saturation(None, None, cores)
    host = sum(c.host_pct for c in samples[1:]) / (len(samples) - 1)
    span = samples[-1].at - samples[0].at
    used = samples[-1].generator_cpu_s - samples[0].generator_cpu_s
    return golden.Saturation(host, 100 * used / span if span > 0 else None, cores)


def run_window(output: LoadOutput, steps: Sequence[PlannedStep]) -> _Window:
    return _Window(output.started_at, output.started_at + steps[-1].end_s)
