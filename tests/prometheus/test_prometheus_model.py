"""The SLO file's sources: what each one needs, and what it does without."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultdrill.errors import InvalidInput
from faultdrill.slo.model import SliSource, load_slo_file


def slo_file(tmp_path: Path, sli: str) -> Path:
    path = tmp_path / "slos.yaml"
    path.write_text(
        f"service: s\nslos:\n  - name: x\n    objective: 99\n    sli: {sli}\n"
    )
    return path


@pytest.mark.parametrize(
    ("sli", "message"),
    [
        ("{type: availability}", "'request' is required for source probe"),
        (
            "{type: availability, source: prometheus}",
            "'prometheus' queries are required",
        ),
        (
            "{type: availability, source: prometheus, prometheus: {good: a}}",
            "needs 'total'",
        ),
        (
            "{type: error-ratio, source: prometheus, prometheus: {good: a, bad: b, total: c}}",
            "exactly one of 'good' or 'bad'",
        ),
        (
            "{type: latency, threshold-ms: 5, source: prometheus, prometheus: {total: c}}",
            "needs 'histogram'",
        ),
        ("{type: availability, source: load-generator}", "'request' is required"),
    ],
)
def test_a_source_without_what_it_needs_is_named(
    tmp_path: Path, sli: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=r"slos\[0\]\.sli") as error:
        load_slo_file(slo_file(tmp_path, sli))

    assert message in str(error.value)


def test_a_prometheus_sli_has_no_request_to_probe(tmp_path: Path) -> None:
    path = slo_file(
        tmp_path,
        "{type: availability, source: prometheus, prometheus: {good: a, total: b}}",
    )
    slo = load_slo_file(path).get("x")

    assert slo.sli.source is SliSource.PROMETHEUS
    with pytest.raises(InvalidInput, match="measured by prometheus, not by requests"):
        _ = slo.sli.request
