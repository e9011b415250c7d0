"""PromQL SLIs against a real Prometheus scraping the sandbox."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from faultdrill.cli.main import cli
from faultdrill.errors import InvalidInput, TargetUnavailable
from faultdrill.gate.security import SecuritySignals
from faultdrill.prometheus.client import PrometheusClient
from faultdrill.prometheus.source import PrometheusSource
from faultdrill.slo.reading import ReadingSource

from .conftest import (
    BURST,
    BURST_SENT,
    LOGINS_OK,
    LOGINS_WRONG,
    PAGES_MISSING,
    PAGES_OK,
    SLO_FILE,
    SLOW_CALLS,
    World,
    requires_prometheus,
)

pytestmark = [pytest.mark.e2e, requires_prometheus]
WINDOW_S = 60.0


def read(world: World, name: str, window_s: float = WINDOW_S):  # type: ignore[no-untyped-def]
    return PrometheusSource(world.client).read(world.slos.get(name), window_s)


def test_good_over_total_counts_the_pages_sent(world: World) -> None:
    reading = read(world, "pages-2xx")

    assert reading.source is ReadingSource.PROMETHEUS
    assert reading.good_ratio == pytest.approx(
        PAGES_OK / (PAGES_OK + PAGES_MISSING), abs=0.01
    )
    # increase() extrapolates to the window's edges: near, not exact.
    assert reading.total == pytest.approx(PAGES_OK + PAGES_MISSING, rel=0.25)


def test_a_whole_expression_with_window_reads_the_same_ratio(world: World) -> None:
    reading = read(world, "pages-4xx")

    assert reading.bad_ratio == pytest.approx(
        PAGES_MISSING / (PAGES_OK + PAGES_MISSING), abs=0.01
    )


def test_login_success_ratio_leaves_rate_limited_attempts_out(world: World) -> None:
    reading = read(world, "login-success")

    admitted = BURST + 1
    good = LOGINS_OK + admitted
    assert reading.good_ratio == pytest.approx(good / (good + LOGINS_WRONG), abs=0.02)


def test_latency_percentile_comes_with_the_bucket_behind_it(world: World) -> None:
    reading = read(world, "api-latency-p95")

    # 40 answers slowed by 220 ms fall in the (200, 250] ms bucket, where
    # histogram_quantile interpolates: the figure is only as good as it.
    assert reading.bucket_ms == (200.0, 250.0)
    assert reading.percentile_ms is not None
    assert 200.0 < reading.percentile_ms <= 250.0
    assert reading.percentile_label == "p95"
    assert reading.good == pytest.approx(reading.total)  # all within 500 ms
    assert reading.total == pytest.approx(SLOW_CALLS, rel=0.25)
    assert reading.note == ""


def test_a_threshold_between_bounds_counts_good_only_to_the_bound_below(
    world: World,
) -> None:
    reading = read(world, "api-latency-tight")  # 210 ms, bounds 200 and 250

    assert reading.good == pytest.approx(0.0, abs=1.0)
    assert "counted good up to 200 ms only" in reading.note


def test_recording_rules_give_the_same_error_ratio(world: World) -> None:
    recorded = world.client.scalar('slo:sli_error:ratio_rate5m{slo="pages-2xx"}')
    direct = read(world, "pages-2xx", 300.0).bad_ratio

    assert recorded == pytest.approx(direct, abs=0.01)
    assert recorded == pytest.approx(0.1, abs=0.01)


def test_the_gate_blocks_on_latency_and_prints_the_bucket(world: World) -> None:
    result = CliRunner().invoke(
        cli,
        ["gate", "--no-host", "--json", "--slo-file", str(SLO_FILE),
         "--prometheus", world.prometheus.url],
    )  # fmt: skip

    data = json.loads(result.stdout)
    messages = [r["message"] for r in data["reasons"]]
    assert result.exit_code == 3
    assert any(
        m.startswith("api-latency-tight: p95") and "(200, 250] ms" in m
        for m in messages
    )
    assert not any(m.startswith("api-latency-p95") for m in messages)


def test_budget_shows_sli_now_from_prometheus(world: World) -> None:
    result = CliRunner().invoke(
        cli,
        ["budget", "--json", "--slo-file", str(SLO_FILE),
         "--prometheus", world.prometheus.url],
    )  # fmt: skip

    rows = {r["slo"]: r for r in json.loads(result.stdout)["slos"]}
    assert rows["pages-2xx"]["sli_now"]["window_s"] == 300
    assert rows["api-latency-p95"]["sli_now"]["bucket_ms"] == [200.0, 250.0]
    assert rows["homepage-probed"]["sli_now"] is None


def test_a_bad_query_names_the_query_and_the_fix(world: World) -> None:
    with pytest.raises(InvalidInput, match=r"rejected the query.*fix the PromQL"):
        world.client.query("sum(rate(http_requests_total[5m]")


def test_an_unreachable_prometheus_names_the_url() -> None:
    client = PrometheusClient("http://127.0.0.1:9", timeout_s=2)

    with pytest.raises(TargetUnavailable, match=r"127\.0\.0\.1:9 did not answer"):
        client.query("up")


def test_signals_type_is_importable_for_the_security_reader() -> None:
    assert SecuritySignals(window_s=60).failed_login_ratio is None
    assert BURST_SENT > BURST
