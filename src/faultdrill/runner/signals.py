"""Signals that stop a run: Ctrl-C, SIGTERM and the guard's abort.

They stop the method, never the rollback. The guard runs in its own thread
and stops the main thread with SIGUSR1, which wakes it from a pause or a
blocking call at once (``signal.pthread_kill``), unlike
``_thread.interrupt_main``, which waits for the blocking call to return.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType

log = logging.getLogger(__name__)

GUARD_SIGNAL = signal.SIGUSR1
# Ctrl-C, a polite kill, and a closed terminal or ssh session: each stops the
# method and rolls back.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stopping(BaseException):
    """A run is being stopped; a BaseException, so ``except Exception`` in
    extension code cannot swallow it."""


class Interrupted(Stopping):
    """SIGINT or SIGTERM."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class GuardTripped(Stopping):
    """The guard asked the main thread to abort the method."""


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


def _hold(signum: int, frame: FrameType | None) -> None:
    log.warning(
        "%s received during rollback: rolling back continues; it is not skipped",
        signal.Signals(signum).name,
    )


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP raise ``Interrupted`` inside this block."""
    with _handlers(_raise):
        yield


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP are logged and ignored inside this block."""
    with _handlers(_hold):
        yield


class GuardLine:
    """The guard's line to the main thread, live only while armed.

    The handler stays installed for the whole run, so a late signal (the
    method ended as the guard tripped) is ignored instead of killing the
    process with SIGUSR1's default action.
    """

    def __init__(self) -> None:
        self.armed = False
        self._main = threading.main_thread().ident

    def pull(self) -> None:
        """From the guard's thread: stop the main thread's method now."""
        if self.armed and self._main is not None:
            signal.pthread_kill(self._main, GUARD_SIGNAL)

    @contextlib.contextmanager
    def installed(self) -> Iterator[GuardLine]:
        if threading.current_thread() is not threading.main_thread():
            yield self
            return
        previous = signal.signal(GUARD_SIGNAL, self._on_signal)
        try:
            yield self
        finally:
            self.armed = False
            signal.signal(GUARD_SIGNAL, previous)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.armed:
            self.armed = False
            raise GuardTripped()
        log.debug("guard signal after the method ended; ignored")


Handler = Callable[[int, FrameType | None], None]


@contextlib.contextmanager
def _handlers(handler: Handler) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are only delivered to the main thread
        return
    previous = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    for sig in previous:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
