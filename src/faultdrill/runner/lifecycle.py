"""One experiment, phase by phase.

    gate ─► steady state before ─► method (faults) ─► rollbacks (always)
         ─► recovery grace ─► steady state after ─► verdict ─► journal

Each phase is one method of ``ExperimentRun``. Faults are written to the
fault ledger before they are applied (by the actions themselves); after the
declared rollbacks, anything of this run still in the ledger is reverted.
"""

from __future__ import annotations

import logging
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faultdrill.errors import (
    FaultdrillError,
    InvalidInput,
    Refused,
    TargetUnavailable,
)
from faultdrill.experiment.arguments import resolved_argument_problems
from faultdrill.experiment.blast import planned_duration, violations
from faultdrill.experiment.loader import LoadedExperiment
from faultdrill.faults.ledger import RUN_ID_ENV, FaultLedger
from faultdrill.faults.revert import revert_pending
from faultdrill.gate import experiment_targets, gate_experiment, target_lock
from faultdrill.probe.prober import Prober
from faultdrill.report.progress import LiveProgress
from faultdrill.runner import findings, targets
from faultdrill.runner.actionlimits import configuration_limits
from faultdrill.runner.chaostoolkit import ChaosToolkit
from faultdrill.runner.console import RunConsole
from faultdrill.runner.guard import Breach, Guard, GuardLimits, Snapshot
from faultdrill.runner.journal import Journal, PhaseRecord
from faultdrill.runner.live import ProgressTicker
from faultdrill.runner.outcome import Outcome, Phase
from faultdrill.runner.redact import masked_logs, secret_values
from faultdrill.runner.signals import (
    GuardLine,
    GuardTripped,
    Interrupted,
    Stopping,
    interruptible,
    shielded,
)
from faultdrill.runner.slos import hypothesis_slos, slo_file_for
from faultdrill.slo.verdict import evaluate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOptions:
    journal_path: Path
    toxiproxy_url: str | None = None
    slo_file: Path | None = None
    prometheus_url: str | None = None
    environment: str | None = None
    host_check: bool = True


@dataclass(frozen=True)
class RunResult:
    outcome: Outcome
    reason: str
    journal_path: Path


class _Stop(Exception):
    """Ends the run early with an outcome (not an error)."""

    def __init__(self, outcome: Outcome, reason: str) -> None:
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason


class ExperimentRun:
    def __init__(
        self, loaded: LoadedExperiment, options: RunOptions, console: RunConsole
    ) -> None:
        self.loaded = loaded
        self.model = loaded.model
        self.options = options
        self.console = console
        self.run_id = uuid.uuid4().hex[:12]
        self.ledger = FaultLedger.default()
        self.slo_file = slo_file_for(loaded, options.slo_file)
        self.slos = hypothesis_slos(loaded, options.slo_file)
        self.journal = Journal(
            run_id=self.run_id,
            experiment_file=str(loaded.path),
            document=loaded.document,
            start=time.time(),
        )
        self.toolkit: ChaosToolkit
        self.prober: Prober
        self.verdicts: dict[Phase, list[dict[str, Any]]] = {}
        self.phase_ended: dict[Phase, float] = {}  # on the prober's clock
        self.unreverted = 0  # faults of this run still in the ledger at the end
        self.guard_line = GuardLine()
        self.progress = LiveProgress(console.console, announce_phases=False)
        self.current_phase: Phase | None = None

    # --- the whole run ---------------------------------------------------

    def execute(self) -> RunResult:
        self.console.title(self.model.title, str(self.loaded.path))
        try:
            outcome, reason = self._run()
        except Refused as exc:
            outcome, reason = Outcome.REFUSED, str(exc)
        if self.unreverted:
            outcome, reason = (
                Outcome.NOT_REVERTED,
                (
                    f"{self.unreverted} fault(s) could not be reverted and may still "
                    f"be applied; run 'faultdrill recover' (the run had ended "
                    f"{outcome.value})"
                ),
            )
        self.journal.outcome, self.journal.reason = outcome, reason
        self.journal.end = time.time()
        self._account()
        return RunResult(outcome, reason, self.options.journal_path)

    def _run(self) -> tuple[Outcome, str]:
        self.toolkit = ChaosToolkit(
            self.loaded.document,
            str(self.loaded.path),
            configuration_limits(self.model.blast_radius),
        )
        self._check_arguments()
        self._gate()
        self._check_blast_radius()
        self.base_url = targets.base_url(
            self.toolkit.substitute(self.model.slo.base_url),
            self.toolkit.configuration,
            str(self.loaded.path),
        )
        self._check_service_answers()
        secrets = secret_values(self.toolkit.secrets)
        self.journal.secret_values = secrets
        with (
            self._run_environment(),
            self.guard_line.installed(),
            interruptible(),
            masked_logs(secrets),
        ):
            try:
                with self._target_lock(), self._fault_proxy(), self._probing():
                    try:
                        self._steady_state_before()
                        aborted = self._method_then_rollback()
                        self._steady_state_after()
                    finally:
                        self._last_safety_net()
                    if aborted:
                        return Outcome.ABORTED, f"{aborted}; rolled back"
                    return self._verdict()
            except _Stop as stop:
                return stop.outcome, stop.reason
            except Interrupted as exc:
                log.warning("interrupted by %s; faults were rolled back", exc)
                return Outcome.INTERRUPTED, f"interrupted by {exc}; faults rolled back"

    # --- phases ----------------------------------------------------------

    def _gate(self) -> None:
        """Budget, incidents, environment, host, held targets, leftover faults."""
        decision = gate_experiment(
            self.model,
            self.slos,
            slo_file=self.slo_file,
            prometheus_url=self.options.prometheus_url,
            check_host=self.options.host_check,
            environment=self.options.environment,
        )
        self.journal.gate = decision.as_json()
        if not decision.allowed:
            raise Refused(decision.messages)

    def _target_lock(self) -> AbstractContextManager[list[str]]:
        """One experiment per target; a crashed holder's lock dies with it."""
        names = experiment_targets(self.model)
        return target_lock(names, self.model.title, self.run_id)

    def _check_arguments(self) -> None:
        """Arguments a network action would fail on are invalid input, now."""
        problems = resolved_argument_problems(self.toolkit, str(self.loaded.path))
        if problems:
            raise InvalidInput(problems)

    def _check_service_answers(self) -> None:
        """A target that is not there is refused (and journaled), not measured."""
        _refused_if_unavailable(targets.check_service_answers, self.base_url)

    def _check_proxies(self, api: targets.ProxyApi) -> None:
        """The method's proxies must be on the API, or the run is refused."""
        named = targets.proxies_named(self.toolkit.resolved_steps("method"))
        _refused_if_unavailable(targets.check_proxies_exist, api, named)

    def _check_blast_radius(self) -> None:
        base = self.toolkit
        reasons = violations(
            base.resolved_radius(self.model.blast_radius),
            base.resolved_steps("method"),
            base.resolved_steps("rollbacks"),
            base.resolved_probes(),
        )
        if reasons:
            raise Refused(reasons)

    def _steady_state_before(self) -> None:
        verdicts = self._measure(
            Phase.BEFORE, self.model.slo.before, "measuring steady state"
        )
        ctk_state = self.toolkit.steady_state()
        self.journal.ctk_steady_states["before"] = ctk_state
        if ctk_state is not None and not ctk_state.get("steady_state_met"):
            raise _Stop(
                Outcome.DEVIATED,
                "Chaos Toolkit steady-state probes failed before; nothing injected",
            )
        status = _worst(verdicts)
        if status == "deviated":
            raise _Stop(
                Outcome.DEVIATED,
                "steady state not met before the method; nothing injected",
            )
        if status == "inconclusive":
            raise _Stop(
                Outcome.INCONCLUSIVE,
                "too few samples to confirm steady state before; nothing injected "
                "(raise slo.before or slo.probe-rate)",
            )

    def _method_then_rollback(self) -> str | None:
        """Apply the method, then roll back; why it was aborted, if it was.

        An aborted method is still followed by the recovery and after
        phases: whether the service came back matters most then.
        """
        method = self.toolkit.steps("method")
        self._start_phase(Phase.DURING)
        self.console.note("[bold]during[/]: applying the method")
        failed: str | None = None
        guard = self._start_guard()
        try:
            failed = self._run_method(method)
        except GuardTripped:
            failed = f"the guard aborted the method: {self._breach_reason(guard)}"
        finally:
            self.guard_line.armed = False
            guard.stop()
            self._end_phase(Phase.DURING)
            self._rollback_come_what_may()
            self._record_guard(guard)
        self._judge(Phase.DURING)
        return failed

    def _run_method(self, method: list[dict[str, Any]]) -> str | None:
        for activity in method:
            what = f"{activity['type']} {activity['name']}"
            self.journal.event(time.time(), f"{what} started")
            run = self.toolkit.run(activity, self.journal.runs)
            self.journal.event(time.time(), f"{what} ended: {run['status']}")
            if run["status"] == "failed" and activity["type"] == "action":
                return f"action {activity['name']!r} failed: {_last_line(run)}"
        return None

    def _start_guard(self) -> Guard:
        radius, settings = self.model.blast_radius, self.model.guard
        limits = GuardLimits(
            max_burn_rate=settings.max_burn_rate,
            window_s=settings.window,
            check_every_s=settings.check_every,
            max_duration_s=radius.max_duration,
            max_budget_spend_pct=radius.max_budget_spend,
            abort_on_slo_breach=settings.abort_on_slo_breach,
        )
        started = self.prober.now()

        def look() -> Snapshot:
            return Snapshot(
                now=self.prober.now(),
                method_started=started,
                samples=self.prober.samples(Phase.DURING.value),
                unanswered=self.prober.unanswered(),
            )

        guard = Guard(self.slos, limits, look, self._on_breach)
        self.guard_line.armed = True
        guard.start()
        return guard

    def _on_breach(self, breach: Breach) -> None:
        self.journal.event(time.time(), f"guard tripped: {breach.reason}")
        self.guard_line.pull()

    def _breach_reason(self, guard: Guard) -> str:
        return guard.breach.reason if guard.breach else "unknown breach"

    def _record_guard(self, guard: Guard) -> None:
        if guard.breach is None:
            return
        reverted_at = self.prober.now()
        self.journal.guard = {
            "breach": guard.breach.reason,
            "abort_to_reverted_s": round(reverted_at - guard.breach.at, 3),
        }
        log.warning(
            "guard abort: faults reverted %.3f s after the breach was detected",
            reverted_at - guard.breach.at,
        )

    def _rollback_come_what_may(self) -> None:
        # A signal can land after ``finally`` starts and before the shield is
        # up; rolling back again is safe (reverts are idempotent).
        while True:
            try:
                with shielded():
                    self._rollback()
                return
            except Stopping:
                log.warning("signal during rollback set-up; rolling back again")

    def _last_safety_net(self) -> None:
        """Whatever ended the run: no fault of it may outlive it.

        Faults applied outside the method (a steady-state probe that injects
        one, say) have no rollback of their own; the ledger still has them.
        """
        while True:
            try:
                with shielded():
                    for record, outcome in revert_pending(self.ledger, self.run_id):
                        self.journal.reverts.append(
                            {"fault": record.description, "outcome": outcome}
                        )
                    self._count_unreverted()
                return
            except Stopping:
                log.warning("signal during the last safety net; running it again")

    def _rollback(self) -> None:
        self.console.note("[bold]rollback[/]: reverting faults")
        for activity in self.toolkit.steps("rollbacks"):
            self.journal.event(time.time(), f"rollback {activity['name']} started")
            run = self.toolkit.run(activity, self.journal.rollbacks)
            self.journal.event(
                time.time(), f"rollback {activity['name']}: {run['status']}"
            )
        for record, outcome in revert_pending(self.ledger, self.run_id):
            self.journal.reverts.append(
                {"fault": record.description, "outcome": outcome}
            )
            self.journal.event(
                time.time(), f"safety net reverted {record.description}: {outcome}"
            )
        self._stop_own_stressors()
        self._count_unreverted()

    def _count_unreverted(self) -> None:
        still = self.ledger.pending(self.run_id)
        self.unreverted = len(still)
        if still:
            log.error(
                "%d fault(s) could not be reverted; run 'faultdrill recover'",
                len(still),
            )

    def _account(self) -> None:
        """What the run cost and found; a failure here must not cost the journal."""
        try:
            self._record_findings()
        except (FaultdrillError, OSError, ValueError) as exc:
            log.error("could not record the run's cost, incident or series: %s", exc)
            self.journal.event(time.time(), f"recording findings failed: {exc}")

    def _record_findings(self) -> None:
        """What the run cost and found: budget, incident, load figures, series."""
        findings.record_load_figures(self.journal)
        prober = getattr(self, "prober", None)
        if prober is not None:
            findings.record_series(self.journal, self.slos, prober.samples())
        judged = [
            *self.verdicts.get(Phase.DURING, []),
            *self.verdicts.get(Phase.AFTER, []),
        ]
        for line in findings.record_cost_and_incident(
            self.journal, self.model, self.slos, judged
        ):
            self.console.note(line)

    def _stop_own_stressors(self) -> None:
        """Safety net: stressors this process started, whatever the rollbacks did."""
        stress = sys.modules.get("chaosfaultdrill.stress")
        if stress is None:
            return  # no stress action ran in this process
        try:
            stopped = stress.stop_all().get("stressors", [])
        except Exception as exc:
            log.error("could not stop this run's stressors: %s", exc)
            self.journal.reverts.append(
                {"fault": "stressors", "outcome": f"failed: {exc}"}
            )
            return
        for report in stopped:
            described = f"stressor {report.get('id', '?')}"
            outcome = str(report.get("state", "stopped"))
            self.journal.reverts.append({"fault": described, "outcome": outcome})

    def _steady_state_after(self) -> None:
        grace = self.model.slo.recovery_within
        if grace > 0:
            self._start_phase(Phase.RECOVERY)
            self.console.phase(Phase.RECOVERY, grace, "letting the service recover")
            time.sleep(grace)
            self._end_phase(Phase.RECOVERY)
        self._measure(Phase.AFTER, self.model.slo.after, "measuring steady state")
        self.journal.ctk_steady_states["after"] = self.toolkit.steady_state()

    def _verdict(self) -> tuple[Outcome, str]:
        during = self.verdicts.get(Phase.DURING, [])
        after = self.verdicts.get(Phase.AFTER, [])
        ctk_after = self.journal.ctk_steady_states.get("after")
        if ctk_after is not None and not ctk_after.get("steady_state_met"):
            return (
                Outcome.DEVIATED,
                "Chaos Toolkit steady-state probes failed after the method",
            )
        for phase, verdicts in ((Phase.DURING, during), (Phase.AFTER, after)):
            broken = [v["slo"] for v in verdicts if v["status"] == "deviated"]
            if broken:
                return (
                    Outcome.DEVIATED,
                    f"{', '.join(broken)} broke {phase.value} the method",
                )
        unsure = [
            f"{v['slo']} ({p})"
            for p, vs in ((Phase.DURING, during), (Phase.AFTER, after))
            for v in vs
            if v["status"] == "inconclusive"
        ]
        if unsure:
            return Outcome.INCONCLUSIVE, f"too few samples for {', '.join(unsure)}"
        return Outcome.HELD, "every SLO of the hypothesis held before, during and after"

    # --- helpers -----------------------------------------------------------

    def _measure(self, phase: Phase, seconds: float, what: str) -> list[dict[str, Any]]:
        self._start_phase(phase)
        names = ", ".join(s.name for s in self.slos)
        self.console.phase(phase, seconds, f"{what} ({names})")
        time.sleep(seconds)
        self._end_phase(phase)
        return self._judge(phase)

    def _judge(self, phase: Phase) -> list[dict[str, Any]]:
        self._wait_for_answers(phase)
        samples = self.prober.samples(phase.value)
        verdicts = [_as_json(evaluate(slo, samples)) for slo in self.slos]
        self.verdicts[phase] = verdicts
        record = next(p for p in self.journal.phases if p.phase is phase)
        record.verdicts, record.samples = verdicts, len(samples)
        self.console.verdicts(phase, verdicts)
        return verdicts

    def _wait_for_answers(self, phase: Phase) -> None:
        """Let the phase's requests in flight land before judging it."""
        ended = self.phase_ended.get(phase)
        if ended is None:
            return
        left = self.prober.wait_answered(ended)
        if left:
            log.warning(
                "%d request(s) of the %s phase still unanswered after the probe "
                "timeout; judged without them",
                left,
                phase.value,
            )

    def _start_phase(self, phase: Phase) -> None:
        self.prober.set_phase(phase.value)
        self.current_phase = phase
        self.progress.phase_started(phase, self._phase_seconds(phase))
        self.journal.phases.append(PhaseRecord(phase, time.time()))
        self.journal.event(time.time(), f"phase {phase.value} started")

    def _phase_seconds(self, phase: Phase) -> float:
        section = self.model.slo
        if phase is Phase.DURING:
            return planned_duration(self.toolkit.steps("method"))
        return {
            Phase.BEFORE: section.before,
            Phase.RECOVERY: section.recovery_within,
            Phase.AFTER: section.after,
        }[phase]

    def _end_phase(self, phase: Phase) -> None:
        self.phase_ended[phase] = self.prober.now()
        self.prober.set_phase(None)
        self.current_phase = None
        record = next(p for p in self.journal.phases if p.phase is phase)
        record.end = time.time()

    @contextmanager
    def _run_environment(self) -> Iterator[None]:
        """Activities of this process belong to this run (for the fault ledger)."""
        previous = os.environ.get(RUN_ID_ENV)
        os.environ[RUN_ID_ENV] = self.run_id
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop(RUN_ID_ENV, None)
            else:
                os.environ[RUN_ID_ENV] = previous

    @contextmanager
    def _fault_proxy(self) -> Iterator[None]:
        document, source = self.loaded.document, str(self.loaded.path)
        if not targets.uses_network_faults(document):
            yield
            return
        with targets.toxiproxy_api(
            self.options.toxiproxy_url, self.toolkit.configuration
        ) as api:
            log.info("Toxiproxy API: %s (%s)", api.url, api.origin)
            self.journal.toxiproxy_url = api.url
            self._check_proxies(api)
            overrides = configuration_limits(self.model.blast_radius)
            self.toolkit = ChaosToolkit(
                document, source, {**overrides, "toxiproxy_url": api.url}
            )
            yield

    @contextmanager
    def _probing(self) -> Iterator[None]:
        url = self.base_url
        self.journal.base_url = url
        log.info(
            "measuring SLOs of %s at %g requests/s", url, self.model.slo.probe_rate
        )
        with Prober(self.slos, url, rate_per_s=self.model.slo.probe_rate) as prober:
            self.prober = prober
            ticker = ProgressTicker(
                self.progress, prober, self.slos, lambda: self.current_phase
            )
            with ticker:
                yield


def _as_json(verdict: Any) -> dict[str, Any]:
    data: dict[str, Any] = verdict.model_dump(mode="json")
    return data


def _worst(verdicts: list[dict[str, Any]]) -> str:
    statuses = {v["status"] for v in verdicts}
    for status in ("deviated", "inconclusive"):
        if status in statuses:
            return status
    return "held"


def _last_line(run: dict[str, Any]) -> str:
    lines = run.get("exception") or ["unknown error"]
    return str(lines[-1]).strip()


def _refused_if_unavailable(check: Callable[..., None], *args: Any) -> None:
    """Run a pre-flight ``check``; what it cannot reach refuses the run.

    Only before the first fault: later, an unreachable service is a finding
    of the run, not a refusal.
    """
    try:
        check(*args)
    except TargetUnavailable as exc:
        raise Refused([str(exc)]) from exc
