"""A game-day plan names real severities only."""

from __future__ import annotations

from pathlib import Path

import pytest

from faultdrill.errors import InvalidInput
from faultdrill.gameday.plan import load_plan


def test_an_unknown_severity_in_stop_on_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("title: a\n")
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "name: weekly\nstop-on:\n  severities: [SEV-9]\nsteps:\n  - file: a.yaml\n"
    )
    with pytest.raises(InvalidInput, match="SEV-9"):
        load_plan(plan)
