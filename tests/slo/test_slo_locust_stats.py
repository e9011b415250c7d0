"""Readings from Locust's _stats.csv, header as Locust 2.x writes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultdrill.errors import InvalidInput
from faultdrill.slo.locust_stats import read_locust_stats
from faultdrill.slo.model import SloFile
from faultdrill.slo.reading import ReadingSource

HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)
ROWS = [
    "GET,/,1000,3,12,14.2,2,180,512,33.3,0.1,12,13,14,15,18,25,40,60,150,180,180",
    "GET,/api/videos/42,2000,40,120,150.5,80,2600,256,66.6,1.3,"
    "120,140,160,180,300,450,520,700,2400,2600,2600",
    ",Aggregated,3000,43,60,105,2,2600,340,100,1.4,60,120,130,140,250,400,500,650,2000,2600,2600",
]
SLOS = SloFile.model_validate(
    {
        "service": "s",
        "slos": [
            {"name": "home", "objective": 99,
             "sli": {"type": "availability", "source": "load-generator",
                     "request": {"path": "/"}}},
            {"name": "api-p95", "objective": 95,
             "sli": {"type": "latency", "threshold-ms": 500, "source": "load-generator",
                     "request": {"path": "/api/videos/42"}}},
            {"name": "probed", "objective": 99,
             "sli": {"type": "availability", "request": {"path": "/"}}},
        ],
    }
)  # fmt: skip


def stats(tmp_path: Path, rows: list[str] = ROWS, header: str = HEADER) -> Path:
    path = tmp_path / "run_stats.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_ratio_slis_count_locust_failures_as_bad(tmp_path: Path) -> None:
    home, _ = read_locust_stats(stats(tmp_path), SLOS.slos, 30.0)

    assert (home.slo, home.source, home.window_s) == ("home", ReadingSource.LOAD, 30.0)
    assert (home.good, home.total) == (997, 1000)


def test_latency_good_is_the_largest_percentile_within_the_threshold(
    tmp_path: Path,
) -> None:
    _, api = read_locust_stats(stats(tmp_path), SLOS.slos, 30.0)

    # p95 450 ms <= 500 < p98 520 ms: at least 95% of 2000 were good
    assert api.good == pytest.approx(1900)
    assert (api.percentile_label, api.percentile_ms) == ("p95", 450)
    assert "lower bound" in api.note and "2 significant figures" in api.note


def test_only_load_generator_slos_are_read(tmp_path: Path) -> None:
    names = [r.slo for r in read_locust_stats(stats(tmp_path), SLOS.slos, 30.0)]

    assert names == ["home", "api-p95"]


def test_a_missing_row_lists_the_rows_there_are(tmp_path: Path) -> None:
    with pytest.raises(
        InvalidInput, match=r"no row for GET /api/videos/42; rows: GET /"
    ):
        read_locust_stats(stats(tmp_path, ROWS[:1]), SLOS.slos, 30.0)


def test_a_file_that_is_not_locusts_is_named(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"not a Locust _stats\.csv"):
        read_locust_stats(stats(tmp_path, [], header="a,b,c"), SLOS.slos, 30.0)
    with pytest.raises(InvalidInput, match="locust --csv PREFIX"):
        read_locust_stats(tmp_path / "none.csv", SLOS.slos, 30.0)
