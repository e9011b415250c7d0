"""Keeping secret values out of journals and logs.

Chaos Toolkit substitutes ``${secret}`` into provider arguments, and what a
provider returns or raises may echo them (an http URL with a token, say).
Every secret value loaded for a run is masked wherever it appears.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

MASK = "***"
# Shorter values ("1", "yes") would mask ordinary words; real secrets are
# longer, and these are still masked where they stand as a whole value.
MIN_MASKED_LENGTH = 4


def secret_values(secrets: Mapping[str, Any] | None) -> list[str]:
    """Every string value of Chaos Toolkit's loaded secrets (scope -> key -> value)."""
    found: list[str] = []
    for scope in (secrets or {}).values():
        values = scope.values() if isinstance(scope, Mapping) else [scope]
        found += [str(v) for v in values if isinstance(v, str | int) and str(v)]
    return sorted(set(found), key=len, reverse=True)  # longest first


def mask(data: Any, values: Iterable[str]) -> Any:
    """A copy of ``data`` with every secret value masked, at any depth."""
    values = list(values)
    if not values:
        return data
    if isinstance(data, str):
        return _mask_text(data, values)
    if isinstance(data, Mapping):
        return {key: mask(value, values) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [mask(item, values) for item in data]
    return data


def _mask_text(text: str, values: list[str]) -> str:
    for value in values:
        if len(value) >= MIN_MASKED_LENGTH or text == value:
            text = text.replace(value, MASK)
    return text


class _MaskingFilter(logging.Filter):
    def __init__(self, values: list[str]) -> None:
        super().__init__()
        self.values = values

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = _mask_text(message, self.values)
        if masked != message:
            record.msg, record.args = masked, None
        return True


@contextlib.contextmanager
def masked_logs(values: list[str]) -> Iterator[None]:
    """Mask ``values`` in every log line written while the block runs."""
    if not values:
        yield
        return
    masking = _MaskingFilter(values)
    handlers = list(logging.getLogger().handlers)
    for handler in handlers:
        handler.addFilter(masking)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(masking)
