"""Growing and holding a resident size, with a fake allocator and fake clock."""

from __future__ import annotations

import pytest

from faultdrill.clock import FakeClock
from faultdrill.stress.memload import PAGE_SIZE, Hoard, resident_bytes, run_memory
from faultdrill.stress.model import MemoryTarget

MIB = 1024 * 1024
BASELINE = 10 * MIB  # what an interpreter holds before allocating anything


class FakeMemory:
    """Resident size = baseline + what was allocated; optionally a hard cap."""

    def __init__(self, cap: int | None = None) -> None:
        self.allocated = 0
        self.cap = cap

    def measure(self) -> int:
        return BASELINE + self.allocated

    def allocate(self, size: int) -> bytearray:
        if self.cap is not None and self.allocated + size > self.cap:
            raise MemoryError
        self.allocated += size
        return bytearray(PAGE_SIZE)  # the size is accounted, not really held

    def hoard(self) -> Hoard:
        return Hoard(measure=self.measure, allocate=self.allocate)


def test_growth_counts_what_is_already_resident() -> None:
    memory = FakeMemory()
    memory.hoard().grow_to(100 * MIB)

    assert memory.measure() == pytest.approx(100 * MIB, abs=PAGE_SIZE)
    assert memory.allocated == pytest.approx(90 * MIB, abs=PAGE_SIZE)


def test_a_memory_limit_is_reported_not_retried_forever() -> None:
    memory = FakeMemory(cap=40 * MIB)
    hoard = memory.hoard()

    hoard.grow_to(100 * MIB)

    assert hoard.exhausted is not None
    assert "MemoryError" in hoard.exhausted
    assert memory.allocated <= 40 * MIB


def test_ramp_grows_linearly_then_holds() -> None:
    clock = FakeClock()
    memory = FakeMemory()
    seen: list[tuple[float, int]] = []

    def sleep(seconds: float) -> None:
        clock.advance(seconds)
        seen.append((clock.now() - 1000.0, memory.measure()))

    target = MemoryTarget(200 * MIB, duration_s=4.0, ramp_s=2.0)
    finished = run_memory(target, lambda: False, memory.hoard(), clock.now, sleep)

    assert finished
    at_half_ramp = next(rss for t, rss in seen if t >= 1.0)
    assert at_half_ramp == pytest.approx(100 * MIB, rel=0.1)
    assert all(rss == pytest.approx(200 * MIB, rel=0.01) for t, rss in seen if t > 2.1)


def test_memory_worker_stops_when_its_parent_is_gone() -> None:
    clock = FakeClock()
    target = MemoryTarget(50 * MIB, duration_s=60.0)

    finished = run_memory(
        target,
        lambda: clock.now() > 1001.0,
        FakeMemory().hoard(),
        clock.now,
        clock.advance,
    )

    assert not finished
    assert clock.now() < 1001.2


def test_touched_pages_are_really_resident() -> None:
    hoard = Hoard()
    before = resident_bytes()

    hoard.grow_to(before + 64 * MIB)

    assert resident_bytes() - before == pytest.approx(64 * MIB, rel=0.05)


def test_growth_stops_between_chunks_once_the_parent_is_gone() -> None:
    memory = FakeMemory()
    answers = iter([False, True])

    memory.hoard().grow_to(1024 * MIB, stop=lambda: next(answers))

    assert memory.allocated == 64 * MIB  # one chunk, then the watch said stop
