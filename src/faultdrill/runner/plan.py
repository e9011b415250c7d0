"""What a run would do, worked out without doing any of it.

``faultdrill plan`` shows it; nothing is injected, no proxy is started and
no target needs to be reachable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from faultdrill.experiment.blast import faults_of, planned_duration, violations
from faultdrill.experiment.loader import LoadedExperiment
from faultdrill.gate import gate_experiment
from faultdrill.runner import targets
from faultdrill.runner.chaostoolkit import ChaosToolkit
from faultdrill.runner.slos import hypothesis_slos, slo_file_for
from faultdrill.slo.model import LatencySli, Slo


class PlannedFault(BaseModel):
    activity: str
    description: str


class PlannedSlo(BaseModel):
    name: str
    objective: float
    sli: str
    request: str


class Plan(BaseModel):
    title: str
    file: str
    base_url: str
    toxiproxy: str
    hypothesis: list[PlannedSlo]
    phases: dict[str, float]
    probe_rate: float
    faults: list[PlannedFault]
    method: list[str]
    rollbacks: list[str]
    blast_radius: dict[str, Any]
    guard: dict[str, Any]
    gate: dict[str, Any]
    refusals: list[str]

    @property
    def allowed(self) -> bool:
        return not self.refusals


def build_plan(
    loaded: LoadedExperiment,
    slo_file: Path | None,
    toxiproxy_url: str | None,
    *,
    host_check: bool = True,
    environment: str | None = None,
) -> Plan:
    model = loaded.model
    toolkit = ChaosToolkit(loaded.document, str(loaded.path))
    method = toolkit.resolved_steps("method")
    rollbacks = toolkit.resolved_steps("rollbacks")
    refusals = violations(
        toolkit.resolved_radius(model.blast_radius),
        method,
        rollbacks,
        toolkit.resolved_probes(),
    )
    slos = hypothesis_slos(loaded, slo_file)
    decision = gate_experiment(
        model,
        slos,
        slo_file=slo_file_for(loaded, slo_file),
        check_host=host_check,
        environment=environment,
    )
    refusals += decision.messages
    return Plan(
        title=model.title,
        file=str(loaded.path),
        base_url=targets.base_url(
            toolkit.substitute(model.slo.base_url),
            toolkit.configuration,
            str(loaded.path),
        ),
        toxiproxy=_toxiproxy(loaded.document, toxiproxy_url, toolkit.configuration),
        hypothesis=[
            PlannedSlo(
                name=s.name,
                objective=s.objective,
                sli=s.sli.type,
                request=s.sli.request.key,
            )
            for s in slos
        ],
        phases={
            "before": model.slo.before,
            "during (planned)": planned_duration(method),
            "recovery": model.slo.recovery_within,
            "after": model.slo.after,
        },
        probe_rate=model.slo.probe_rate,
        faults=[
            PlannedFault(activity=f.activity, description=f.describe())
            for f in faults_of(method)
        ],
        method=[f"{a['type']} {a['name']}" for a in method],
        rollbacks=[f"{a['type']} {a['name']}" for a in rollbacks],
        blast_radius=model.blast_radius.model_dump(
            mode="json", by_alias=True, exclude_none=True
        ),
        guard=model.guard.model_dump(mode="json", by_alias=True),
        gate=model.gate.model_dump(mode="json", by_alias=True),
        refusals=refusals,
    )


def _sli_text(slo: Slo) -> str:
    if isinstance(slo.sli, LatencySli):
        return f"latency <= {slo.sli.threshold_ms:g} ms"
    return str(slo.sli.type)


def _toxiproxy(
    document: dict[str, Any], explicit: str | None, configuration: dict[str, Any]
) -> str:
    if not targets.uses_network_faults(document):
        return "not used"
    chosen = targets.configured_api(explicit, configuration)
    if chosen is None:
        return "an embedded server started for the run"
    return f"{chosen.url} ({chosen.origin})"
