"""Fixtures of the load tests."""

from __future__ import annotations

import sys
from pathlib import Path

# Test modules import the helpers beside them (load_fakes, ...).
sys.path.insert(0, str(Path(__file__).parent))
