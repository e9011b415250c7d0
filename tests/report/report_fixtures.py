"""The recorded journals of tests/report/journals/ (see record_journals.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

JOURNALS = Path(__file__).resolve().parent / "journals"
OUTCOMES = ("held", "deviated", "aborted", "refused", "inconclusive", "interrupted")


def load(name: str) -> dict[str, Any]:
    """A fresh copy of the journal recorded for outcome ``name``."""
    data: dict[str, Any] = json.loads((JOURNALS / f"{name}.json").read_text())
    return data
