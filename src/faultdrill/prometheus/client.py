"""A small client of the Prometheus HTTP API: instant queries, nothing more.

``GET /api/v1/query?query=...`` answers ``{"status": "success", "data":
{"resultType": "vector", "result": [{"metric": {...}, "value": [t, "v"]}]}}``;
values are strings ("NaN", "+Inf" included). A bad query answers 400 with
``{"status": "error", "errorType": "bad_data", "error": "..."}``.
"""

from __future__ import annotations

import json
import logging
import math
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from faultdrill.errors import InvalidInput, TargetUnavailable

log = logging.getLogger(__name__)

URL_ENV = "FAULTDRILL_PROMETHEUS_URL"
# Prometheus' own default query timeout is 2 minutes; a gate in a pipeline
# should fail fast instead, and SLI queries over 3 days answer in well
# under a second on a modest server.
DEFAULT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Sample:
    labels: dict[str, str]
    value: float


class PrometheusClient:
    def __init__(self, url: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s

    def query(self, promql: str, at: float | None = None) -> list[Sample]:
        """An instant query; a scalar answer comes back as one sample."""
        params = {"query": promql}
        if at is not None:
            params["time"] = f"{at:.3f}"
        body = self._get("/api/v1/query?" + urllib.parse.urlencode(params), promql)
        return _samples(body["data"])

    def scalar(self, promql: str, at: float | None = None) -> float | None:
        """The one value of a query; None when it answers nothing or NaN."""
        samples = self.query(promql, at)
        if not samples:
            return None
        if len(samples) > 1:
            raise InvalidInput.single(
                "prometheus",
                promql,
                f"answered {len(samples)} series where one was expected; "
                "aggregate it with sum(...)",
            )
        value = samples[0].value
        return None if math.isnan(value) else value

    def _get(self, path: str, promql: str) -> dict[str, Any]:
        request = urllib.request.Request(self.url + path)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:
                body: dict[str, Any] = json.load(answer)
        except urllib.error.HTTPError as exc:
            raise _query_error(promql, exc) from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise TargetUnavailable(
                f"Prometheus at {self.url} did not answer ({exc}); check the URL "
                f"given with --prometheus or {URL_ENV}"
            ) from exc
        log.debug("prometheus %s -> %s", promql, body.get("status"))
        return body


def _query_error(promql: str, exc: urllib.error.HTTPError) -> Exception:
    try:
        detail = json.load(exc).get("error", exc.reason)
    except ValueError:
        detail = exc.reason
    if exc.code in (400, 422):
        return InvalidInput.single(
            "prometheus", promql, f"rejected the query: {detail}; fix the PromQL"
        )
    return TargetUnavailable(f"Prometheus answered {exc.code} to {promql!r}: {detail}")


def _samples(data: dict[str, Any]) -> list[Sample]:
    kind = data.get("resultType")
    result = data.get("result")
    if kind == "scalar" and isinstance(result, list):
        return [Sample({}, float(result[1]))]
    if kind == "vector" and isinstance(result, list):
        return [Sample(dict(r["metric"]), float(r["value"][1])) for r in result]
    raise InvalidInput.single(
        "prometheus", str(kind), "answered a range or string; give an instant vector"
    )
