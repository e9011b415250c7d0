"""The web app's Prometheus metrics, in a registry of their own.

Names follow Prometheus' naming guide (base units, ``_total`` counters), so
the SLO queries read as usual::

    http_requests_total{route, method, status}
    http_request_duration_seconds{route}          histogram
    login_attempts_total{outcome}                 success|failure|malformed|rate_limited
    dependency_errors_total{dependency, kind}     timeout|unreachable|bad_status

``route`` is the route template (``/api/videos/{id}``), never the raw path, so
the label set stays small whatever clients send.
"""

from __future__ import annotations

import enum

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

# Fine below 250 ms, where healthy answers live, then dense around the 500 ms
# p95 threshold of the API latency SLO so that histogram_quantile, which
# interpolates inside a bucket, can tell 450 ms from 550 ms; 2.5 s and 5 s
# catch answers that waited out the 2 s dependency timeout.
DURATION_BUCKETS = (
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25,
    0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.75, 1.0, 2.5, 5.0,
)  # fmt: skip

UNMATCHED_ROUTE = "unmatched"  # requests no route answered (404, 405)


class LoginOutcome(enum.StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"  # wrong user or password
    MALFORMED = "malformed"  # not a JSON object with user and password
    RATE_LIMITED = "rate_limited"


class DependencyErrorKind(enum.StrEnum):
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"  # refused, reset or closed before an answer
    BAD_STATUS = "bad_status"  # answered with an unexpected status


class WebMetrics:
    """Every metric the web app exports, registered in ``self.registry``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "http_request_duration_seconds",
            "Time from receiving a request to handing back its answer.",
            ["route"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.logins = Counter(
            "login_attempts",
            "Login attempts by outcome.",
            ["outcome"],
            registry=self.registry,
        )
        self.dependency_errors = Counter(
            "dependency_errors",
            "Calls to a dependency that did not give a usable answer.",
            ["dependency", "kind"],
            registry=self.registry,
        )
        for outcome in LoginOutcome:
            self.logins.labels(outcome=outcome.value)

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route=route, method=method, status=str(status)).inc()
        self.duration.labels(route=route).observe(seconds)

    def login(self, outcome: LoginOutcome) -> None:
        self.logins.labels(outcome=outcome.value).inc()

    def dependency_error(self, dependency: str, kind: DependencyErrorKind) -> None:
        self.dependency_errors.labels(dependency=dependency, kind=kind.value).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
