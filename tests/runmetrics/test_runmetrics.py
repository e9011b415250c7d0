from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from faultdrill.report.record import RunRecord, parse_journal
from faultdrill.runmetrics.metrics import push, write_textfile

JOURNALS = Path(__file__).resolve().parents[1] / "report" / "journals"


def record(outcome: str) -> RunRecord:
    return parse_journal(json.loads((JOURNALS / f"{outcome}.json").read_text()))


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_the_textfile_has_status_duration_and_budget_per_experiment(
    tmp_path: Path,
) -> None:
    path = tmp_path / "collector" / "faultdrill.prom"
    write_textfile([record("held"), record("deviated")], path)
    found = samples(path.read_text())
    broken = (("experiment", "api-latency-breaks-p95"),)
    assert found[("faultdrill_run_outcome", (*broken, ("outcome", "deviated")))] == 1
    assert found[("faultdrill_run_outcome", (*broken, ("outcome", "held")))] == 0
    assert found[("faultdrill_run_exit_code", broken)] == 1
    assert found[("faultdrill_run_duration_seconds", broken)] == pytest.approx(14.055)
    slo = (*broken, ("slo", "api-latency-p95"))
    assert found[("faultdrill_run_burn_rate", slo)] == pytest.approx((111 / 116) / 0.05)
    assert 0 < found[("faultdrill_run_budget_spent_ratio", slo)] < 1e-4
    held = (("experiment", "api-latency-absorbed"),)
    assert found[("faultdrill_run_outcome", (*held, ("outcome", "held")))] == 1


def test_a_refused_run_reports_its_outcome_and_no_budget(tmp_path: Path) -> None:
    path = tmp_path / "faultdrill.prom"
    write_textfile([record("refused")], path)
    names = {name for name, _ in samples(path.read_text())}
    assert "faultdrill_run_outcome" in names
    assert "faultdrill_run_budget_spent_ratio" not in names


@pytest.fixture
def gateway() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    pushed: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            length = int(self.headers["Content-Length"])
            pushed.append({"path": self.path, "body": self.rfile.read(length).decode()})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", pushed
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_a_push_replaces_each_experiments_group_on_the_gateway(
    gateway: tuple[str, list[dict[str, Any]]],
) -> None:
    url, pushed = gateway
    push([record("held"), record("aborted")], url)
    assert [p["path"] for p in pushed] == [
        "/metrics/job/faultdrill/experiment/api-latency-absorbed",
        "/metrics/job/faultdrill/experiment/api-latency-absorbed",
    ]
    last = samples(pushed[1]["body"])
    key = (("experiment", "api-latency-absorbed"), ("outcome", "aborted"))
    assert last[("faultdrill_run_outcome", key)] == 1
