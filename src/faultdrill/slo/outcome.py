"""What an SLI needs to know about one event to call it good or bad."""

from __future__ import annotations

from typing import Protocol


class Outcome(Protocol):
    """One measured request: which stream, how long, and how it ended.

    ``status`` is the HTTP status, or None when no answer came (``error`` then
    says why: refused connection, timeout, ...). ``latency_s`` is counted from
    the time the request was meant to be sent, not from when it was sent.
    """

    @property
    def request(self) -> str: ...

    @property
    def latency_s(self) -> float: ...

    @property
    def status(self) -> int | None: ...

    @property
    def error(self) -> str | None: ...
