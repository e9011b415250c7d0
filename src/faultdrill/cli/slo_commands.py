"""The SLO commands the ``faultdrill`` group registers: budget, gate, incident."""

from __future__ import annotations

from faultdrill.cli.budget import budget
from faultdrill.cli.gate import gate
from faultdrill.cli.incident import incident

SLO_COMMANDS = (budget, gate, incident)
