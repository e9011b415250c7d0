"""Ctrl-C and SIGTERM: stop the method, never the rollback."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from types import FrameType

log = logging.getLogger(__name__)


class Interrupted(KeyboardInterrupt):
    """Raised in the main thread on SIGINT or SIGTERM."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


def _hold(signum: int, frame: FrameType | None) -> None:
    log.warning(
        "%s received during rollback: rolling back continues; it is not skipped",
        signal.Signals(signum).name,
    )


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """SIGINT and SIGTERM raise ``Interrupted`` inside this block."""
    with _handlers(_raise):
        yield


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """SIGINT and SIGTERM are logged and ignored inside this block."""
    with _handlers(_hold):
        yield


@contextlib.contextmanager
def _handlers(handler: signal.Handlers | object) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are only delivered to the main thread
        return
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, handler)  # type: ignore[arg-type]
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
