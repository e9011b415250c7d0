"""The bridge to chaostoolkit-lib: configuration, secrets and activities.

faultdrill owns the lifecycle; Chaos Toolkit runs each activity, so any
provider (``python``, ``http``, ``process``) and any installed extension work
as they do under ``chaos run``. The experiment document handed to
chaostoolkit-lib is a deep copy: the caller's data is never mutated.
"""

from __future__ import annotations

import copy
import logging
import traceback
from collections.abc import Mapping
from typing import Any

from chaoslib import substitute
from chaoslib.activity import execute_activity
from chaoslib.configuration import load_configuration
from chaoslib.exceptions import ChaosException
from chaoslib.experiment import ensure_experiment_is_valid
from chaoslib.hypothesis import run_steady_state_hypothesis
from chaoslib.secret import load_secrets

from faultdrill.errors import InvalidInput, Problem
from faultdrill.experiment.model import BlastRadius

log = logging.getLogger(__name__)

Document = dict[str, Any]
ActivityRun = dict[str, Any]


class ChaosToolkit:
    """Loaded configuration and secrets of one experiment, and its activities."""

    def __init__(
        self,
        document: Document,
        source: str,
        overrides: Mapping[str, Any] | None = None,
    ) -> None:
        self.document = copy.deepcopy(document)
        self.source = source
        try:
            self.configuration = load_configuration(
                self.document.get("configuration", {})
            )
            self.configuration.update(overrides or {})
            self.secrets = load_secrets(
                self.document.get("secrets", {}), self.configuration
            )
        except ChaosException as exc:
            raise InvalidInput([Problem(source, "configuration", str(exc))]) from exc

    def substitute(self, value: Any) -> Any:
        """Resolve ``${key}`` forms from the configuration (never from secrets)."""
        return substitute(value, self.configuration, {})

    def activity(self, name: str) -> dict[str, Any]:
        """The raw activity named ``name`` (resolves ``ref`` steps)."""
        for step in self._all_steps():
            if step.get("name") == name and "provider" in step:
                return step
        raise KeyError(name)

    def steps(self, section: str) -> list[dict[str, Any]]:
        """The activities of ``method`` or ``rollbacks``, refs resolved."""
        resolved = []
        for step in self.document.get(section, []):
            resolved.append(self.activity(step["ref"]) if "ref" in step else step)
        return resolved

    def resolved_radius(self, radius: BlastRadius) -> BlastRadius:
        """The blast radius with ``${...}`` in its targets filled in."""
        data = radius.model_dump(mode="json", by_alias=True)
        return BlastRadius.model_validate(self.substitute(data))

    def resolved_probes(self) -> list[dict[str, Any]]:
        """The steady-state hypothesis's probes, ``${...}`` filled in."""
        hypothesis = self.document.get("steady-state-hypothesis") or {}
        probes = [
            self.activity(p["ref"]) if "ref" in p else p
            for p in hypothesis.get("probes", [])
        ]
        return [self.substitute(probe) for probe in probes]

    def resolved_steps(self, section: str) -> list[dict[str, Any]]:
        """Like ``steps`` with ``${...}`` filled in from the configuration."""
        return [self.substitute(step) for step in self.steps(section)]

    def run(self, activity: dict[str, Any], runs: list[ActivityRun]) -> ActivityRun:
        """Run one activity as ``chaos run`` would, pauses included.

        Its record is appended to ``runs`` when it starts, so an activity
        cut short by a signal is still in the journal. An unexpected error
        in the provider fails the activity instead of ending the run.
        """
        started = len(runs)
        try:
            run: ActivityRun = execute_activity(
                experiment=self.document,
                activity=activity,
                configuration=self.configuration,
                secrets=self.secrets,
                dry=None,
                runs=runs,
            )
        except Exception as exc:
            log.error(
                "activity %r raised %s: %s",
                activity.get("name"),
                type(exc).__name__,
                exc,
            )
            run = runs[started] if len(runs) > started else {"activity": activity}
            if len(runs) == started:
                runs.append(run)
            run.update(
                status="failed",
                exception=traceback.format_exception_only(type(exc), exc),
            )
        return run

    def steady_state(self) -> dict[str, Any] | None:
        """Chaos Toolkit's own steady-state probes, when the file has some."""
        if not self.document.get("steady-state-hypothesis"):
            return None
        state: dict[str, Any] = run_steady_state_hypothesis(
            self.document, self.configuration, self.secrets, None, None
        )
        return state

    def _all_steps(self) -> list[dict[str, Any]]:
        hypothesis = self.document.get("steady-state-hypothesis") or {}
        return [
            *hypothesis.get("probes", []),
            *self.document.get("method", []),
            *self.document.get("rollbacks", []),
        ]


def check_with_chaostoolkit(document: Document, source: str) -> None:
    """What ``chaos validate`` checks: providers import, functions exist, ..."""
    try:
        ensure_experiment_is_valid(copy.deepcopy(document))
    except ChaosException as exc:
        raise InvalidInput([Problem(source, _field_of(exc), str(exc))]) from exc
    except (ImportError, TypeError, ValueError) as exc:
        # Importing a provider module can fail in many ways ("..." is a
        # relative import without a package): all are the file's to fix.
        message = f"Chaos Toolkit could not check it: {exc}"
        raise InvalidInput([Problem(source, "method/rollbacks", message)]) from exc


def _field_of(exc: ChaosException) -> str:
    kind = type(exc).__name__
    if kind in ("InvalidActivity",):
        return "method/rollbacks"
    return "(chaostoolkit)"
