"""A fake launcher that writes recorded journals instead of running anything."""

from __future__ import annotations

import sys
from pathlib import Path

# Test modules import the helpers beside them; make them importable here too.
sys.path.insert(0, str(Path(__file__).parent))
