"""Fixtures for stress tests that start real processes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from faultdrill.stress.supervisor import Supervisor

# Sampling twice a second gives a 2 s measurement four samples.
TEST_SAMPLE_INTERVAL_S = 0.5

WaitUntil = Callable[[Callable[[], bool], float], bool]


@pytest.fixture
def supervisor() -> Iterator[Supervisor]:
    supervisor = Supervisor(sample_interval_s=TEST_SAMPLE_INTERVAL_S)
    yield supervisor
    supervisor.close()


@pytest.fixture
def wait_until() -> WaitUntil:
    """Poll a condition every 20 ms until it holds or the timeout passes."""

    def wait(condition: Callable[[], bool], timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.02)
        return condition()

    return wait
