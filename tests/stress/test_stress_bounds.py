"""Requests beyond the host or the blast radius are refused before anything runs."""

from __future__ import annotations

import pytest

from faultdrill.errors import InvalidInput
from faultdrill.stress.bounds import MIB, Capacity, Limits, check_cpu, check_memory

HOST = Capacity(cores=4, total_memory=8192 * MIB, available_memory=4096 * MIB)


def fields(error: InvalidInput) -> set[str]:
    return {p.field for p in error.problems}


@pytest.mark.parametrize(
    ("percent", "cores", "duration_s", "field"),
    [
        (0, 1, 10, "percent"),
        (-5, 1, 10, "percent"),
        (100.5, 1, 10, "percent"),
        (50, 5, 10, "cores"),
        (50, 0, 10, "cores"),
        (50, 1, 0, "duration_s"),
        (50, 1, -1, "duration_s"),
        (50, 1, float("inf"), "duration_s"),
        (50, 1, float("nan"), "duration_s"),
    ],
)
def test_cpu_request_out_of_bounds_names_the_argument(
    percent: float, cores: int, duration_s: float, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_cpu(percent, cores, duration_s, HOST)
    assert fields(caught.value) == {field}


def test_every_cpu_problem_is_reported_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_cpu(0, 9, 0, HOST)
    assert fields(caught.value) == {"percent", "cores", "duration_s"}


def test_omitted_cores_means_all_of_them() -> None:
    assert check_cpu(100, None, 5, HOST).cores == 4


def test_blast_radius_limits_are_stricter_than_the_host() -> None:
    limits = Limits(max_percent=30, max_cores=1, max_duration_s=60)
    with pytest.raises(InvalidInput) as caught:
        check_cpu(50, 2, 120, HOST, limits)
    assert fields(caught.value) == {"percent", "cores", "duration_s"}
    assert "blast radius" in str(caught.value)


def test_memory_beyond_available_less_margin_is_refused_with_the_room_left() -> None:
    # 4096 MiB available, margin max(10% of 8192, 256) = 819 MiB -> 3276.8 allowed.
    check_memory(3000, 10, 0, HOST)
    with pytest.raises(InvalidInput, match="only 3276 MiB may be taken"):
        check_memory(3300, 10, 0, HOST)


@pytest.mark.parametrize(
    ("megabytes", "ramp_s", "field"),
    [(0, 0, "megabytes"), (-1, 0, "megabytes"), (10, -1, "ramp_s"), (10, 11, "ramp_s")],
)
def test_memory_request_out_of_bounds_names_the_argument(
    megabytes: float, ramp_s: float, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_memory(megabytes, 10, ramp_s, HOST)
    assert fields(caught.value) == {field}


def test_memory_blast_radius_limit_applies() -> None:
    with pytest.raises(InvalidInput, match="blast radius allows at most 100 MiB"):
        check_memory(200, 10, 0, HOST, Limits(max_memory_bytes=100 * MIB))


def test_megabytes_are_mebibytes() -> None:
    assert check_memory(1.5, 10, 2, HOST).size_bytes == 1536 * 1024
