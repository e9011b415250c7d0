"""The SLO commands the ``faultdrill`` group registers: budget, gate, incident."""

from __future__ import annotations

from faultdrill.cli.budget import budget

SLO_COMMANDS = (budget,)
