"""Our experiment files stay valid Chaos Toolkit experiments."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXPERIMENTS = Path(__file__).resolve().parents[2] / "experiments"


@pytest.mark.parametrize("path", sorted(EXPERIMENTS.glob("*.yaml")), ids=lambda p: p.name)
def test_chaos_validate_accepts_shipped_experiments(path: Path) -> None:
    chaos = shutil.which("chaos", path=str(Path(sys.executable).parent))
    assert chaos, "the chaos command of chaostoolkit should be installed beside python"
    result = subprocess.run(
        [chaos, "--no-version-check", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "look valid" in result.stdout + result.stderr
