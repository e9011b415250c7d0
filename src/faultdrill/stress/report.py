"""What a stressor did: its target against what was achieved, over time.

``to_json`` gives the form written to the experiment journal and returned by
the Chaos Toolkit actions and probes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from faultdrill.stress.model import CpuTarget, Engine, Kind, Sample, State, Target
from faultdrill.stress.verdict import Judgement


@dataclass(frozen=True)
class StressorReport:
    stressor_id: str
    kind: Kind
    engine: Engine
    state: State
    target: Target
    pgid: int
    pids: tuple[int, ...]
    started_wall: float
    judgement: Judgement
    samples: tuple[Sample, ...]
    detail: str | None = None  # why it ended early, or why it fell short
    stop_latency_s: float | None = None  # stop request to last process gone

    def to_json(self) -> dict[str, Any]:
        unit = self.target.unit
        return {
            "id": self.stressor_id,
            "kind": self.kind.value,
            "engine": self.engine.value,
            "state": self.state.value,
            "target": _target_json(self.target),
            "pgid": self.pgid,
            "pids": list(self.pids),
            "started_at": self.started_wall,
            "unit": unit,
            "verdict": self.judgement.verdict.value,
            "achieved_mean": round(self.judgement.achieved, 3),
            "target_mean": round(self.judgement.target, 3),
            "summary": self.judgement.describe(unit),
            "detail": self.detail,
            "stop_latency_s": self.stop_latency_s,
            "samples": [_sample_json(s) for s in self.samples],
        }


def _target_json(target: Target) -> dict[str, Any]:
    if isinstance(target, CpuTarget):
        return {
            "percent": target.percent,
            "cores": target.cores,
            "duration_s": target.duration_s,
        }
    return {
        "bytes": target.size_bytes,
        "ramp_s": target.ramp_s,
        "duration_s": target.duration_s,
    }


def _sample_json(sample: Sample) -> dict[str, float]:
    return {
        "t": round(sample.wall, 3),
        "elapsed_s": round(sample.elapsed_s, 3),
        "target": round(sample.target, 3),
        "achieved": round(sample.achieved, 3),
    }
