"""The arguments of faultdrill's own network actions, checked before a run.

Chaos Toolkit hands an activity's ``arguments`` to its function as they are
written, so ``latency_ms: "abc"`` or ``.nan`` would only fail while the run
is under way, after the steady state was measured. These models give the
same answer up front, with the field path, from ``validate``, ``run`` and
``gameday``. Types are strict on purpose: the function receives the value
unconverted, so "100" for a number would break it all the same.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from faultdrill.errors import Problem
from faultdrill.validation import problems_from

Stream = Literal["upstream", "downstream"]
# Toxiproxy's toxic types (reference/toxiproxy-api.md).
ToxicType = Literal[
    "latency",
    "bandwidth",
    "slow_close",
    "timeout",
    "reset_peer",
    "slicer",
    "limit_data",
    "noop",
]
TOXIC_TYPES: tuple[str, ...] = get_args(ToxicType)


class _Arguments(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    configuration: dict[str, Any] | None = None  # Chaos Toolkit passes it


class _OnProxy(_Arguments):
    proxy: str = Field(min_length=1)


class _NewToxic(_OnProxy):
    stream: Stream = "downstream"
    toxicity: float = Field(default=1.0, ge=0, le=1)
    name: str | None = Field(default=None, min_length=1)


class AddLatency(_NewToxic):
    latency_ms: int = Field(ge=0)
    jitter_ms: int = Field(default=0, ge=0)


class AddToxic(_NewToxic):
    toxic_type: ToxicType
    # Toxiproxy's attributes are whole numbers (int64 in its Go structs).
    attributes: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)


class RemoveToxic(_OnProxy):
    name: str = Field(min_length=1)


_MODULE = "chaosfaultdrill.network"
_MODELS: dict[str, type[_Arguments]] = {
    "add_latency": AddLatency,
    "add_toxic": AddToxic,
    "remove_toxic": RemoveToxic,
    "disable_proxy": _OnProxy,
    "enable_proxy": _OnProxy,
}


def argument_problems(
    steps: list[dict[str, Any]], section: str, source: str
) -> list[Problem]:
    """Problems with the arguments of ``section``'s network actions."""
    problems = []
    for index, step in enumerate(steps):
        provider = step.get("provider") or {}
        model = _MODELS.get(str(provider.get("func")))
        if provider.get("module") != _MODULE or model is None:
            continue
        try:
            model.model_validate(provider.get("arguments") or {})
        except ValidationError as exc:
            where = f"{section}[{index}].provider.arguments"
            problems += [
                Problem(source, _under(where, p.field), p.message)
                for p in problems_from(source, exc, model)
            ]
    return problems


def resolved_argument_problems(toolkit: Any, source: str) -> list[Problem]:
    """``argument_problems`` of the method and the rollbacks, ``${...}`` filled."""
    return [
        problem
        for section in ("method", "rollbacks")
        for problem in argument_problems(
            toolkit.resolved_steps(section), section, source
        )
    ]


def _under(where: str, field: str) -> str:
    return where if field == "(top level)" else f"{where}.{field}"
