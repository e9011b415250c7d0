"""Fixtures: a webhook receiver on loopback."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Test modules import the helpers beside them; make them importable here too.
sys.path.insert(0, str(Path(__file__).parent))

from notify_receiver import Receiver, running_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running_receiver() as running:
        yield running
