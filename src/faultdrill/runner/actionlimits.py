"""The blast radius, handed to the actions that enforce it themselves.

The stress and load actions also run under a plain ``chaos run``, so they
read their limits from the configuration; a faultdrill run puts its blast
radius there. Keys: ``chaosfaultdrill.stress.LIMITS_KEY`` and the load
actions' ``faultdrill_load_limits``.
"""

from __future__ import annotations

from faultdrill.experiment.model import BlastRadius

STRESS_LIMITS_KEY = "faultdrill_stress_limits"
LOAD_LIMITS_KEY = "faultdrill_load_limits"


def configuration_limits(radius: BlastRadius) -> dict[str, dict[str, float]]:
    """Configuration entries that bound the stress and load actions."""
    stress = {
        "max_percent": radius.max_intensity.cpu_percent,
        "max_memory_mb": radius.max_intensity.memory_mb,
        "max_duration_s": radius.max_duration,
    }
    load = {
        "max_request_rate": radius.max_intensity.request_rate,
        "max_duration_s": radius.max_duration,
    }
    return {STRESS_LIMITS_KEY: _declared(stress), LOAD_LIMITS_KEY: _declared(load)}


def _declared(limits: dict[str, float | None]) -> dict[str, float]:
    return {key: value for key, value in limits.items() if value is not None}
