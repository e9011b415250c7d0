"""When the gate says no: every threshold, with where its default comes from.

Thresholds are a YAML or JSON file (kebab-case keys) or CLI options; any
key left out keeps its default. A file may also use the name of the CLI
option that sets a key (``min-budget-left`` for ``min-budget-left-percent``),
and a value that is not a finite number (``.nan``, ``1e999``) is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import AliasChoices, ConfigDict, Field, ValidationError

from faultdrill.budget.burn import ALERT_WINDOWS
from faultdrill.errors import InvalidInput, Problem
from faultdrill.validation import FileModel, kebab, load_model, problems_from

_FAST = ALERT_WINDOWS[0]

# Field -> the ``faultdrill gate`` option that sets it, where the two differ.
OPTIONS = {
    "min_budget_left_percent": "min-budget-left",
    "max_cpu_percent": "max-cpu",
    "max_memory_percent": "max-memory",
    "max_load_per_core": "max-load",
}


def _or_option(field: str) -> AliasChoices:
    """The file key, or the name of the CLI option that sets the same field."""
    return AliasChoices(kebab(field), OPTIONS[field], field)


class GateThresholds(FileModel):
    model_config = ConfigDict(**FileModel.model_config, allow_inf_nan=False)

    # Error-budget policy (SRE Workbook appendix): when the budget is spent,
    # halt releases. A team may keep a reserve by raising it.
    min_budget_left_percent: float = Field(
        default=0.0,
        ge=0,
        le=100,
        validation_alias=_or_option("min_budget_left_percent"),
    )
    # The Workbook's fast-burn page: 14.4x over both 1 h and 5 m.
    spike_burn_rate: float = Field(default=_FAST.rate, gt=0)
    spike_long_window_s: float = Field(default=_FAST.long_s, gt=0)
    spike_short_window_s: float = Field(default=_FAST.short_s, gt=0)
    # Host saturation. At 90% busy a queue's waiting time is 9x the service
    # time (M/M/1: rho / (1 - rho)); past it latency climbs steeply.
    max_cpu_percent: float = Field(
        default=90.0, gt=0, le=100, validation_alias=_or_option("max_cpu_percent")
    )
    # Above 90% of memory in use the kernel starts reclaiming page cache
    # hard and the OOM killer is near; a fault on top of that tests the host.
    max_memory_percent: float = Field(
        default=90.0, gt=0, le=100, validation_alias=_or_option("max_memory_percent")
    )
    # More runnable tasks than cores means work waits for a CPU.
    max_load_per_core: float = Field(
        default=1.0, gt=0, validation_alias=_or_option("max_load_per_core")
    )
    # Incidents at this severity or worse block (4: every open incident).
    block_on_severity: int = Field(default=4, ge=1, le=4)
    # Security signals (faultdrill.security). A quarter of logins failing is
    # far above typo rates (a few percent) and looks like credential stuffing.
    max_failed_login_ratio: float = Field(default=0.25, ge=0, le=1)
    # Login rate-limit rejections per second: any sustained rejection means
    # someone is pushing past the limit; 1/s tolerates a person's retries.
    max_rate_limited_per_s: float = Field(default=1.0, ge=0)
    # Fail2Ban bans within the signal window; one ban is routine noise,
    # several are an attack in progress.
    max_fail2ban_bans: int = Field(default=3, ge=0)
    # How far back the security signals look: the spike check's long window.
    security_window_s: float = Field(default=_FAST.long_s, gt=0)


def load_thresholds(path: Path | None) -> GateThresholds:
    return load_model(GateThresholds, path) if path else GateThresholds()


def with_options(
    base: GateThresholds, given: Mapping[str, float], command: str
) -> GateThresholds:
    """``base`` with fields set from CLI options; errors name the option.

    ``given`` maps field names to values; a bad value is InvalidInput whose
    field is ``--option``, as the user typed it.
    """
    try:
        return GateThresholds.model_validate(base.model_dump() | dict(given))
    except ValidationError as exc:
        raise InvalidInput(
            [_as_option(problem, given) for problem in problems_from(command, exc)]
        ) from None


def _as_option(problem: Problem, given: Mapping[str, float]) -> Problem:
    field = problem.field
    option = f"--{OPTIONS.get(field, kebab(field))}"
    value = given.get(field)
    got = f"got {value!r}; " if value is not None else ""
    message = problem.message[:1].lower() + problem.message[1:]
    return Problem(problem.source, option, got + message)
