"""Durations as people write them: ``30``, ``"30s"``, ``"2m"``, ``"1h"``."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator

# A week: longer than any game day, short enough to catch a typo'd unit
# (and to stay far from the float and timestamp limits of the platform).
MAX_SECONDS = 7 * 24 * 3600.0
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")


def parse_seconds(value: Any) -> float:
    """Seconds from a number or a string with a unit; raises ValueError."""
    if isinstance(value, bool):
        raise ValueError("must be a duration such as 30, '30s', '2m' or '1h'")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _PATTERN.match(str(value))
        if not match:
            raise ValueError(
                f"{value!r} is not a duration; write 30, '30s', '500ms', '2m' or '1h'"
            )
        seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    if math.isnan(seconds) or seconds < 0:
        raise ValueError("a duration must be a number of seconds, 0 or more")
    if seconds > MAX_SECONDS:
        raise ValueError(
            f"{value!r} is longer than a week; no phase should last that long"
        )
    return seconds


Seconds = Annotated[float, BeforeValidator(parse_seconds)]
