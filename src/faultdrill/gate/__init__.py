"""The gates: may a deployment go out, may an experiment start.

check_deployment(slos, GateInputs(...), thresholds) -> GateDecision
check_experiment(experiment, slos, ledger, now, ...) -> GateDecision
gate_experiment(experiment, slos, slo_file=...)  gathers inputs, then the above
target_lock(targets, experiment, run_id)   exclusive, flock-based
"""

from faultdrill.gate.check import (
    ENVIRONMENT_ENV,
    GateInputs,
    check_deployment,
    check_experiment,
    gather,
)
from faultdrill.gate.decision import GateDecision, GateReason, ReasonCode
from faultdrill.gate.experiment import gate_experiment
from faultdrill.gate.host import HostSample, sample_host
from faultdrill.gate.locks import (
    LockHolder,
    experiment_targets,
    holders,
    target_lock,
)
from faultdrill.gate.security import SecuritySignals
from faultdrill.gate.thresholds import GateThresholds, load_thresholds

__all__ = [
    "ENVIRONMENT_ENV",
    "GateDecision",
    "GateInputs",
    "GateReason",
    "GateThresholds",
    "HostSample",
    "LockHolder",
    "ReasonCode",
    "SecuritySignals",
    "check_deployment",
    "check_experiment",
    "experiment_targets",
    "gate_experiment",
    "gather",
    "holders",
    "load_thresholds",
    "sample_host",
    "target_lock",
]
