"""The event loop the server runs on, and the process limits it needs."""

from __future__ import annotations

import asyncio
import logging
import resource

log = logging.getLogger(__name__)


def new_loop() -> asyncio.AbstractEventLoop:
    """uvloop when it is installed (faster sockets), else asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


def raise_open_files_limit() -> int:
    """Raise the soft limit on open files to the hard limit; returns it.

    Each proxied connection holds two sockets, so a thousand connections
    already exceed the common soft limit of 1024.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError) as exc:
            log.warning(
                "cannot raise the open-files limit from %d to %d: %s", soft, hard, exc
            )
            return soft
        return hard
    return soft
