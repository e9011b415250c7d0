"""Recorded journals of every outcome, as fixtures."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

# Test modules import the helpers beside them; make them importable here too.
sys.path.insert(0, str(Path(__file__).parent))

from report_fixtures import OUTCOMES, load


@pytest.fixture(params=OUTCOMES)
def any_journal(request: pytest.FixtureRequest) -> dict[str, Any]:
    return load(str(request.param))
