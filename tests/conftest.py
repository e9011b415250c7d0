"""Shared fixtures: every test gets its own FAULTDRILL_HOME."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXPERIMENTS = REPO / "experiments"


@pytest.fixture(autouse=True)
def faultdrill_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "faultdrill-home"
    monkeypatch.setenv("FAULTDRILL_HOME", str(home))
    monkeypatch.delenv("TOXIPROXY_URL", raising=False)
    monkeypatch.delenv("FAULTDRILL_SANDBOX_URL", raising=False)
    # The suite itself loads this small machine; a run's or plan's gate must
    # not refuse because of it (the gate's host checks have their own tests).
    monkeypatch.setenv("FAULTDRILL_HOST_CHECK", "0")
    return home
