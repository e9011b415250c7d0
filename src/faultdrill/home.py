"""Where faultdrill keeps its state: ledgers, locks, sandbox records.

Everything lives under one directory, ``FAULTDRILL_HOME``, so that tests and
teams can point it elsewhere. The default follows the XDG base directory
convention (``$XDG_DATA_HOME/faultdrill``, else ``~/.local/share/faultdrill``).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "FAULTDRILL_HOME"


def home() -> Path:
    """The state directory, created on first use."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        path = Path(explicit)
    else:
        data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(data) / "faultdrill"
    path.mkdir(parents=True, exist_ok=True)
    return path
