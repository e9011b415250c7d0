"""Each gate condition on its own: inputs in, reasons out, nothing else.

Every function returns one reason per thing found wrong, so the gate can
print all of them and a pipeline log shows everything that must change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from faultdrill.budget.burn import duration_label
from faultdrill.budget.status import BudgetStatus
from faultdrill.gate.decision import GateReason, ReasonCode
from faultdrill.gate.host import HostSample
from faultdrill.gate.locks import LockHolder
from faultdrill.gate.security import SecuritySignals
from faultdrill.gate.thresholds import GateThresholds
from faultdrill.incidents.model import Incident
from faultdrill.slo.model import LatencySli, Slo
from faultdrill.slo.reading import ReadingSource, SliReading


def budget_exhausted(
    budgets: Iterable[BudgetStatus], thresholds: GateThresholds
) -> list[GateReason]:
    floor = thresholds.min_budget_left_percent
    return [
        GateReason(
            code=ReasonCode.BUDGET_EXHAUSTED,
            message=f"{b.slo}: {b.left_percent:.2f}% of the {b.window} error "
            f"budget left, at or below {floor:g}%; only urgent and security "
            "fixes until it recovers",
        )
        for b in budgets
        if b.left_percent <= floor
    ]


def budget_below_minimum(
    budgets: Iterable[BudgetStatus], minimum_percent: float
) -> list[GateReason]:
    return [
        GateReason(
            code=ReasonCode.BUDGET_BELOW_MINIMUM,
            message=f"{b.slo}: {b.left_percent:.2f}% of the error budget left, "
            f"below the experiment's gate.min-budget-left of {minimum_percent:g}%",
        )
        for b in budgets
        if minimum_percent > 0 and b.left_percent < minimum_percent
    ]


def budget_below_allowance(
    budgets: Iterable[BudgetStatus], allowance_percent: float | None
) -> list[GateReason]:
    """SLOs with less budget left than the experiment is allowed to spend.

    The guard stops the run once it has spent its allowance; starting with
    less than that left could spend the rest of the budget before it trips.
    """
    if allowance_percent is None:
        return []
    return [
        GateReason(
            code=ReasonCode.BUDGET_BELOW_ALLOWANCE,
            message=f"{b.slo}: {b.left_percent:.2f}% of the error budget left, "
            "less than the experiment may spend "
            f"(blast-radius.max-budget-spend {allowance_percent:g}%); lower "
            "the allowance or wait for the budget to recover",
        )
        for b in budgets
        if b.left_percent < allowance_percent
    ]


def ledger_spikes(
    budgets: Iterable[BudgetStatus], thresholds: GateThresholds
) -> list[GateReason]:
    """Burn rates the ledger knows of (incidents, experiments) over both windows."""
    long_label = duration_label(thresholds.spike_long_window_s)
    short_label = duration_label(thresholds.spike_short_window_s)
    reasons = []
    for b in budgets:
        long_rate = b.burn_rates.get(long_label)
        short_rate = b.burn_rates.get(short_label)
        if long_rate is None or short_rate is None:
            continue
        if min(long_rate, short_rate) > thresholds.spike_burn_rate:
            reasons.append(_spike(b.slo, long_rate, short_rate, thresholds, "ledger"))
    return reasons


def live_spikes(
    readings: Sequence[SliReading],
    slos: Mapping[str, Slo],
    thresholds: GateThresholds,
) -> list[GateReason]:
    """Live error ratios over both spike windows, as burn rates of their SLO."""
    reasons = []
    for name, slo in slos.items():
        if isinstance(slo.sli, LatencySli):
            continue
        long_rate = _burn(readings, name, thresholds.spike_long_window_s, slo)
        short_rate = _burn(readings, name, thresholds.spike_short_window_s, slo)
        if long_rate is None or short_rate is None:
            continue
        if min(long_rate, short_rate) > thresholds.spike_burn_rate:
            source = _source(readings, name)
            reasons.append(_spike(name, long_rate, short_rate, thresholds, source))
    return reasons


def latency_over(
    readings: Sequence[SliReading], slos: Mapping[str, Slo]
) -> list[GateReason]:
    """Latency SLOs whose objective percentile is over the threshold now.

    The shortest window read counts: it says how the service is doing now.
    """
    reasons = []
    for name, slo in slos.items():
        if not isinstance(slo.sli, LatencySli):
            continue
        mine = [r for r in readings if r.slo == name and r.percentile_ms is not None]
        if not mine:
            continue
        now = min(mine, key=lambda r: r.window_s)
        assert now.percentile_ms is not None
        if now.percentile_ms > slo.sli.threshold_ms:
            reasons.append(_latency(now, slo.sli))
    return reasons


def load_test_breaches(
    readings: Sequence[SliReading], slos: Mapping[str, Slo]
) -> list[GateReason]:
    """Ratio SLOs a load test's statistics show below their objective.

    A load test is one window, so the two-window spike rule does not apply:
    its good ratio is held to the objective itself. Latency readings from
    the load generator go through ``latency_over`` like any other.
    """
    reasons = []
    for reading in readings:
        slo = slos.get(reading.slo)
        good = reading.good_ratio
        if reading.source is not ReadingSource.LOAD or slo is None or good is None:
            continue
        if isinstance(slo.sli, LatencySli) or good >= slo.objective / 100.0:
            continue
        bad = reading.total - reading.good
        reasons.append(
            GateReason(
                code=ReasonCode.LOAD_TEST_BREACH,
                message=f"{slo.name}: the load test's statistics show "
                f"{100 * good:.3f}% good ({bad:g} of {reading.total:g} failed "
                f"over {reading.window_s:g} s), below the objective "
                f"{slo.objective:g}%",
            )
        )
    return reasons


def host_unstable(
    host: HostSample | None, thresholds: GateThresholds
) -> list[GateReason]:
    if host is None:
        return []
    checks = (
        ("CPU", host.cpu_percent, thresholds.max_cpu_percent, "%"),
        ("memory", host.memory_percent, thresholds.max_memory_percent, "%"),
        ("load per core", host.load_per_core, thresholds.max_load_per_core, ""),
    )
    return [
        GateReason(
            code=ReasonCode.HOST_UNSTABLE,
            message=f"{what} at {value:.3g}{unit}, over {limit:g}{unit}: the host "
            "is saturated; wait until it settles",
        )
        for what, value, limit, unit in checks
        if value > limit
    ]


def incidents_open(
    incidents: Iterable[Incident], thresholds: GateThresholds
) -> list[GateReason]:
    return [
        GateReason(
            code=ReasonCode.INCIDENT_OPEN,
            message=f"{i.id} ({i.severity}) is open: {i.title}; close it with "
            f"'faultdrill incident close {i.id}' once resolved",
        )
        for i in incidents
        if i.is_open and i.severity.rank <= thresholds.block_on_severity
    ]


def incidents_unreadable(problems: Sequence[str]) -> list[GateReason]:
    """Incident files that cannot be read: any of them may be an open incident."""
    return [
        GateReason(
            code=ReasonCode.INCIDENTS_UNREADABLE,
            message=f"cannot tell whether an incident is open: {problem}",
        )
        for problem in problems
    ]


def security(
    signals: SecuritySignals | None, thresholds: GateThresholds
) -> list[GateReason]:
    if signals is None:
        return []
    reasons = []
    window = duration_label(signals.window_s)
    ratio = signals.failed_login_ratio
    if ratio is not None and ratio > thresholds.max_failed_login_ratio:
        reasons.append(
            GateReason(
                code=ReasonCode.AUTH_ANOMALY,
                message=f"{ratio:.1%} of logins failed over {window}, over "
                f"{thresholds.max_failed_login_ratio:.0%}: an authentication "
                "anomaly; investigate before changing anything",
            )
        )
    limited = signals.rate_limited_per_s
    if limited is not None and limited > thresholds.max_rate_limited_per_s:
        reasons.append(
            GateReason(
                code=ReasonCode.RATE_LIMITED,
                message=f"{limited:.3g} login rate-limit rejections/s over "
                f"{window}, over {thresholds.max_rate_limited_per_s:g}/s",
            )
        )
    bans = signals.fail2ban_bans
    if bans is not None and bans > thresholds.max_fail2ban_bans:
        reasons.append(
            GateReason(
                code=ReasonCode.FAIL2BAN_BANS,
                message=f"Fail2Ban banned {bans} addresses over {window}, over "
                f"{thresholds.max_fail2ban_bans}: an attack may be under way",
            )
        )
    return reasons


def targets_held(found: Iterable[LockHolder]) -> list[GateReason]:
    return [
        GateReason(code=ReasonCode.TARGET_HELD, message=holder.describe())
        for holder in found
    ]


def environment_not_allowed(
    allowed: Sequence[str], environment: str | None, variable: str
) -> list[GateReason]:
    if not allowed or environment in allowed:
        return []
    named = f"{environment!r}" if environment else "not set"
    return [
        GateReason(
            code=ReasonCode.ENVIRONMENT,
            message=f"the environment is {named}; gate.environments allows only "
            f"{', '.join(allowed)} (set {variable} or --environment)",
        )
    ]


def _burn(
    readings: Sequence[SliReading], name: str, window_s: float, slo: Slo
) -> float | None:
    for reading in readings:
        if reading.slo == name and reading.window_s == window_s:
            bad = reading.bad_ratio
            return None if bad is None else bad / slo.error_budget
    return None


def _source(readings: Sequence[SliReading], name: str) -> str:
    return next((str(r.source) for r in readings if r.slo == name), "live")


def _spike(
    slo: str, long_rate: float, short_rate: float, t: GateThresholds, source: str
) -> GateReason:
    return GateReason(
        code=ReasonCode.ERROR_RATE_SPIKE,
        message=f"{slo}: burning its error budget at {long_rate:.3g}x over "
        f"{duration_label(t.spike_long_window_s)} and {short_rate:.3g}x over "
        f"{duration_label(t.spike_short_window_s)} ({source}), both over "
        f"{t.spike_burn_rate:g}x",
    )


def _latency(reading: SliReading, sli: LatencySli) -> GateReason:
    bucket = ""
    if reading.bucket_ms is not None:
        low, high = reading.bucket_ms
        bucket = f", inside the ({low:g}, {high:g}] ms histogram bucket"
    return GateReason(
        code=ReasonCode.LATENCY_OVER_SLO,
        message=f"{reading.slo}: {reading.percentile_label} "
        f"{reading.percentile_ms:.0f} ms over {duration_label(reading.window_s)}"
        f"{bucket}, over the {sli.threshold_ms:g} ms objective "
        f"({reading.source})",
    )


def faults_applied(descriptions: Sequence[str]) -> list[GateReason]:
    """Faults a killed run left in place: nothing may start until recovered."""
    if not descriptions:
        return []
    listed = "; ".join(descriptions[:3])
    more = f" and {len(descriptions) - 3} more" if len(descriptions) > 3 else ""
    return [
        GateReason(
            code=ReasonCode.FAULTS_APPLIED,
            message=f"{len(descriptions)} fault(s) of an earlier run are still "
            f"applied ({listed}{more}); run 'faultdrill recover' first",
        )
    ]
